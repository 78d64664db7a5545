#pragma once

#include <string>
#include <string_view>

namespace creneau::engine {

// Escapes &, <, > and " for XML or HTML text and double-quoted attribute
// values: the one escaper of CalDAV answers, error pages, OAuth pages and
// the HTML bodies sent to Microsoft Graph.
[[nodiscard]] std::string xmlEscape(std::string_view text);

}  // namespace creneau::engine
