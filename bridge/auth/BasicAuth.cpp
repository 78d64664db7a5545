#include "bridge/auth/BasicAuth.h"

#include <Poco/Base64Decoder.h>
#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/SHA2Engine.h>
#include <Poco/String.h>

#include <sstream>

#include "bridge/auth/Password.h"
#include "bridge/server/RequestPath.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

Poco::Logger& logger() {
  return Poco::Logger::get("creneau.bridge.auth");
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::string cacheKey(const std::string& authorization) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(authorization);
  const auto& d = sha.digest();
  return std::string(d.begin(), d.end());
}

}  // namespace

std::optional<BasicCredentials> parseBasicAuthorization(const std::string& value) {
  const std::string v = trim(value);
  const auto space = v.find(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string scheme = v.substr(0, space);
  if (Poco::icompare(scheme, "basic") != 0) return std::nullopt;
  const std::string encoded = trim(v.substr(space + 1));
  if (encoded.empty() || encoded.size() > 4096) return std::nullopt;
  std::string decoded;
  try {
    std::istringstream in(encoded);
    Poco::Base64Decoder dec(in);
    char buf[512];
    while (dec.read(buf, sizeof buf) || dec.gcount() > 0)
      decoded.append(buf, static_cast<std::size_t>(dec.gcount()));
    if (dec.bad()) return std::nullopt;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

BasicAuth::BasicAuth(engine::Store& store, BasicAuthOptions options)
    : store_(store), options_(std::move(options)), dummy_(dummyPasswordHash()) {}

std::chrono::steady_clock::time_point BasicAuth::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

HttpError BasicAuth::challenge(const std::string& message) const {
  return HttpError(401, message)
      .withHeader("WWW-Authenticate", "Basic realm=\"" + options_.realm + "\", charset=\"UTF-8\"");
}

engine::Principal BasicAuth::authenticate(const Request& req) {
  const auto authorization = req.header("Authorization");
  if (!authorization || options_.maxFailures == 0) return authenticate(authorization);
  // The host without the port: one client, whatever connection it uses.
  std::string host = req.remoteAddress();
  if (const auto colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
  {
    std::lock_guard lock(mutex_);
    if (auto it = failures_.find(host); it != failures_.end()) {
      const auto elapsed = now() - it->second.since;
      if (elapsed >= options_.failureWindow) {
        failures_.erase(it);
      } else if (it->second.count >= options_.maxFailures) {
        ++stats_.throttled;
        const auto wait =
            std::chrono::duration_cast<std::chrono::seconds>(options_.failureWindow - elapsed)
                .count() +
            1;
        throw HttpError(429, "too many failed logins from this address: try again in " +
                                 std::to_string(wait) + " s")
            .withHeader("Retry-After", std::to_string(wait));
      }
    }
  }
  if (auto p = check(authorization)) {
    std::lock_guard lock(mutex_);
    failures_.erase(host);
    return *p;
  }
  {
    std::lock_guard lock(mutex_);
    if (failures_.size() >= options_.cacheEntries) failures_.clear();  // bounded
    auto& f = failures_[host];
    if (f.count == 0) f.since = now();
    ++f.count;
  }
  throw challenge("wrong login or password");
}

engine::Principal BasicAuth::authenticate(const std::optional<std::string>& authorization) {
  if (!authorization) throw challenge();
  if (auto p = check(authorization)) return *p;
  throw challenge("wrong login or password");
}

std::optional<engine::Principal> BasicAuth::check(const std::optional<std::string>& authorization) {
  if (!authorization) return std::nullopt;
  return verify(*authorization);
}

std::optional<engine::Principal> BasicAuth::verify(const std::string& authorization) {
  const std::string key = cacheKey(authorization);
  {
    std::unique_lock lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      if (it->second.expires > now()) {
        const Cached cached = it->second;
        lock.unlock();
        // Still the same user with the same password?
        auto user = store_.userByLogin(cached.login);
        if (user && user->password == cached.stored) {
          lock.lock();
          ++stats_.cacheHits;
          return engine::principalOf(*user);
        }
        lock.lock();
      }
      cache_.erase(key);
    }
  }

  const auto credentials = parseBasicAuthorization(authorization);
  const auto login = credentials ? engine::normalizeLogin(credentials->user) : std::nullopt;
  std::optional<engine::User> user;
  if (login) user = store_.userByLogin(*login);
  // Always one full PBKDF2 run, so a missing login answers no faster.
  const std::string password = credentials ? credentials->password : std::string();
  const bool ok = verifyPassword(password, user ? user->password : dummy_) && user.has_value();
  if (!ok) {
    std::lock_guard lock(mutex_);
    ++stats_.failed;
    if (credentials)
      logger().notice("failed login for '%s'", sanitizeForLog(credentials->user, 64));
    return std::nullopt;
  }

  if (options_.upgradeHashes && needsRehash(user->password)) {
    try {
      auto upgraded = hashPassword(password);
      if (store_.setUserPassword(user->login, upgraded)) user->password = std::move(upgraded);
    } catch (const std::exception& e) {
      logger().warning("cannot upgrade the password hash of '%s': %s", user->login,
                       std::string(e.what()));
    }
  }

  std::lock_guard lock(mutex_);
  ++stats_.verified;
  if (cache_.size() >= options_.cacheEntries) {
    const auto t = now();
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.expires <= t; });
    if (cache_.size() >= options_.cacheEntries) cache_.clear();
  }
  if (options_.cacheEntries > 0 && options_.cacheTtl.count() > 0)
    cache_[key] = Cached{user->login, user->password, now() + options_.cacheTtl};
  return engine::principalOf(*user);
}

void BasicAuth::clearCache() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

BasicAuth::Stats BasicAuth::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace creneau::bridge
