#include "bridge/auth/Password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace creneau::bridge {

namespace {

std::string randomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("cannot read random bytes (OpenSSL RAND_bytes)");
  return out;
}

// False when OpenSSL refuses (should never happen for sane parameters).
bool pbkdf2(std::string_view password, const std::string& salt, int iterations, std::size_t length,
            std::string& out) {
  out.assign(length, '\0');
  return PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                           reinterpret_cast<const unsigned char*>(salt.data()),
                           static_cast<int>(salt.size()), iterations, EVP_sha256(),
                           static_cast<int>(length),
                           reinterpret_cast<unsigned char*>(out.data())) == 1;
}

}  // namespace

engine::PasswordHash hashPassword(std::string_view password, int iterations) {
  engine::PasswordHash h;
  h.algorithm = kPasswordAlgorithm;
  h.iterations = std::max(iterations, kMinPasswordIterations);
  h.salt = randomBytes(kSaltBytes);
  if (!pbkdf2(password, h.salt, h.iterations, kHashBytes, h.hash))
    throw std::runtime_error("cannot hash the password (OpenSSL PKCS5_PBKDF2_HMAC)");
  return h;
}

bool verifyPassword(std::string_view password, const engine::PasswordHash& stored) {
  // A record we cannot use still costs one full computation, so a broken
  // row does not answer faster than a wrong password.
  const bool usable = stored.algorithm == kPasswordAlgorithm && stored.iterations > 0 &&
                      stored.iterations <= 100'000'000 && !stored.salt.empty() &&
                      stored.hash.size() >= 16 && stored.hash.size() <= 64;
  const int iterations = usable ? stored.iterations : kPasswordIterations;
  const std::string& salt = usable ? stored.salt : std::string(kSaltBytes, '\0');
  const std::size_t length = usable ? stored.hash.size() : kHashBytes;
  std::string computed;
  if (!pbkdf2(password, salt, iterations, length, computed)) return false;
  const bool same = computed.size() == stored.hash.size() &&
                    CRYPTO_memcmp(computed.data(), stored.hash.data(), computed.size()) == 0;
  return usable && same;
}

bool needsRehash(const engine::PasswordHash& stored) {
  return stored.algorithm != kPasswordAlgorithm || stored.iterations < kPasswordIterations ||
         stored.salt.size() < kSaltBytes || stored.hash.size() < kHashBytes;
}

engine::PasswordHash dummyPasswordHash() {
  engine::PasswordHash h;
  h.algorithm = kPasswordAlgorithm;
  h.iterations = kPasswordIterations;
  h.salt = randomBytes(kSaltBytes);
  h.hash = randomBytes(kHashBytes);  // no known password gives these bytes
  return h;
}

}  // namespace creneau::bridge
