#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/connections/Connection.h"
#include "engine/connections/ProviderEndpoints.h"
#include "engine/secrets/SecretBox.h"

namespace creneau::engine::net {
class HttpClient;
}

namespace creneau::engine::connections {

// One provider's registered OAuth client, as the settings give it
// (ProviderClients.h loads them). tenant: Microsoft only ("common",
// "organizations", a tenant id or domain).
struct OAuthClient {
  std::string clientId;
  std::string clientSecret;
  std::string redirectUri;
  std::string tenant = "common";
};

enum class OAuthErrorKind {
  BadState,       // the callback's state is missing, altered, expired or for the other provider
  Denied,         // the user or the provider refused at the consent page (error=access_denied)
  Rejected,       // the grant is dead: invalid_grant, unauthorized_client, revoked. Reconnect.
  Misconfigured,  // invalid_client, redirect URI mismatch, TLS: the admin must fix settings
  Transient,      // network, timeout, 5xx, 429: try again later
  Protocol,       // the provider answered something unreadable
};

struct OAuthError {
  OAuthErrorKind kind = OAuthErrorKind::Protocol;
  std::string code;     // the provider's "error" ("invalid_grant"), or empty
  std::string message;  // what happened and what to do; never a token, code or verifier
};

template <typename T>
class OAuthResult {
 public:
  OAuthResult(T value) : v_(std::move(value)) {}           // NOLINT: implicit on purpose
  OAuthResult(OAuthError error) : v_(std::move(error)) {}  // NOLINT
  explicit operator bool() const { return std::holds_alternative<T>(v_); }
  [[nodiscard]] const T& value() const& { return std::get<T>(v_); }
  [[nodiscard]] T&& value() && { return std::get<T>(std::move(v_)); }
  [[nodiscard]] const T* operator->() const { return &std::get<T>(v_); }
  [[nodiscard]] const OAuthError& error() const { return std::get<OAuthError>(v_); }

 private:
  std::variant<T, OAuthError> v_;
};

// What the sealed `state` carries from start to callback, so the server
// keeps no table of pending sign-ins.
struct PendingConnect {
  Provider provider = Provider::Google;
  std::optional<Id> employeeId;  // nullopt: the admin-wide calendar
  std::string verifier;          // PKCE code_verifier (RFC 7636 4.1)
  UnixTime expiresAt = 0;
};

struct AuthorizeStart {
  std::string url;    // where to send the browser
  std::string state;  // the state parameter in it
};

// A token endpoint's answer (RFC 6749 5.1).
struct TokenGrant {
  std::string accessToken;
  UnixTime expiresAt = 0;
  std::string refreshToken;  // empty when none was sent (Google refresh grants)
  std::string scope;
  std::string idToken;
};

struct RevokeOutcome {
  bool revoked = false;  // the provider confirmed the grant is revoked
  std::string message;   // what happened, for the admin
};

// The OAuth 2 authorization-code flow with PKCE (RFC 6749 4.1, RFC 7636) for
// Google and the Microsoft identity platform v2, the refresh grant (RFC 6749
// 6) and revocation (RFC 7009, Google only). Stateless and thread-safe.
class OAuthFlow {
 public:
  static constexpr UnixTime kStateLifetime = 600;  // the sign-in must finish within 10 minutes

  // `http` must outlive this object; `box` seals the state; `clock` gives now.
  OAuthFlow(ProviderEndpoints endpoints, net::HttpClient& http, secrets::SecretBox box,
            std::function<UnixTime()> clock = {});

  // The consent page URL: offline access, consent prompt, PKCE S256, a
  // sealed state expiring in kStateLifetime. loginHint: an e-mail address
  // to preselect (may be empty).
  [[nodiscard]] AuthorizeStart start(Provider provider, const OAuthClient& client,
                                     std::optional<Id> employeeId,
                                     const std::string& loginHint = {}) const;

  // The state back from the callback, checked: sealed by us, not expired,
  // for `expected`.
  [[nodiscard]] OAuthResult<PendingConnect> openState(Provider expected,
                                                      const std::string& state) const;

  [[nodiscard]] OAuthResult<TokenGrant> exchangeCode(Provider provider, const OAuthClient& client,
                                                     const std::string& code,
                                                     const std::string& verifier) const;

  // The account's e-mail: Google from the id_token (else userinfo),
  // Microsoft from Graph /v1.0/me (mail, else userPrincipalName).
  [[nodiscard]] OAuthResult<std::string> accountOf(Provider provider,
                                                   const TokenGrant& grant) const;

  [[nodiscard]] OAuthResult<TokenGrant> refresh(Provider provider, const OAuthClient& client,
                                                const std::string& refreshToken) const;

  // Google: POST to the revoke endpoint. Microsoft has no endpoint that
  // revokes one refresh token: nothing is sent, and the message says where
  // the user removes the app's access.
  [[nodiscard]] RevokeOutcome revoke(Provider provider, const std::string& refreshToken) const;

  // The scopes asked for.
  [[nodiscard]] static std::string scopesOf(Provider provider);
  // base64url(SHA-256(verifier)) without padding (RFC 7636 4.2).
  [[nodiscard]] static std::string challengeOf(const std::string& verifier);
  // 32 random bytes, base64url without padding: 43 characters.
  [[nodiscard]] static std::string newVerifier();

  [[nodiscard]] const ProviderEndpoints& endpoints() const { return endpoints_; }
  // The clock of states and token expiry.
  [[nodiscard]] UnixTime now() const;

 private:
  [[nodiscard]] std::string tokenUrl(Provider provider, const OAuthClient& client) const;
  [[nodiscard]] OAuthResult<TokenGrant> tokenRequest(
      Provider provider, const OAuthClient& client,
      const std::vector<std::pair<std::string, std::string>>& fields) const;

  ProviderEndpoints endpoints_;
  net::HttpClient& http_;
  secrets::SecretBox box_;
  std::function<UnixTime()> clock_;
};

}  // namespace creneau::engine::connections
