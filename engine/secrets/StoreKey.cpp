#include "engine/secrets/StoreKey.h"

#include <utility>

namespace creneau::engine::secrets {

std::filesystem::path keyFileFor(const std::filesystem::path& dbPath) {
  std::filesystem::path key = dbPath;
  key += ".key";
  return key;
}

SecretResult<SecretBox> secretBoxFor(const std::filesystem::path& dbPath) {
  auto key = loadOrCreateKey(keySourceFromEnvironment(keyFileFor(dbPath)));
  if (!key) return key.error();
  return SecretBox::create(std::move(key).value());
}

}  // namespace creneau::engine::secrets
