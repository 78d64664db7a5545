#pragma once

#include <string>
#include <vector>

#include "bridge/cli/Commands.h"

namespace creneau::bridge {

// `creneau slots --service ID [--employee ID ...] --from DATE --to DATE
// [--tz ZONE] [--json] [--explain] [--db PATH]`: bookable slots, as a table
// by day (or the JSON document of GET /api/v1/slots). Bad options exit 2, an
// unknown service or employee exits 1. CRENEAU_NOW (or the hidden --now)
// fixes "now" for tests.
int slotsCommand(const std::vector<std::string>& args, CliStreams io);

[[nodiscard]] const char* slotsUsage();

}  // namespace creneau::bridge
