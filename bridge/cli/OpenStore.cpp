#include "bridge/cli/OpenStore.h"

#include <filesystem>

#include "bridge/cli/Args.h"
#include "engine/store/SqliteStore.h"

namespace creneau::bridge {

std::unique_ptr<engine::Store> openStore(const std::string& path, OpenMode mode) {
  if (mode == OpenMode::MustExist && !std::filesystem::exists(path))
    throw UsageError("no database at " + path +
                     ": load one with 'creneau import FILE.json' or pass --db / CRENEAU_DB");
  return std::make_unique<engine::SqliteStore>(path);
}

}  // namespace creneau::bridge
