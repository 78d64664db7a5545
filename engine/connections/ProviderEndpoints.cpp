#include "engine/connections/ProviderEndpoints.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cstdlib>

namespace creneau::engine::connections {

namespace {

std::string withoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

void override(std::string& field, const char* variable) {
  if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') {
    field = withoutTrailingSlash(value);
  }
}

}  // namespace

std::string ProviderEndpoints::googleRevokeUrl() const {
  // Google's revocation endpoint lives beside the token endpoint
  // (https://oauth2.googleapis.com/revoke; the emulator serves both at its root).
  try {
    Poco::URI uri(googleTokenUrl);
    return uri.getScheme() + "://" + uri.getAuthority() + "/revoke";
  } catch (const Poco::Exception&) {
    return googleTokenUrl + "/revoke";  // an invalid URL: the HTTP client reports it
  }
}

std::string ProviderEndpoints::googleUserinfoUrl() const {
  return googleApiUrl + "/oauth2/v3/userinfo";
}

std::string ProviderEndpoints::msAuthorizeUrl(const std::string& tenant) const {
  return msLoginUrl + "/" + tenant + "/oauth2/v2.0/authorize";
}

std::string ProviderEndpoints::msTokenUrl(const std::string& tenant) const {
  return msLoginUrl + "/" + tenant + "/oauth2/v2.0/token";
}

ProviderEndpoints endpointsFromEnvironment() {
  ProviderEndpoints e;
  override(e.googleAuthUrl, "CRENEAU_GOOGLE_AUTH_URL");
  override(e.googleTokenUrl, "CRENEAU_GOOGLE_TOKEN_URL");
  override(e.googleApiUrl, "CRENEAU_GOOGLE_API_URL");
  override(e.msLoginUrl, "CRENEAU_MS_LOGIN_URL");
  override(e.graphUrl, "CRENEAU_GRAPH_URL");
  return e;
}

}  // namespace creneau::engine::connections
