#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "bridge/server/HttpError.h"
#include "bridge/server/Request.h"
#include "engine/accounts/Account.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

struct BasicAuthOptions {
  std::string realm = "Créneau";
  // How long verified credentials are trusted without running PBKDF2 again.
  // A cached entry is still checked against the user's stored hash on every
  // request, so `creneau user passwd` or `user remove` take effect at once.
  std::chrono::milliseconds cacheTtl{std::chrono::minutes(5)};
  std::size_t cacheEntries = 4096;
  // Replace hashes made with fewer iterations than new ones get, at login.
  bool upgradeHashes = true;
  std::function<std::chrono::steady_clock::time_point()> clock;  // default: steady_clock
  // Guessing: after this many failed logins from one client address within
  // failureWindow, every login from it answers 429 (with Retry-After) until
  // the window has passed, without running PBKDF2. 0 turns it off.
  std::size_t maxFailures = 10;
  std::chrono::seconds failureWindow{std::chrono::minutes(5)};
};

// HTTP Basic authentication (RFC 7617) against the store's users.
//
//   const engine::Principal who = auth.authenticate(req);  // or throws 401
//
// Failed attempts cost what a success costs: an unknown login is checked
// against a dummy hash with the same parameters, and hashes are compared in
// constant time. Credentials are never logged. Thread-safe.
class BasicAuth {
 public:
  explicit BasicAuth(engine::Store& store, BasicAuthOptions options = {});

  // The principal for the request's Authorization header; throws
  // challenge() when it is missing, malformed or wrong, and 429 while the
  // client's address has too many recent failures.
  [[nodiscard]] engine::Principal authenticate(const Request& req);
  // The same from the header's value (nullopt: no header).
  [[nodiscard]] engine::Principal authenticate(const std::optional<std::string>& authorization);
  // nullopt instead of throwing.
  [[nodiscard]] std::optional<engine::Principal> check(
      const std::optional<std::string>& authorization);

  // 401 with WWW-Authenticate: Basic realm="...", charset="UTF-8".
  [[nodiscard]] HttpError challenge(const std::string& message = "authentication required") const;

  // Forget every verified credential.
  void clearCache();

  struct Stats {
    std::uint64_t verified = 0;  // PBKDF2 runs that succeeded
    std::uint64_t failed = 0;
    std::uint64_t cacheHits = 0;
    std::uint64_t throttled = 0;  // logins refused with 429
  };
  [[nodiscard]] Stats stats() const;

 private:
  struct Cached {
    std::string login;
    engine::PasswordHash stored;  // the hash it was verified against
    std::chrono::steady_clock::time_point expires;
  };
  [[nodiscard]] std::chrono::steady_clock::time_point now() const;
  [[nodiscard]] std::optional<engine::Principal> verify(const std::string& authorization);

  engine::Store& store_;
  BasicAuthOptions options_;
  engine::PasswordHash dummy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Cached> cache_;  // by SHA-256 of the header value
  struct Failures {
    std::size_t count = 0;
    std::chrono::steady_clock::time_point since;
  };
  std::unordered_map<std::string, Failures> failures_;  // by client host
  Stats stats_;
};

// The user name and password of a Basic Authorization header value, or
// nullopt when it is not "Basic <base64 of user:password>".
struct BasicCredentials {
  std::string user;
  std::string password;
};
[[nodiscard]] std::optional<BasicCredentials> parseBasicAuthorization(const std::string& value);

}  // namespace creneau::bridge
