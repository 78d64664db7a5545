#pragma once

#include <memory>
#include <string>

#include "engine/store/Store.h"

namespace creneau::bridge {

enum class OpenMode {
  CreateIfMissing,  // import: a new database is fine
  MustExist,        // export, settings: a missing file is a mistake worth naming
};

// The one place the CLI picks the concrete store (SQLite today).
[[nodiscard]] std::unique_ptr<engine::Store> openStore(const std::string& path,
                                                       OpenMode mode = OpenMode::MustExist);

}  // namespace creneau::bridge
