// The iCalendar writer: serialize() and CalendarWriter.
//
// Output is produced directly from our model rather than by building libical
// components: a VEVENT is a handful of properties we know exactly, and going
// through icalcomponent_* costs an allocation per property and parameter plus
// a full string rendering per event. libical is still what reads our output
// back (parse(), tested in SerializerTest) and what produces the VTIMEZONEs.

#include <map>
#include <ostream>
#include <sstream>

#include "ical/IcalCodec.h"
#include "ical/TimeZones.h"
#include "ical/detail/Text.h"

namespace creneau::ical {
namespace {

// VTIMEZONE history is trimmed to this year: short, like the ones Google and
// Apple write, and the same for serialize() and CalendarWriter whatever the
// events (so both produce identical bytes).
constexpr int kZoneSinceYear = 1970;

std::string_view partStatText(PartStat p) {
  switch (p) {
    case PartStat::Accepted:
      return "ACCEPTED";
    case PartStat::Declined:
      return "DECLINED";
    case PartStat::Tentative:
      return "TENTATIVE";
    case PartStat::Delegated:
      return "DELEGATED";
    case PartStat::NeedsAction:
      break;
  }
  return "NEEDS-ACTION";
}

std::string_view roleText(Role r) {
  switch (r) {
    case Role::Chair:
      return "CHAIR";
    case Role::OptParticipant:
      return "OPT-PARTICIPANT";
    case Role::NonParticipant:
      return "NON-PARTICIPANT";
    case Role::ReqParticipant:
      break;
  }
  return "REQ-PARTICIPANT";
}

std::string_view cuTypeText(CalendarUserType t) {
  switch (t) {
    case CalendarUserType::Group:
      return "GROUP";
    case CalendarUserType::Resource:
      return "RESOURCE";
    case CalendarUserType::Room:
      return "ROOM";
    case CalendarUserType::Unknown:
      return "UNKNOWN";
    case CalendarUserType::Individual:
      break;
  }
  return "INDIVIDUAL";
}

// Values that are not TEXT (URI, CLASS, ...) still must not break the line.
void appendRaw(std::string& out, std::string_view s) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 || s[i] == '\t') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
  }
  out.append(s.data() + run, s.size() - run);
}

void collectZones(const DateTime& dt, std::set<std::string>& zones) {
  if (!dt.isDate && !dt.tzid.empty() && dt.tzid != "UTC") zones.insert(dt.tzid);
}

void collectZones(const Event& e, std::set<std::string>& zones) {
  collectZones(e.start, zones);
  if (e.end) collectZones(*e.end, zones);
  if (e.recurrenceId) collectZones(*e.recurrenceId, zones);
  for (const auto& d : e.rdates) collectZones(d, zones);
  for (const auto& d : e.exdates) collectZones(d, zones);
}

// Writes one VEVENT into a reusable buffer. Holds the TZID spelling cache
// (canonicalZone takes a lock; a feed uses a handful of zones).
class EventWriter {
 public:
  void write(std::string& out, const Event& e) {
    line_.clear();
    appendFolded(out, "BEGIN:VEVENT");
    text(out, "UID", e.uid);
    begin("SEQUENCE");
    line_ += ':';
    line_ += std::to_string(e.sequence);
    flush(out);
    if (e.dtstamp) dateTime(out, "DTSTAMP", *e.dtstamp);
    if (e.created) dateTime(out, "CREATED", *e.created);
    if (e.lastModified) dateTime(out, "LAST-MODIFIED", *e.lastModified);
    dateTime(out, "DTSTART", e.start);
    if (e.end) {
      dateTime(out, "DTEND", *e.end);
    } else if (e.durationSec) {
      begin("DURATION");
      line_ += ':';
      line_ += detail::formatDuration(*e.durationSec);
      flush(out);
    }
    if (e.recurrenceId) {
      begin("RECURRENCE-ID");
      if (e.recurrenceThisAndFuture) line_ += ";RANGE=THISANDFUTURE";
      dateTimeValue(*e.recurrenceId);
      flush(out);
    }
    if (!e.rrule.empty()) {
      begin("RRULE");
      line_ += ':';
      appendRaw(line_, e.rrule);
      flush(out);
    }
    dateList(out, "RDATE", e.rdates);
    dateList(out, "EXDATE", e.exdates);
    if (!e.summary.empty()) text(out, "SUMMARY", e.summary);
    if (!e.description.empty()) text(out, "DESCRIPTION", e.description);
    if (!e.location.empty()) text(out, "LOCATION", e.location);
    if (!e.url.empty()) {
      begin("URL");
      line_ += ':';
      appendRaw(line_, e.url);
      flush(out);
    }
    if (!e.categories.empty()) {
      begin("CATEGORIES");
      line_ += ':';
      for (std::size_t i = 0; i < e.categories.size(); ++i) {
        if (i) line_ += ',';
        detail::appendEscapedText(line_, e.categories[i]);
      }
      flush(out);
    }
    if (!e.classification.empty()) {
      begin("CLASS");
      line_ += ':';
      appendRaw(line_, e.classification);
      flush(out);
    }
    switch (e.status) {
      case EventStatus::Tentative:
        appendFolded(out, "STATUS:TENTATIVE");
        break;
      case EventStatus::Confirmed:
        appendFolded(out, "STATUS:CONFIRMED");
        break;
      case EventStatus::Cancelled:
        appendFolded(out, "STATUS:CANCELLED");
        break;
      case EventStatus::None:
        break;
    }
    appendFolded(
        out, e.transparency == Transparency::Transparent ? "TRANSP:TRANSPARENT" : "TRANSP:OPAQUE");
    if (e.organizer) {
      begin("ORGANIZER");
      param("CN", e.organizer->commonName);
      address(e.organizer->email);
      flush(out);
    }
    for (const auto& a : e.attendees) {
      begin("ATTENDEE");
      if (a.cuType != CalendarUserType::Individual) param("CUTYPE", cuTypeText(a.cuType));
      param("ROLE", roleText(a.role));
      param("PARTSTAT", partStatText(a.partStat));
      if (a.rsvp) line_ += ";RSVP=TRUE";
      param("CN", a.commonName);
      for (const auto& p : a.extraParams) param(p.name, p.value, true);
      address(a.email);
      flush(out);
    }
    for (const auto& c : e.conferences) {
      // RFC 7986 5.11: CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=...:uri
      begin("CONFERENCE");
      line_ += ";VALUE=URI";
      if (!c.features.empty()) {
        line_ += ";FEATURE=";
        for (std::size_t i = 0; i < c.features.size(); ++i) {
          if (i) line_ += ',';
          detail::appendParamValue(line_, c.features[i]);
        }
      }
      param("LABEL", c.label);
      line_ += ':';
      appendRaw(line_, c.uri);
      flush(out);
    }
    for (const auto& x : e.extra) {
      if (x.name.empty()) continue;
      begin(x.name);
      std::string_view valueParam;
      for (const auto& p : x.params) {
        param(p.name, p.value, true);
        if (detail::iequals(p.name, "VALUE")) valueParam = p.value;
      }
      line_ += ':';
      if (detail::isTextValued(x.name, valueParam))
        detail::appendEscapedText(line_, x.value);
      else
        appendRaw(line_, x.value);
      flush(out);
    }
    appendFolded(out, "END:VEVENT");
  }

  // The TZID we write for a zone name: the plain IANA name when we know the
  // zone (so it matches the VTIMEZONE we emit), the name as given otherwise.
  const std::string& zoneName(const std::string& tzid) {
    auto it = zones_.find(tzid);
    if (it == zones_.end()) {
      auto canonical = canonicalZone(tzid);
      it = zones_.emplace(tzid, canonical ? *canonical : tzid).first;
    }
    return it->second;
  }

 private:
  void begin(std::string_view name) {
    line_.clear();
    appendRaw(line_, name);
  }
  void flush(std::string& out) { detail::appendFolded(out, line_); }

  void param(std::string_view name, std::string_view value, bool always = false) {
    if (value.empty() && !always) return;
    line_ += ';';
    appendRaw(line_, name);
    line_ += '=';
    detail::appendParamValue(line_, value);
  }

  void address(const std::string& email) {
    line_ += ":mailto:";
    appendRaw(line_, email);
  }

  void text(std::string& out, std::string_view name, std::string_view value) {
    begin(name);
    line_ += ':';
    detail::appendEscapedText(line_, value);
    flush(out);
  }

  // ";TZID=...:value", ";VALUE=DATE:value", ":value" or ":valueZ".
  void dateTimeValue(const DateTime& dt) {
    if (dt.isDate) {
      line_ += ";VALUE=DATE";
    } else if (!dt.tzid.empty() && dt.tzid != "UTC") {
      const std::string& zone = zoneName(dt.tzid);
      if (zone == "UTC") {
        line_ += ':';
        DateTime utc = dt;
        utc.tzid = "UTC";
        detail::appendDateTimeValue(line_, utc);
        return;
      }
      line_ += ";TZID=";
      detail::appendParamValue(line_, zone);
    }
    line_ += ':';
    detail::appendDateTimeValue(line_, dt);
  }

  void dateTime(std::string& out, std::string_view name, const DateTime& dt) {
    begin(name);
    dateTimeValue(dt);
    flush(out);
  }

  // Consecutive values of the same form share one line (3.8.5.1, 3.8.5.2).
  void dateList(std::string& out, std::string_view name, const std::vector<DateTime>& values) {
    std::size_t i = 0;
    while (i < values.size()) {
      begin(name);
      dateTimeValue(values[i]);
      std::size_t j = i + 1;
      while (j < values.size() && values[j].isDate == values[i].isDate &&
             values[j].tzid == values[i].tzid) {
        line_ += ',';
        detail::appendDateTimeValue(line_, values[j]);
        ++j;
      }
      flush(out);
      i = j;
    }
  }

  static void appendFolded(std::string& out, std::string_view line) {
    detail::appendFolded(out, line);
  }

  std::string line_;
  std::map<std::string, std::string, std::less<>> zones_;
};

void writeHeader(std::string& out, const Calendar& cal) {
  auto textLine = [&](std::string_view name, std::string_view value) {
    std::string line(name);
    line += ':';
    detail::appendEscapedText(line, value);
    detail::appendFolded(out, line);
  };
  detail::appendFolded(out, "BEGIN:VCALENDAR");
  detail::appendFolded(out, "VERSION:2.0");
  textLine("PRODID", cal.prodId.empty() ? std::string_view("-//Creneau//Creneau 0.1//EN")
                                        : std::string_view(cal.prodId));
  detail::appendFolded(out, "CALSCALE:GREGORIAN");
  if (!cal.method.empty()) {
    std::string line = "METHOD:";
    appendRaw(line, cal.method);
    detail::appendFolded(out, line);
  }
  if (!cal.name.empty()) {
    textLine("NAME", cal.name);  // RFC 7986 5.1
    textLine("X-WR-CALNAME", cal.name);
  }
  if (!cal.description.empty()) textLine("X-WR-CALDESC", cal.description);
  if (!cal.timezoneHint.empty()) textLine("X-WR-TIMEZONE", cal.timezoneHint);
  if (cal.refreshIntervalSec) {
    const std::string d = detail::formatDuration(*cal.refreshIntervalSec);
    detail::appendFolded(out, "REFRESH-INTERVAL;VALUE=DURATION:" + d);  // RFC 7986 5.7
    detail::appendFolded(out, "X-PUBLISHED-TTL:" + d);
  }
}

}  // namespace

struct CalendarWriter::Impl {
  EventWriter events;
  std::string buffer;
};

CalendarWriter::CalendarWriter(std::ostream& out, const Calendar& header,
                               const std::set<std::string>& zones)
    : out_(out), impl_(std::make_unique<Impl>()) {
  std::string& buf = impl_->buffer;
  writeHeader(buf, header);
  for (const auto& z : zones) {
    const std::string& name = impl_->events.zoneName(z);
    if (name == "UTC" || !written_.insert(name).second) continue;
    buf += vtimezone(name, kZoneSinceYear);
  }
  out_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
}

CalendarWriter::~CalendarWriter() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; an explicit finish() reports errors.
  }
}

void CalendarWriter::add(const Event& event) {
  if (finished_) return;
  std::set<std::string> used;
  collectZones(event, used);
  for (const auto& z : used) {
    const std::string& name = impl_->events.zoneName(z);
    if (name != "UTC" && !written_.count(name)) pending_.insert(name);
  }
  std::string& buf = impl_->buffer;
  impl_->events.write(buf, event);
  // Flush in chunks: one ostream call per ~64 KiB, memory stays flat.
  if (buf.size() >= 64 * 1024) {
    out_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.clear();
  }
}

void CalendarWriter::finish() {
  if (finished_) return;
  finished_ = true;
  std::string& buf = impl_->buffer;
  for (const auto& z : pending_)
    if (written_.insert(z).second) buf += vtimezone(z, kZoneSinceYear);
  pending_.clear();
  detail::appendFolded(buf, "END:VCALENDAR");
  out_.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
  out_.flush();
}

std::string serialize(const Calendar& calendar) {
  std::set<std::string> zones;
  for (const auto& e : calendar.events) collectZones(e, zones);
  std::ostringstream out;
  {
    CalendarWriter writer(out, calendar, zones);
    for (const auto& e : calendar.events) writer.add(e);
    writer.finish();
  }
  return std::move(out).str();
}

}  // namespace creneau::ical
