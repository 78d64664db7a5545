#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/model/Domain.h"

namespace creneau::engine {

class Store;
class Renderer;

// What `creneau export` writes. External ids select; the window keeps records
// overlapping [from, to).
struct ExportOptions {
  std::optional<std::string> employeeExt;
  std::optional<std::string> serviceExt;  // group events have no service: excluded when set
  std::optional<std::string> locationExt;
  std::optional<UnixTime> from;
  std::optional<UnixTime> to;
  bool includePending = false;
  bool includeCanceled = false;  // canceled and rejected, as STATUS:CANCELLED
  bool includeEvents = true;
};

struct ExportStats {
  std::size_t appointments = 0;
  std::size_t eventPeriods = 0;
  bool operator==(const ExportStats&) const = default;
};

// A filter that names a record the store does not have.
class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Called now and then with (records written, records expected).
using ExportProgress = std::function<void(std::size_t done, std::size_t total)>;

// Streams one VCALENDAR to `out`: every matching appointment and group event
// period rendered by `renderer`, with a VTIMEZONE for each zone used. Memory
// stays flat whatever the number of records.
ExportStats exportIcs(const Store& store, const Renderer& renderer, const ExportOptions& options,
                      std::ostream& out, const ExportProgress& progress = {});

}  // namespace creneau::engine
