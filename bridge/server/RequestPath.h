#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creneau::bridge {

// The request target, checked before any routing.
struct RequestTarget {
  std::string path;      // percent-decoded exactly once; "*" for "OPTIONS *"
  std::string rawPath;   // as sent, without the query
  std::string rawQuery;  // after '?', not decoded
  bool operator==(const RequestTarget&) const = default;
};

// Splits and decodes a request-target (origin form "/a/b?q", absolute form
// "http://host/a", or "*"). Throws HttpError(400) for anything a handler
// must never see: no leading '/', a malformed %-escape, an encoded '/' or
// '\' (%2F, %5C), NUL or another control character (raw or encoded), and
// "." or ".." segments (raw or encoded).
[[nodiscard]] RequestTarget parseRequestTarget(std::string_view uri);

// Decodes %XX escapes (and '+' as space when plusAsSpace); nullopt on a
// malformed escape.
[[nodiscard]] std::optional<std::string> percentDecode(std::string_view in, bool plusAsSpace);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; malformed pairs are kept raw.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view raw);

// True for parameter names whose values are secrets (token, code, state,
// password, ...), compared case-insensitively.
[[nodiscard]] bool isSensitiveName(std::string_view name);

// The query as it may appear in a log: values of sensitive names replaced
// by "***", everything else kept ("format=ics&token=***").
[[nodiscard]] std::string redactQuery(std::string_view rawQuery);

// Control characters replaced by '?', cut to maxLength (with "...").
[[nodiscard]] std::string sanitizeForLog(std::string_view in, std::size_t maxLength = 256);

}  // namespace creneau::bridge
