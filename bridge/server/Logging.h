#pragma once

#include <string>

namespace creneau::bridge {

// Sends every Poco logger (creneau.*, the access log included) to stderr,
// one line per message: "2024-05-01 12:00:00.123 [information] creneau.bridge.access: ...".
// `level` is a Poco level name (see ServerConfig.h: log.level).
void configureLogging(const std::string& level);

}  // namespace creneau::bridge
