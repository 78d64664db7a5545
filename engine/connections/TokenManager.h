#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "engine/connections/Connection.h"
#include "engine/connections/ConnectionStore.h"
#include "engine/connections/OAuthFlow.h"

namespace creneau::engine::connections {

// The provider's client, or why there is none (OAuthErrorKind::Misconfigured
// with a message naming the settings to set).
using ClientLookup = std::function<OAuthResult<OAuthClient>(Provider)>;

// TokenSource over the connections table: the cached access token (sealed in
// the store, so a restart reuses it) while it has more than kMinLifetime
// left, else the refresh grant. Concurrent callers for one connection wait
// for one refresh and share its token.
//
// A refused grant (invalid_grant, unauthorized_client, revoked) marks the
// connection unhealthy with a reason saying how to reconnect, and answers
// NeedsReconnect; network trouble and 5xx answer Transient and leave the
// connection healthy; a successful refresh makes it healthy again (an
// unhealthy connection is tried again every kRetryUnhealthyAfter).
class TokenManager : public TokenSource {
 public:
  static constexpr UnixTime kMinLifetime = 60;
  // An unhealthy connection answers NeedsReconnect at once, and tries the
  // refresh again at most this often (and once after a restart).
  static constexpr UnixTime kRetryUnhealthyAfter = 15 * 60;

  // All three must outlive this object. `clients` is asked at each refresh,
  // so changed settings take effect without a restart.
  TokenManager(ConnectionStore& store, const OAuthFlow& flow, ClientLookup clients);

  [[nodiscard]] TokenResult accessToken(Id connectionId, bool forceRefresh = false) override;

  // Why a refused grant needs a reconnect, for Connection::healthReason.
  // connectedAt/now: a Google token dying about 7 days after it was granted
  // is the testing-mode expiry, which the reason then names.
  // employeeRef: the id the start URL takes (the booking system's id);
  // empty: the row id.
  [[nodiscard]] static std::string refusedReason(const Connection& c, const std::string& what,
                                                 UnixTime now, const std::string& employeeRef = {});

  // How reasons name an employee in the reconnect URL (row id -> the
  // booking system's id). Set before use; default: the row id.
  void setEmployeeRef(std::function<std::string(Id)> ref) { employeeRef_ = std::move(ref); }

 private:
  struct Slot {
    std::mutex mutex;
    std::uint64_t generation = 0;  // successful refreshes; guarded by mutex
    UnixTime lastRefused = 0;      // when the provider last refused the grant
  };
  [[nodiscard]] std::shared_ptr<Slot> slotFor(Id id);
  [[nodiscard]] TokenResult obtain(Id connectionId, bool forceRefresh);

  ConnectionStore& store_;
  const OAuthFlow& flow_;
  ClientLookup clients_;
  std::function<std::string(Id)> employeeRef_;
  std::mutex slotsMutex_;
  std::map<Id, std::shared_ptr<Slot>> slots_;
};

}  // namespace creneau::engine::connections
