#include "engine/import/JsonPositions.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <vector>

namespace creneau::engine::json {

namespace {

bool isIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A key as Poco reads it: keys with escapes are decoded by Poco itself.
std::string decodeKey(std::string_view quoted) {
  if (quoted.find('\\') == std::string_view::npos)
    return std::string(quoted.substr(1, quoted.size() - 2));
  Poco::JSON::Parser parser;
  const auto v = parser.parse("[" + std::string(quoted) + "]");
  return v.extract<Poco::JSON::Array::Ptr>()->getElement<std::string>(0);
}

// Offset just past the string literal starting at `i` (a quote).
std::size_t skipString(std::string_view text, std::size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '"')
      return i + 1;
  }
  return text.size();
}

}  // namespace

std::string memberPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (isIdentifier(key)) {
    if (!out.empty()) out += '.';
    out += key;
    return out;
  }
  out += "[\"";
  for (const char c : key) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"]";
  return out;
}

std::string elementPath(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

TextPosition positionOf(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  TextPosition p{1, 1};
  std::size_t lineStart = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++p.line;
      lineStart = i + 1;
    }
  for (std::size_t i = lineStart; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++p.column;
  return p;
}

std::unordered_map<std::string, TextPosition> locatePaths(
    std::string_view text, const std::unordered_set<std::string>& wanted) {
  std::unordered_map<std::string, TextPosition> found;
  if (wanted.empty()) return found;

  struct Frame {
    bool isArray;
    std::size_t index;
    std::string path;
  };
  std::vector<Frame> stack;
  std::string memberValuePath;  // path of the value after the last key read
  int line = 1;
  std::size_t lineStart = 0;

  auto record = [&](const std::string& path, std::size_t at) {
    if (!wanted.count(path) || found.count(path)) return;
    int column = 1;
    for (std::size_t i = lineStart; i < at; ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
    found.emplace(path, TextPosition{line, column});
  };
  // The path of a value starting at `at`, recorded when it is an element.
  auto valueStart = [&](std::size_t at) -> std::string {
    if (stack.empty()) {
      record("", at);
      return "";
    }
    if (stack.back().isArray) {
      auto path = elementPath(stack.back().path, stack.back().index);
      record(path, at);
      return path;
    }
    return memberValuePath;
  };

  bool expectKey = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      lineStart = ++i;
      continue;
    }
    if (isSpace(c) || c == ':') {
      ++i;
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        stack.push_back(Frame{c == '[', 0, valueStart(i)});
        expectKey = c == '{';
        ++i;
        break;
      case '}':
      case ']':
        if (!stack.empty()) stack.pop_back();
        expectKey = false;
        ++i;
        break;
      case ',':
        if (!stack.empty() && stack.back().isArray)
          ++stack.back().index;
        else
          expectKey = true;
        ++i;
        break;
      case '"': {
        const std::size_t end = skipString(text, i);
        if (expectKey && !stack.empty() && !stack.back().isArray) {
          memberValuePath = memberPath(stack.back().path, decodeKey(text.substr(i, end - i)));
          record(memberValuePath, i);
          expectKey = false;
        } else {
          valueStart(i);
        }
        i = end;  // strings hold no raw newlines in valid JSON
        break;
      }
      default:  // number, true, false, null
        valueStart(i);
        while (i < text.size() && !isSpace(text[i]) && text[i] != ',' && text[i] != ']' &&
               text[i] != '}')
          ++i;
        break;
    }
  }
  return found;
}

std::size_t firstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned int cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace creneau::engine::json
