#include "ical/detail/Text.h"

#include <cctype>
#include <limits>

#include "ical/detail/Civil.h"

namespace creneau::ical::detail {
namespace {

void append2(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}

void append4(std::string& out, int v) {
  if (v < 0 || v > 9999) v = 0;
  out += static_cast<char>('0' + v / 1000);
  out += static_cast<char>('0' + v / 100 % 10);
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}

bool allDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

void appendEscapedText(std::string& out, std::string_view s) {
  // Copy runs of ordinary characters at once; most text has no special one.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && c != '\\' && c != ';' && c != ',' && c != 0x7f) continue;
    if (c == '\t') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\n";
        if (i + 1 < s.size() && s[i + 1] == '\n') run = ++i + 1;
        break;
      default:  // other control characters are not allowed in TEXT: dropped
        break;
    }
  }
  out.append(s.data() + run, s.size() - run);
}

std::string unescapeText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[i + 1];
    if (n == 'n' || n == 'N') {
      out += '\n';
      ++i;
    } else if (n == '\\' || n == ';' || n == ',' || n == ':' || n == '"') {
      out += n;
      ++i;
    } else {
      out += '\\';
    }
  }
  return out;
}

void appendParamValue(std::string& out, std::string_view s) {
  bool quote = false;
  for (char c : s)
    if (c == ':' || c == ';' || c == ',') {
      quote = true;
      break;
    }
  if (quote) out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '^') {
      out += "^^";
    } else if (c == '"') {
      out += "^'";
    } else if (c == '\n' || c == '\r') {
      out += "^n";
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      // not allowed in a parameter value (3.1 SAFE-CHAR / QSAFE-CHAR)
    } else {
      out += c;
    }
  }
  if (quote) out += '"';
}

std::string decodeCaret(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '^' && i + 1 < s.size()) {
      const char n = s[i + 1];
      if (n == '^') {
        out += '^';
        ++i;
        continue;
      }
      if (n == '\'') {
        out += '"';
        ++i;
        continue;
      }
      if (n == 'n' || n == 'N') {
        out += '\n';
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

void appendFolded(std::string& out, std::string_view line) {
  // RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the
  // line break; continuation lines start with one space, which counts.
  constexpr std::size_t kLimit = 75;
  if (line.size() <= kLimit) {
    out.append(line);
    out += "\r\n";
    return;
  }
  std::size_t pos = 0;
  std::size_t limit = kLimit;
  while (pos < line.size()) {
    std::size_t end = pos + limit;
    if (end >= line.size()) {
      end = line.size();
    } else {
      // Never start the next line on a UTF-8 continuation byte.
      std::size_t cut = end;
      while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      if (cut > pos) end = cut;
    }
    if (pos > 0) out += ' ';
    out.append(line.substr(pos, end - pos));
    out += "\r\n";
    pos = end;
    limit = kLimit - 1;
  }
}

void appendDateTimeValue(std::string& out, const DateTime& dt) {
  append4(out, dt.year);
  append2(out, dt.month);
  append2(out, dt.day);
  if (dt.isDate) return;
  out += 'T';
  append2(out, dt.hour);
  append2(out, dt.minute);
  append2(out, dt.second);
  if (dt.isUtc()) out += 'Z';
}

std::string formatDuration(long long seconds) {
  std::string out;
  unsigned long long s;
  if (seconds < 0) {
    out += '-';
    s = static_cast<unsigned long long>(-(seconds + 1)) + 1;
  } else {
    s = static_cast<unsigned long long>(seconds);
  }
  out += 'P';
  if (s == 0) return out + "T0S";
  if (s % 604800 == 0) return out + std::to_string(s / 604800) + 'W';
  const unsigned long long days = s / 86400;
  const unsigned long long h = s % 86400 / 3600;
  const unsigned long long m = s % 3600 / 60;
  const unsigned long long sec = s % 60;
  if (days) out += std::to_string(days) + 'D';
  if (h || m || sec) {
    // dur-time = "T" (dur-hour / dur-minute / dur-second): an hour is
    // followed by minutes before seconds can appear.
    out += 'T';
    if (h) {
      out += std::to_string(h) + 'H';
      if (m || sec) out += std::to_string(m) + 'M';
      if (sec) out += std::to_string(sec) + 'S';
    } else if (m) {
      out += std::to_string(m) + 'M';
      if (sec) out += std::to_string(sec) + 'S';
    } else {
      out += std::to_string(sec) + 'S';
    }
  }
  return out;
}

std::optional<long long> parseDuration(std::string_view s) {
  // dur-value = (["+"] / "-") "P" (dur-date / dur-time / dur-week)
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s[0] != 'P') return std::nullopt;
  s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  constexpr long long kMax = std::numeric_limits<long long>::max();
  long long total = 0;
  auto add = [&](long long n, long long unit) {
    if (n > kMax / unit) return false;
    n *= unit;
    if (total > kMax - n) return false;
    total += n;
    return true;
  };
  auto number = [&](long long& n) {
    std::size_t i = 0;
    n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > (kMax - 9) / 10) return false;
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (i == 0) return false;
    s.remove_prefix(i);
    return true;
  };
  long long n = 0;
  if (s[0] != 'T') {
    if (!number(n) || s.empty()) return std::nullopt;
    if (s[0] == 'W') {
      s.remove_prefix(1);
      if (!s.empty() || !add(n, 604800)) return std::nullopt;
      return negative ? -total : total;
    }
    if (s[0] != 'D' || !add(n, 86400)) return std::nullopt;
    s.remove_prefix(1);
    if (s.empty()) return negative ? -total : total;
  }
  if (s.empty() || s[0] != 'T') return std::nullopt;
  s.remove_prefix(1);
  // dur-hour / dur-minute / dur-second, in this order, each optional after
  // the first one present, and at least one.
  int stage = 0;  // 0: H allowed, 1: M allowed, 2: S allowed
  bool any = false;
  while (!s.empty()) {
    if (!number(n) || s.empty()) return std::nullopt;
    const char unit = s[0];
    s.remove_prefix(1);
    if (unit == 'H' && stage == 0) {
      if (!add(n, 3600)) return std::nullopt;
      stage = 1;
    } else if (unit == 'M' && stage <= 1) {
      if (!add(n, 60)) return std::nullopt;
      stage = 2;
    } else if (unit == 'S' && stage <= 2) {
      if (!add(n, 1)) return std::nullopt;
      stage = 3;
    } else {
      return std::nullopt;
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return negative ? -total : total;
}

std::optional<DateTime> parseDateTimeValue(std::string_view s) {
  if (s.size() == 8) {
    if (!allDigits(s)) return std::nullopt;
    DateTime dt = DateTime::date(num(s.substr(0, 4)), num(s.substr(4, 2)), num(s.substr(6, 2)));
    if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > daysInMonth(dt.year, dt.month))
      return std::nullopt;
    return dt;
  }
  if (s.size() != 15 && s.size() != 16) return std::nullopt;
  if (s[8] != 'T' || !allDigits(s.substr(0, 8)) || !allDigits(s.substr(9, 6))) return std::nullopt;
  if (s.size() == 16 && s[15] != 'Z') return std::nullopt;
  DateTime dt = DateTime::local(num(s.substr(0, 4)), num(s.substr(4, 2)), num(s.substr(6, 2)),
                                num(s.substr(9, 2)), num(s.substr(11, 2)), num(s.substr(13, 2)),
                                s.size() == 16 ? "UTC" : "");
  if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > daysInMonth(dt.year, dt.month) ||
      dt.hour > 23 || dt.minute > 59 || dt.second > 60)
    return std::nullopt;
  return dt;
}

std::optional<UtcOffset> parseUtcOffset(std::string_view s) {
  // utc-offset = time-numzone; time-numzone = ("+" / "-") time-hour time-minute [time-second]
  if (s.size() != 5 && s.size() != 7) return std::nullopt;
  if (s[0] != '+' && s[0] != '-') return std::nullopt;
  if (!allDigits(s.substr(1))) return std::nullopt;
  const int h = num(s.substr(1, 2));
  const int m = num(s.substr(3, 2));
  const int sec = s.size() == 7 ? num(s.substr(5, 2)) : 0;
  UtcOffset off;
  off.seconds = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60 + sec);
  off.inRange = h <= 23 && m <= 59 && sec <= 59 && !(s[0] == '-' && h == 0 && m == 0 && sec == 0);
  return off;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string toUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool isTextValued(std::string_view name, std::string_view valueParam) {
  if (!valueParam.empty()) return iequals(valueParam, "TEXT");
  static constexpr std::string_view kNonText[] = {
      "PRIORITY",  "GEO",     "PERCENT-COMPLETE", "ATTACH",         "DUE",
      "COMPLETED", "TRIGGER", "FREEBUSY",         "TZOFFSETFROM",   "TZOFFSETTO",
      "TZURL",     "REPEAT",  "RESOURCES",        "REQUEST-STATUS", "X-WR-RELCALID"};
  for (auto n : kNonText)
    if (iequals(n, name)) return false;
  return true;
}

}  // namespace creneau::ical::detail
