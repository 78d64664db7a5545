#include "engine/connections/ProviderEndpoints.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace conn = creneau::engine::connections;

namespace {

const std::vector<std::string> kVariables = {"CRENEAU_GOOGLE_AUTH_URL", "CRENEAU_GOOGLE_TOKEN_URL",
                                             "CRENEAU_GOOGLE_API_URL", "CRENEAU_MS_LOGIN_URL",
                                             "CRENEAU_GRAPH_URL"};

// Clears the endpoint variables for the test and afterwards.
struct CleanEnvironment {
  CleanEnvironment() { clear(); }
  ~CleanEnvironment() { clear(); }
  static void clear() {
    for (const auto& v : kVariables) ::unsetenv(v.c_str());
  }
};

}  // namespace

TEST(ProviderEndpoints, Defaults_AreTheProvidersPublicEndpoints) {
  CleanEnvironment env;
  auto e = conn::endpointsFromEnvironment();
  EXPECT_EQ(e.googleAuthUrl, "https://accounts.google.com/o/oauth2/v2/auth");
  EXPECT_EQ(e.googleTokenUrl, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(e.googleRevokeUrl(), "https://oauth2.googleapis.com/revoke");
  EXPECT_EQ(e.googleApiUrl, "https://www.googleapis.com");
  EXPECT_EQ(e.googleUserinfoUrl(), "https://www.googleapis.com/oauth2/v3/userinfo");
  EXPECT_EQ(e.msAuthorizeUrl("common"),
            "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
  EXPECT_EQ(e.msTokenUrl("contoso.onmicrosoft.com"),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(e.graphUrl, "https://graph.microsoft.com");
}

TEST(ProviderEndpoints, EnvironmentOverrides_PointAtTheEmulatorsWithoutTrailingSlash) {
  CleanEnvironment env;
  ::setenv("CRENEAU_GOOGLE_AUTH_URL", "http://127.0.0.1:4001/o/oauth2/v2/auth", 1);
  ::setenv("CRENEAU_GOOGLE_TOKEN_URL", "http://127.0.0.1:4001/token/", 1);
  ::setenv("CRENEAU_GOOGLE_API_URL", "http://127.0.0.1:4001/", 1);
  ::setenv("CRENEAU_MS_LOGIN_URL", "http://127.0.0.1:4002", 1);
  ::setenv("CRENEAU_GRAPH_URL", "http://127.0.0.1:4002/", 1);
  auto e = conn::endpointsFromEnvironment();
  EXPECT_EQ(e.googleAuthUrl, "http://127.0.0.1:4001/o/oauth2/v2/auth");
  EXPECT_EQ(e.googleTokenUrl, "http://127.0.0.1:4001/token");
  EXPECT_EQ(e.googleRevokeUrl(), "http://127.0.0.1:4001/revoke");
  EXPECT_EQ(e.googleApiUrl, "http://127.0.0.1:4001");
  EXPECT_EQ(e.googleUserinfoUrl(), "http://127.0.0.1:4001/oauth2/v3/userinfo");
  EXPECT_EQ(e.msLoginUrl, "http://127.0.0.1:4002");
  EXPECT_EQ(e.msAuthorizeUrl("organizations"),
            "http://127.0.0.1:4002/organizations/oauth2/v2.0/authorize");
  EXPECT_EQ(e.msTokenUrl("common"), "http://127.0.0.1:4002/common/oauth2/v2.0/token");
  EXPECT_EQ(e.graphUrl, "http://127.0.0.1:4002");
}

TEST(ProviderEndpoints, EmptyVariable_KeepsTheDefault) {
  CleanEnvironment env;
  ::setenv("CRENEAU_GRAPH_URL", "", 1);
  EXPECT_EQ(conn::endpointsFromEnvironment().graphUrl, "https://graph.microsoft.com");
}

TEST(ProviderEndpoints, RevokeUrl_KeepsSchemeHostAndPortOnly) {
  conn::ProviderEndpoints e;
  e.googleTokenUrl = "https://tokens.example:8443/some/prefix/token";
  EXPECT_EQ(e.googleRevokeUrl(), "https://tokens.example:8443/revoke");
}
