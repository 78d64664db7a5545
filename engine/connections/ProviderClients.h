#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engine/connections/Connection.h"
#include "engine/secrets/SecretBox.h"

namespace creneau::engine {
class Store;
}

namespace creneau::engine::connections {

// The OAuth clients the admin registered with Google and Microsoft (issue 4,
// item 2), kept as settings. The client secrets are stored sealed with the
// database's SecretBox (secrets/StoreKey.h) and never printed.
namespace providerKeys {
inline constexpr const char* kGoogleClientId = "google.client_id";
inline constexpr const char* kGoogleClientSecret = "google.client_secret";
inline constexpr const char* kGoogleRedirectUri = "google.redirect_uri";
inline constexpr const char* kMicrosoftClientId = "microsoft.client_id";
inline constexpr const char* kMicrosoftClientSecret = "microsoft.client_secret";
inline constexpr const char* kMicrosoftRedirectUri = "microsoft.redirect_uri";
inline constexpr const char* kMicrosoftTenant = "microsoft.tenant";
}  // namespace providerKeys

inline constexpr const char* kDefaultTenant = "common";

// Where our server receives the authorization code of each provider.
[[nodiscard]] std::string callbackPath(Provider p);  // "/oauth/google/callback"

struct ProviderClient {
  std::string clientId;
  std::string clientSecret;  // opened; keep it out of logs and messages
  std::string redirectUri;
  std::string tenant;  // Microsoft only: "common" unless set
};

struct ProviderClientError {
  enum class Kind {
    NotConfigured,     // a setting is missing or invalid: the message names the command
    SecretUnreadable,  // the client secret cannot be opened (key changed, key file unsafe)
  };
  Kind kind = Kind::NotConfigured;
  std::string message;  // names the setting and what to do; never holds a secret
};

class ProviderClientResult {
 public:
  ProviderClientResult(ProviderClient c) : v_(std::move(c)) {}       // NOLINT: implicit
  ProviderClientResult(ProviderClientError e) : v_(std::move(e)) {}  // NOLINT
  explicit operator bool() const { return std::holds_alternative<ProviderClient>(v_); }
  [[nodiscard]] const ProviderClient& value() const& { return std::get<ProviderClient>(v_); }
  [[nodiscard]] ProviderClient&& value() && { return std::get<ProviderClient>(std::move(v_)); }
  [[nodiscard]] const ProviderClient* operator->() const { return &std::get<ProviderClient>(v_); }
  [[nodiscard]] const ProviderClientError& error() const {
    return std::get<ProviderClientError>(v_);
  }

 private:
  std::variant<ProviderClient, ProviderClientError> v_;
};

// The provider's client from the settings, the secret opened with `box`.
// Says which setting is missing or wrong and the command that sets it.
[[nodiscard]] ProviderClientResult loadProviderClient(const Store& store,
                                                      const secrets::SecretBox& box, Provider p);

// Whether `key` is one of providerKeys, and whether it holds a secret.
[[nodiscard]] bool isProviderKey(const std::string& key);
[[nodiscard]] bool isSecretProviderKey(const std::string& key);
[[nodiscard]] const std::vector<std::string>& providerKeyNames();

// Why `value` cannot be stored under the provider setting `key`, or nullopt
// when it can. An empty value (clearing the setting) is always accepted.
// - client ids: no spaces; Google's end in ".apps.googleusercontent.com",
//   Microsoft's are GUIDs (the application (client) id);
// - redirect URIs: absolute https URLs (http only for 127.0.0.1, localhost
//   and [::1], which both providers allow for loopback), without fragment
//   (RFC 6749 section 3.1.2), whose path ends with callbackPath();
// - tenant: common, organizations, consumers, a GUID or a domain name.
[[nodiscard]] std::optional<std::string> checkProviderSetting(const std::string& key,
                                                              const std::string& value);

}  // namespace creneau::engine::connections
