#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace creneau::engine::json {

// Where a JSON value sits in the text. Poco's parser gives values but no
// positions, so this small index finds them afterwards: it reads only the
// structure (brackets, keys, commas) of a text Poco already accepted, and
// never interprets a value.

struct TextPosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters (UTF-8 code points)
  bool operator==(const TextPosition&) const = default;
};

// Paths name values the way error messages do: "appointments[3].start",
// a key that is not a plain identifier as employees[0]["first name"].
[[nodiscard]] std::string memberPath(std::string_view parent, std::string_view key);
[[nodiscard]] std::string elementPath(std::string_view parent, std::size_t index);

// Line and column of a byte offset (offsets past the end give the end).
[[nodiscard]] TextPosition positionOf(std::string_view text, std::size_t offset);

// The position of each wanted path found in `text` (valid JSON): for an object
// member, where its key starts; for an array element, where the element starts;
// "" is the whole document. Paths not in the text are left out.
[[nodiscard]] std::unordered_map<std::string, TextPosition> locatePaths(
    std::string_view text, const std::unordered_set<std::string>& wanted);

// The first byte that is not valid UTF-8 (overlong forms, surrogates and
// values above U+10FFFF included), or npos when the text is valid.
[[nodiscard]] std::size_t firstInvalidUtf8(std::string_view text);

}  // namespace creneau::engine::json
