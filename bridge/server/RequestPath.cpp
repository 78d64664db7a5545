#include "bridge/server/RequestPath.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "bridge/server/HttpError.h"

namespace creneau::bridge {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isControl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

[[noreturn]] void badPath(const std::string& why) {
  throw HttpError(400, "bad request path: " + why);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::string> percentDecode(std::string_view in, bool plusAsSpace) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusAsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

RequestTarget parseRequestTarget(std::string_view uri) {
  RequestTarget t;
  if (uri == "*") {
    t.path = t.rawPath = "*";
    return t;
  }
  std::string_view rest = uri;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  if (!rest.empty() && rest.front() != '/') {
    // Absolute form: scheme://authority/path
    const auto scheme = rest.find("://");
    if (scheme == std::string_view::npos) badPath("the target must start with '/'");
    const auto slash = rest.find_first_of("/?", scheme + 3);
    rest = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    if (rest.front() == '?') badPath("the target must start with '/'");
  }
  if (rest.empty()) badPath("empty target");
  std::string_view rawPath = rest;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    rawPath = rest.substr(0, q);
    t.rawQuery = std::string(rest.substr(q + 1));
  }
  t.rawPath = std::string(rawPath);

  for (unsigned char c : rawPath)
    if (isControl(c)) badPath("control character");
  auto decoded = percentDecode(rawPath, false);
  if (!decoded) badPath("malformed %-escape");
  // An encoded separator would survive decoding as a real one: refuse it
  // instead of guessing what the client meant.
  for (std::size_t i = 0; i + 2 < rawPath.size(); ++i) {
    if (rawPath[i] != '%') continue;
    const int v = hexValue(rawPath[i + 1]) * 16 + hexValue(rawPath[i + 2]);
    if (v == '/' || v == '\\') badPath("encoded '/' or '\\'");
  }
  for (unsigned char c : *decoded)
    if (isControl(c)) badPath("control character");

  // Segments: no "." or "..", raw or decoded.
  std::string_view p = *decoded;
  std::size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    const auto seg = p.substr(start, end - start);
    if (seg == "." || seg == "..") badPath("'.' or '..' segment");
    start = end + 1;
  }
  t.path = std::move(*decoded);
  return t;
}

std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t start = 0;
  while (start < raw.size()) {
    auto end = raw.find('&', start);
    if (end == std::string_view::npos) end = raw.size();
    const auto pair = raw.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const auto rawName = pair.substr(0, eq);
    const auto rawValue = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto name = percentDecode(rawName, true);
    auto value = percentDecode(rawValue, true);
    out.emplace_back(name ? *name : std::string(rawName), value ? *value : std::string(rawValue));
  }
  return out;
}

bool isSensitiveName(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kNames = {
      "token",         "code",          "state",    "password", "passwd",  "secret",
      "access_token",  "refresh_token", "id_token", "key",      "api_key", "apikey",
      "client_secret", "signature",     "sig",      "auth"};
  for (auto n : kNames)
    if (equalsIgnoreCase(name, n)) return true;
  return false;
}

std::string redactQuery(std::string_view rawQuery) {
  std::string out;
  std::size_t start = 0;
  while (start < rawQuery.size()) {
    auto end = rawQuery.find('&', start);
    if (end == std::string_view::npos) end = rawQuery.size();
    const auto pair = rawQuery.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const auto rawName = pair.substr(0, eq);
    const auto name = percentDecode(rawName, true);
    if (!out.empty()) out += '&';
    if (!name || isSensitiveName(*name)) {
      out += rawName;
      out += "=***";
    } else {
      out += pair;
    }
  }
  return out;
}

std::string sanitizeForLog(std::string_view in, std::size_t maxLength) {
  std::string out;
  const bool cut = in.size() > maxLength;
  out.reserve(std::min(in.size(), maxLength) + 3);
  for (std::size_t i = 0; i < in.size() && i < maxLength; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    out.push_back(isControl(c) || c == '"' ? '?' : static_cast<char>(c));
  }
  if (cut) out += "...";
  return out;
}

}  // namespace creneau::bridge
