#pragma once

#include <string>

namespace creneau::engine::connections {

// Every external base URL, configurable so tests and checks can point at the
// emulators (issue 4, item 3). No trailing slash.
struct ProviderEndpoints {
  // Full authorize and token endpoints of Google OAuth.
  std::string googleAuthUrl = "https://accounts.google.com/o/oauth2/v2/auth";
  std::string googleTokenUrl = "https://oauth2.googleapis.com/token";
  // Root under which /calendar/v3/... and /batch/calendar/v3 live.
  std::string googleApiUrl = "https://www.googleapis.com";
  // Root of /{tenant}/oauth2/v2.0/{authorize,token}.
  std::string msLoginUrl = "https://login.microsoftonline.com";
  // Root of /v1.0/...
  std::string graphUrl = "https://graph.microsoft.com";

  // Derived endpoints.
  [[nodiscard]] std::string googleRevokeUrl() const;    // token URL's host + /revoke
  [[nodiscard]] std::string googleUserinfoUrl() const;  // .../oauth2/v3/userinfo
  [[nodiscard]] std::string msAuthorizeUrl(const std::string& tenant) const;
  [[nodiscard]] std::string msTokenUrl(const std::string& tenant) const;
};

// The defaults above, overridden by CRENEAU_GOOGLE_AUTH_URL,
// CRENEAU_GOOGLE_TOKEN_URL, CRENEAU_GOOGLE_API_URL, CRENEAU_MS_LOGIN_URL and
// CRENEAU_GRAPH_URL when set (a trailing slash is dropped).
[[nodiscard]] ProviderEndpoints endpointsFromEnvironment();

}  // namespace creneau::engine::connections
