#pragma once

#include <filesystem>

#include "engine/secrets/SecretBox.h"

namespace creneau::engine::secrets {

// The key that seals a database's secrets (OAuth client secrets, refresh
// tokens, busy-source passwords) lives beside it: "<db path>.key"
// (creneau.db -> creneau.db.key, mode 0600, created on first use).
// CRENEAU_SECRET_KEY, when set, is used instead of any file.
[[nodiscard]] std::filesystem::path keyFileFor(const std::filesystem::path& dbPath);

// The SecretBox for the database at dbPath: the key from CRENEAU_SECRET_KEY
// or the key file above (created when missing; refused when group or others
// may read it).
[[nodiscard]] SecretResult<SecretBox> secretBoxFor(const std::filesystem::path& dbPath);

}  // namespace creneau::engine::secrets
