#include "engine/feeds/FreeBusy.h"

#include <algorithm>
#include <ctime>
#include <string_view>

namespace creneau::engine {

namespace {

using Span = std::pair<UnixTime, UnixTime>;

std::vector<Span> merged(std::vector<Span> spans) {
  std::sort(spans.begin(), spans.end());
  std::vector<Span> out;
  for (const auto& s : spans) {
    if (!out.empty() && s.first <= out.back().second)
      out.back().second = std::max(out.back().second, s.second);
    else
      out.push_back(s);
  }
  return out;
}

// `spans` minus `cut`; both sorted and disjoint.
std::vector<Span> subtract(const std::vector<Span>& spans, const std::vector<Span>& cut) {
  std::vector<Span> out;
  std::size_t j = 0;
  for (auto [start, end] : spans) {
    while (j < cut.size() && cut[j].second <= start) ++j;
    for (std::size_t k = j; k < cut.size() && cut[k].first < end; ++k) {
      if (cut[k].first > start) out.emplace_back(start, cut[k].first);
      start = std::max(start, cut[k].second);
    }
    if (start < end) out.emplace_back(start, end);
  }
  return out;
}

std::string utc(UnixTime t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// RFC 5545 3.3.11 TEXT escaping; control characters dropped.
std::string escapeText(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '\\':
      case ';':
      case ',':
        out += '\\';
        out += c;
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    }
  }
  return out;
}

// RFC 5545 3.1: at most 75 octets per line, continuation lines start with a
// space, a UTF-8 sequence is never split.
void appendFolded(std::string& out, std::string_view line) {
  std::size_t width = 75;
  while (line.size() > width) {
    std::size_t cut = width;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    if (cut == 0) cut = width;  // not UTF-8: cut anywhere
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    width = 74;  // the leading space counts
  }
  out.append(line);
  out += "\r\n";
}

std::string formatDuration(long long seconds) {
  if (seconds > 0 && seconds % 3600 == 0) return "PT" + std::to_string(seconds / 3600) + "H";
  if (seconds > 0 && seconds % 60 == 0) return "PT" + std::to_string(seconds / 60) + "M";
  return "PT" + std::to_string(std::max(seconds, 0LL)) + "S";
}

}  // namespace

void FreeBusyTimeline::add(UnixTime start, UnixTime end, bool tentative) {
  start = std::max(start, from_);
  end = std::min(end, to_);
  if (start >= end) return;
  spans_.push_back(BusyPeriod{start, end, tentative});
}

std::vector<BusyPeriod> FreeBusyTimeline::periods(Shape shape) const {
  std::vector<Span> busy;
  std::vector<Span> tentative;
  for (const auto& s : spans_) (s.tentative ? tentative : busy).emplace_back(s.start, s.end);
  const auto b = merged(std::move(busy));
  const auto t = shape == Shape::Disjoint ? subtract(merged(std::move(tentative)), b)
                                          : merged(std::move(tentative));
  std::vector<BusyPeriod> out;
  out.reserve(b.size() + t.size());
  for (const auto& s : b) out.push_back({s.first, s.second, false});
  for (const auto& s : t) out.push_back({s.first, s.second, true});
  std::sort(out.begin(), out.end(),
            [](const BusyPeriod& x, const BusyPeriod& y) { return x.start < y.start; });
  return out;
}

std::string writeFreeBusyCalendar(const FreeBusyHeader& h, const std::vector<BusyPeriod>& periods) {
  std::string out;
  appendFolded(out, "BEGIN:VCALENDAR");
  appendFolded(out, "VERSION:2.0");
  appendFolded(out, "PRODID:" + escapeText(h.prodId));
  appendFolded(out, "CALSCALE:GREGORIAN");
  appendFolded(out, "METHOD:PUBLISH");
  if (!h.name.empty()) {
    appendFolded(out, "NAME:" + escapeText(h.name));
    appendFolded(out, "X-WR-CALNAME:" + escapeText(h.name));
  }
  if (h.refreshIntervalSec) {
    const std::string d = formatDuration(*h.refreshIntervalSec);
    appendFolded(out, "REFRESH-INTERVAL;VALUE=DURATION:" + d);
    appendFolded(out, "X-PUBLISHED-TTL:" + d);
  }
  appendFolded(out, "BEGIN:VFREEBUSY");
  appendFolded(out, "UID:" + escapeText(h.uid));
  appendFolded(out, "DTSTAMP:" + utc(h.stamp));
  appendFolded(out, "DTSTART:" + utc(h.from));
  appendFolded(out, "DTEND:" + utc(h.to));
  for (const auto& p : periods)
    appendFolded(out, std::string("FREEBUSY;FBTYPE=") + (p.tentative ? "BUSY-TENTATIVE" : "BUSY") +
                          ":" + utc(p.start) + "/" + utc(p.end));
  appendFolded(out, "END:VFREEBUSY");
  appendFolded(out, "END:VCALENDAR");
  return out;
}

}  // namespace creneau::engine
