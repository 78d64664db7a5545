#pragma once

#include <string_view>

#include "engine/accounts/Account.h"

namespace creneau::bridge {

// PBKDF2-HMAC-SHA256 (RFC 8018) through OpenSSL, which Poco::Crypto links.
inline constexpr const char* kPasswordAlgorithm = "pbkdf2-sha256";
// Work factor of new hashes. Stored beside each hash: raising it later only
// affects new hashes (and old ones as their users log in, see needsRehash).
inline constexpr int kPasswordIterations = 210'000;
inline constexpr int kMinPasswordIterations = 100'000;
inline constexpr std::size_t kSaltBytes = 16;
inline constexpr std::size_t kHashBytes = 32;

// A fresh hash with a random salt (OpenSSL RAND_bytes). `iterations` below
// kMinPasswordIterations is raised to it.
[[nodiscard]] engine::PasswordHash hashPassword(std::string_view password,
                                                int iterations = kPasswordIterations);

// Recomputes the hash with the stored parameters and compares in constant
// time. False for an unknown algorithm or a malformed record (never throws
// for bad input).
[[nodiscard]] bool verifyPassword(std::string_view password, const engine::PasswordHash& stored);

// True when the hash was made with weaker parameters than new ones get.
[[nodiscard]] bool needsRehash(const engine::PasswordHash& stored);

// A record no password matches, with the current parameters: verifying
// against it costs what a real check costs (used for unknown logins, so a
// failed login takes as long whether the login exists or not).
[[nodiscard]] engine::PasswordHash dummyPasswordHash();

}  // namespace creneau::bridge
