#include "ical/detail/ContentLines.h"

#include <cstdio>

#include "ical/detail/Text.h"

namespace creneau::ical::detail {
namespace {

using Severity = Diagnostic::Severity;

bool isNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

bool isControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

std::string hexByte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
std::size_t utf8Length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned min;
  unsigned cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

class Lexer {
 public:
  explicit Lexer(LexResult& r) : r_(r) {}

  void error(int line, std::string msg) {
    r_.diagnostics.push_back({Severity::Error, line, std::move(msg)});
  }
  void warning(int line, std::string msg) {
    r_.diagnostics.push_back({Severity::Warning, line, std::move(msg)});
  }

  // Splits one unfolded content line into name, parameters and value.
  void parseLine(ContentLine& cl) {
    const std::string_view s = cl.text;
    std::size_t i = 0;
    while (i < s.size() && isNameChar(s[i])) ++i;
    cl.name = toUpper(s.substr(0, i));
    if (i == s.size()) {
      cl.bad = true;
      error(cl.line,
            "line \"" + shorten(s) +
                "\" has no ':' (RFC 5545 3.1: a content line is NAME[;PARAM=VALUE]:VALUE); "
                "add the colon between the property name and its value");
      return;
    }
    if (i == 0 || (s[i] != ':' && s[i] != ';')) {
      cl.bad = true;
      if (!hasColonOutsideQuotes(s)) {
        error(cl.line, "line \"" + shorten(s) +
                           "\" has no ':' separating the property name from its value (RFC 5545 "
                           "3.1); add the colon or remove the line");
      } else {
        error(cl.line, "invalid property name \"" + shorten(s.substr(0, s.find_first_of(";:"))) +
                           "\": names are letters, digits and '-' (RFC 5545 3.1)");
      }
      return;
    }
    // Parameters.
    while (i < s.size() && s[i] == ';') {
      ++i;
      const std::size_t nameStart = i;
      while (i < s.size() && isNameChar(s[i])) ++i;
      if (i == nameStart) {
        cl.bad = true;
        if (i < s.size() && (s[i] == ';' || s[i] == ':')) {
          error(cl.line, "empty parameter (\";" + std::string(1, s[i]) + "\") in " + cl.name +
                             " (RFC 5545 3.1: each ';' starts a NAME=VALUE parameter); remove "
                             "the extra ';'");
        } else if (!hasColonOutsideQuotes(s)) {
          error(cl.line, cl.name +
                             " line has no ':' separating the property from its value "
                             "(RFC 5545 3.1); add the colon");
        } else {
          error(cl.line, "invalid parameter in " + cl.name + " near \"" + shorten(s.substr(i)) +
                             "\" (RFC 5545 3.2: NAME=VALUE, quote values containing ':', ';' "
                             "or ',')");
        }
        return;
      }
      RawParam p;
      p.name = toUpper(s.substr(nameStart, i - nameStart));
      if (i >= s.size() || s[i] != '=') {
        cl.bad = true;
        if (!hasColonOutsideQuotes(s))
          error(cl.line, cl.name +
                             " line has no ':' separating the property from its value "
                             "(RFC 5545 3.1); add the colon");
        else
          error(cl.line, "parameter " + p.name + " of " + cl.name +
                             " has no '=' (RFC 5545 3.2: NAME=VALUE)");
        return;
      }
      ++i;
      // One or more values separated by ','.
      while (true) {
        std::string value;
        if (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
          // Folding that kept a space before a quoted value (khal writes
          // "DELEGATED-FROM=\r\n  \"mailto:...\""): skip it, quoted or not.
          std::size_t k = i;
          while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
          if (k < s.size() && s[k] == '"') {
            warning(cl.line, "whitespace before the quoted value of parameter " + p.name + " in " +
                                 cl.name + " (RFC 5545 3.2); ignored");
            cl.repaired = true;
            i = k;
          }
        }
        if (i < s.size() && s[i] == '"') {
          const std::size_t close = s.find('"', i + 1);
          if (close == std::string_view::npos) {
            cl.bad = true;
            error(cl.line, "unterminated quoted value of parameter " + p.name + " in " + cl.name +
                               " (RFC 5545 3.2); add the closing '\"' before the ':'");
            return;
          }
          value = decodeCaret(s.substr(i + 1, close - i - 1));
          i = close + 1;
          if (i == s.size() && p.name == "TZID" && value.find(':') != std::string::npos) {
            // Outlook writes DTSTART;TZID="W. Europe Standard Time:20200609T090000":
            // the value's colon ended up inside the quotes. Unambiguous when
            // the quoted text ends the line: split at its last colon.
            const std::size_t colon = value.rfind(':');
            const std::size_t valueOffset = close - (value.size() - colon - 1);
            cl.value = s.substr(valueOffset, close - valueOffset);
            p.values.push_back(value.substr(0, colon));
            cl.params.push_back(std::move(p));
            cl.repaired = true;
            warning(cl.line, "the ':' that starts the value of " + cl.name +
                                 " is inside the quoted TZID; write TZID=\"" +
                                 cl.params.back().first() + "\":" + std::string(cl.value));
            return;
          }
          if (i < s.size() && s[i] != ',' && s[i] != ';' && s[i] != ':') {
            cl.bad = true;
            error(cl.line, "unexpected character after the quoted value of parameter " + p.name +
                               " in " + cl.name + " (RFC 5545 3.2)");
            return;
          }
        } else {
          while (i < s.size() && s[i] != ';' && s[i] != ':' && s[i] != ',') {
            if (s[i] == '"') {
              cl.bad = true;
              error(cl.line, "'\"' inside the unquoted value of parameter " + p.name + " in " +
                                 cl.name + " (RFC 5545 3.2); quote the whole value");
              return;
            }
            if (s[i] == '\\' && i + 1 < s.size() &&
                (s[i + 1] == ';' || s[i + 1] == ',' || s[i + 1] == ':')) {
              // Backslash escapes do not exist in parameter values, but the
              // intent is clear: a literal character.
              if (!backslashWarned_) {
                warning(cl.line, "backslash escape in the value of parameter " + p.name + " of " +
                                     cl.name +
                                     "; parameter values are quoted, not escaped (RFC 5545 3.2)");
                backslashWarned_ = true;
              }
              cl.repaired = true;
              value += s[i + 1];
              i += 2;
              continue;
            }
            value += s[i++];
          }
          // Unfolding can leave blanks around an unquoted value ("CN=Jane
          // Doe\r\n  :mailto:..."); like libical, do not keep them.
          while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
          value = decodeCaret(value);
        }
        p.values.push_back(std::move(value));
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        break;
      }
      cl.params.push_back(std::move(p));
    }
    if (i >= s.size() || s[i] != ':') {
      cl.bad = true;
      error(cl.line, cl.name +
                         " line has no ':' separating the property from its value "
                         "(RFC 5545 3.1); add the colon");
      return;
    }
    cl.value = s.substr(i + 1);
  }

  static bool hasColonOutsideQuotes(std::string_view s) {
    bool quoted = false;
    for (char c : s) {
      if (c == '"') quoted = !quoted;
      if (c == ':' && !quoted) return true;
    }
    return false;
  }

  static std::string shorten(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 60)) out += isControl(c) ? '?' : c;
    if (s.size() > 60) out += "...";
    return out;
  }

 private:
  LexResult& r_;
  bool backslashWarned_ = false;
};

void regenerate(ContentLine& cl) {
  std::string& out = cl.normalized;
  out = cl.name;
  for (const auto& p : cl.params) {
    out += ';';
    out += p.name;
    out += '=';
    for (std::size_t k = 0; k < p.values.size(); ++k) {
      if (k) out += ',';
      appendParamValue(out, p.values[k]);
    }
  }
  out += ':';
  for (char c : cl.value)
    if (!isControl(c)) out += c;
}

}  // namespace

LexResult lex(std::string_view text) {
  LexResult r;
  Lexer lexer(r);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  r.finalNewline = text.empty() || text.back() == '\n';
  if (!r.finalNewline)
    r.diagnostics.push_back({Diagnostic::Severity::Warning, 0,
                             "the last line has no line break (RFC 5545 3.1: every content line "
                             "ends with CRLF)"});

  // Pass 1: physical lines -> unfolded content lines.
  struct Pending {
    int line = 0;
    std::string_view slice;  // when not folded
    std::string folded;      // when folded
    bool isFolded = false;
    bool control = false;
  };
  Pending cur;
  bool haveCur = false;
  bool blankWarned = false;
  bool utf8Warned = false;
  auto emit = [&]() {
    if (!haveCur) return;
    ContentLine cl;
    cl.line = cur.line;
    if (cur.isFolded) {
      r.storage.push_back(std::move(cur.folded));
      cl.text = r.storage.back();
    } else {
      cl.text = cur.slice;
    }
    lexer.parseLine(cl);
    if (cur.control) cl.repaired = true;
    r.lines.push_back(std::move(cl));
    haveCur = false;
  };

  std::size_t pos = 0;
  int lineNo = 0;
  while (pos < text.size()) {
    ++lineNo;
    std::size_t eol = text.find('\n', pos);
    const std::size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    if (eol == std::string_view::npos) eol = text.size();
    std::size_t end = eol;
    if (end > pos && text[end - 1] == '\r') --end;
    const std::string_view phys = text.substr(pos, end - pos);
    pos = next;

    // Control characters (a lone CR among them) and UTF-8 validity.
    bool control = false;
    for (std::size_t i = 0; i < phys.size();) {
      const char c = phys[i];
      if (isControl(c)) {
        if (!control)
          lexer.error(lineNo,
                      std::string(c == '\r' ? "lone carriage return" : "control character") + " " +
                          hexByte(static_cast<unsigned char>(c)) +
                          " in the line (RFC 5545 3.1 allows none but HTAB; lines end "
                          "with CRLF); remove it");
        control = true;
        ++i;
        continue;
      }
      const std::size_t n = utf8Length(phys, i);
      if (n == 0) {
        if (!utf8Warned)
          lexer.error(lineNo, "invalid UTF-8 byte " + hexByte(static_cast<unsigned char>(c)) +
                                  " (RFC 5545 3.1.4: iCalendar text is UTF-8); re-encode the "
                                  "file as UTF-8");
        utf8Warned = true;
        ++i;
        continue;
      }
      i += n;
    }

    if (phys.empty()) {
      if (!blankWarned)
        lexer.warning(lineNo, "blank line ignored (RFC 5545 3.1 has no empty content lines)");
      blankWarned = true;
      emit();
      continue;
    }
    if ((phys[0] == ' ' || phys[0] == '\t') && haveCur) {
      // Continuation of a folded line: drop the one whitespace character.
      if (!cur.isFolded) {
        cur.folded.assign(cur.slice);
        cur.isFolded = true;
      }
      cur.folded.append(phys.substr(1));
      cur.control = cur.control || control;
      continue;
    }
    emit();
    cur = Pending{};
    cur.line = lineNo;
    cur.slice = phys;
    cur.control = control;
    haveCur = true;
    if (phys[0] == ' ' || phys[0] == '\t') {
      lexer.warning(lineNo, "continuation line (starting with a space) with no line before it");
      cur.slice = phys.substr(1);
    }
  }
  emit();
  r.physicalLines = lineNo;

  for (auto& cl : r.lines)
    if (cl.repaired && !cl.bad) regenerate(cl);

  // Pass 2: the component tree. Mirrors libical's parser (an END closes the
  // innermost open component whatever its name) so the two trees line up.
  std::vector<RawComponent*> stack;
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    ContentLine& cl = r.lines[i];
    if (cl.bad) continue;
    if (cl.name == "BEGIN") {
      RawComponent c;
      std::string value = toUpper(cl.value);
      std::string clean;
      for (char ch : value)
        if (!isControl(ch)) clean += ch;
      c.name = clean;
      c.line = cl.line;
      c.beginIndex = i;
      bool valid = !clean.empty();
      for (char ch : clean) valid = valid && isNameChar(ch);
      if (!valid)
        lexer.error(cl.line, "BEGIN has an invalid component name \"" + Lexer::shorten(cl.value) +
                                 "\" (RFC 5545 3.4, 3.6: e.g. BEGIN:VEVENT)");
      if (stack.empty()) {
        r.roots.push_back(std::move(c));
        stack.push_back(&r.roots.back());
      } else {
        stack.back()->children.push_back(std::move(c));
        stack.push_back(&stack.back()->children.back());
      }
      continue;
    }
    if (cl.name == "END") {
      if (stack.empty()) {
        lexer.error(cl.line, "END:" + Lexer::shorten(cl.value) +
                                 " without a matching BEGIN; remove it or add the BEGIN line");
        continue;
      }
      RawComponent* top = stack.back();
      if (!iequals(cl.value, top->name))
        lexer.error(cl.line, "END:" + Lexer::shorten(cl.value) + " does not close BEGIN:" +
                                 top->name + " (line " + std::to_string(top->line) +
                                 "); components must be closed in order (RFC 5545 3.4)");
      top->endLine = cl.line;
      top->endIndex = i;
      stack.pop_back();
      continue;
    }
    if (stack.empty()) {
      lexer.error(cl.line, "property " + cl.name +
                               " outside any component; move it inside BEGIN:VCALENDAR ... "
                               "END:VCALENDAR (RFC 5545 3.4)");
      continue;
    }
    stack.back()->properties.push_back(i);
  }
  r.unclosedDepth = stack.size();
  for (auto it = stack.rbegin(); it != stack.rend(); ++it)
    r.diagnostics.push_back({Diagnostic::Severity::Error, 0,
                             "BEGIN:" + (*it)->name + " at line " + std::to_string((*it)->line) +
                                 " is never closed; add END:" + (*it)->name +
                                 " (RFC 5545 3.4, 3.6)"});
  return r;
}

}  // namespace creneau::ical::detail
