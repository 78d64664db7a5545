#include "engine/connections/TokenManager.h"

#include <utility>

namespace creneau::engine::connections {

namespace {

constexpr UnixTime kDay = 86400;

std::string startPath(const Connection& c, const std::string& employeeRef) {
  std::string p = "/oauth/" + std::string(providerName(c.provider)) + "/start?";
  if (!c.employeeId) return p + "admin=1";
  return p + "employee=" + (employeeRef.empty() ? std::to_string(*c.employeeId) : employeeRef);
}

TokenResult failure(TokenFailure f, std::string message) {
  TokenResult r;
  r.failure = f;
  r.message = std::move(message);
  return r;
}

}  // namespace

TokenManager::TokenManager(ConnectionStore& store, const OAuthFlow& flow, ClientLookup clients)
    : store_(store), flow_(flow), clients_(std::move(clients)) {}

std::shared_ptr<TokenManager::Slot> TokenManager::slotFor(Id id) {
  const std::lock_guard lock(slotsMutex_);
  auto& slot = slots_[id];
  if (!slot) slot = std::make_shared<Slot>();
  return slot;
}

std::string TokenManager::refusedReason(const Connection& c, const std::string& what, UnixTime now,
                                        const std::string& employeeRef) {
  std::string reason =
      what + ": the grant was revoked or expired; reconnect at " + startPath(c, employeeRef);
  // Google expires the refresh tokens of apps whose consent screen is in
  // "Testing" 7 days after consent (Google Identity, "Refresh token
  // expiration"). It fits when the grant is about 7 days old or more and was
  // never seen alive past day 7 (the token may sit unused for a while).
  constexpr UnixTime kTestingLife = 7 * kDay;
  const UnixTime age = now - c.connectedAt;
  const bool aliveAfterDay7 = c.lastRefreshAt > c.connectedAt + kTestingLife;
  if (c.provider == Provider::Google && c.connectedAt > 0 && age >= kTestingLife - kDay / 2 &&
      !aliveAfterDay7)
    reason +=
        ". Google expires refresh tokens of apps in testing mode after 7 days: publish the OAuth "
        "app (Google Cloud Console, OAuth consent screen, Publish app) and reconnect";
  return reason;
}

TokenResult TokenManager::accessToken(Id connectionId, bool forceRefresh) {
  try {
    return obtain(connectionId, forceRefresh);
  } catch (const ConnectionStoreError& e) {
    return failure(TokenFailure::Transient, e.what());
  }
}

TokenResult TokenManager::obtain(Id connectionId, bool forceRefresh) {
  auto slot = slotFor(connectionId);
  // Read before waiting: if another caller refreshes while we wait, a forced
  // refresh is already done (its token is newer than the one that got 401).
  std::uint64_t seen = 0;
  {
    const std::lock_guard peek(slot->mutex);
    seen = slot->generation;
  }
  const std::lock_guard lock(slot->mutex);
  const bool refreshedMeanwhile = slot->generation != seen;

  const auto conn = store_.byId(connectionId);
  if (!conn)
    return failure(TokenFailure::NotConnected,
                   "connection " + std::to_string(connectionId) + " does not exist");
  const UnixTime now = flow_.now();
  // An unhealthy connection is asked about again only now and then: a dead
  // grant stays dead, but a refusal that was not final (a provider hiccup,
  // an admin who re-enabled the app) heals without a reconnect.
  if (!conn->healthy && slot->lastRefused != 0 && now - slot->lastRefused < kRetryUnhealthyAfter)
    return failure(TokenFailure::NeedsReconnect, conn->healthReason);

  const TokensResult stored = store_.tokens(connectionId);
  if (!stored) return failure(TokenFailure::NeedsReconnect, stored.problem);
  const StoredTokens& t = *stored.tokens;
  const bool cachedUsable = !t.accessToken.empty() && t.accessExpiresAt - now > kMinLifetime;
  if (cachedUsable && (!forceRefresh || refreshedMeanwhile))
    return TokenResult{AccessToken{t.accessToken, t.accessExpiresAt}, TokenFailure::Transient, {}};

  const auto client = clients_(conn->provider);
  if (!client) return failure(TokenFailure::NotConfigured, client.error().message);

  const auto grant = flow_.refresh(conn->provider, client.value(), t.refreshToken);
  if (!grant) {
    const OAuthError& e = grant.error();
    switch (e.kind) {
      case OAuthErrorKind::Rejected: {
        // Another process (a `creneau sync run` beside `creneau serve`) may
        // have refreshed meanwhile: Microsoft rotates refresh tokens, so the
        // one we sent is dead while the grant is fine. Use what it stored.
        if (const TokensResult again = store_.tokens(connectionId);
            again && again.tokens->refreshToken != t.refreshToken) {
          const StoredTokens& n = *again.tokens;
          if (!n.accessToken.empty() && n.accessExpiresAt - now > kMinLifetime) {
            ++slot->generation;
            return TokenResult{
                AccessToken{n.accessToken, n.accessExpiresAt}, TokenFailure::Transient, {}};
          }
        }
        std::string ref;
        if (conn->employeeId && employeeRef_) ref = employeeRef_(*conn->employeeId);
        const std::string reason = refusedReason(*conn, e.message, now, ref);
        store_.markUnhealthy(connectionId, reason);
        slot->lastRefused = now;
        return failure(TokenFailure::NeedsReconnect, reason);
      }
      case OAuthErrorKind::Misconfigured:
        return failure(TokenFailure::NotConfigured, e.message);
      default:
        return failure(TokenFailure::Transient, e.message);
    }
  }
  const TokenGrant& g = grant.value();
  store_.storeRefreshed(
      connectionId, g.accessToken, g.expiresAt,
      g.refreshToken.empty() ? std::nullopt : std::optional<std::string>(g.refreshToken));
  ++slot->generation;
  return TokenResult{AccessToken{g.accessToken, g.expiresAt}, TokenFailure::Transient, {}};
}

}  // namespace creneau::engine::connections
