#include "engine/connections/OAuthFlow.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/RandomStream.h>

#include <chrono>
#include <sstream>

#include "engine/net/HttpClient.h"

namespace creneau::engine::connections {

namespace {

using Poco::JSON::Object;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr auto kTimeout = std::chrono::seconds(20);

std::string base64Url(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  enc.rdbuf()->setLineLength(0);
  enc << bytes;
  enc.close();
  return out.str();
}

std::optional<std::string> fromBase64Url(std::string text) {
  while (text.size() % 4 != 0) text += '=';
  try {
    std::istringstream in(text);
    Poco::Base64Decoder dec(in, Poco::BASE64_URL_ENCODING);
    std::string out((std::istreambuf_iterator<char>(dec)), std::istreambuf_iterator<char>());
    return out;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::string randomBytes(std::size_t n) {
  // /dev/urandom on Linux (the kernel CSPRNG).
  Poco::RandomInputStream in;
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  return bytes;
}

Object::Ptr parseObject(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string str(const Object::Ptr& o, const std::string& name) {
  if (!o || !o->has(name) || o->isNull(name)) return {};
  try {
    return o->getValue<std::string>(name);
  } catch (const Poco::Exception&) {
    return {};
  }
}

std::string clip(std::string s, std::size_t n = 300) {
  if (s.size() > n) s = s.substr(0, n) + "...";
  return s;
}

std::string displayName(Provider p) {
  return p == Provider::Google ? "Google" : "Microsoft";
}

OAuthError httpFailure(Provider p, const net::HttpFailure& f) {
  OAuthError e;
  e.kind = f.transient() ? OAuthErrorKind::Transient : OAuthErrorKind::Misconfigured;
  e.message = displayName(p) + " could not be reached: " + f.message;
  return e;
}

}  // namespace

OAuthFlow::OAuthFlow(ProviderEndpoints endpoints, net::HttpClient& http, secrets::SecretBox box,
                     std::function<UnixTime()> clock)
    : endpoints_(std::move(endpoints)),
      http_(http),
      box_(std::move(box)),
      clock_(std::move(clock)) {}

UnixTime OAuthFlow::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string OAuthFlow::scopesOf(Provider provider) {
  // Google: events read/write on the destination, read access for the
  // calendar list and freeBusy (busy calendars, issue 5), and the e-mail.
  if (provider == Provider::Google)
    return "openid email https://www.googleapis.com/auth/calendar.events "
           "https://www.googleapis.com/auth/calendar.readonly";
  // Microsoft: offline_access is what yields a refresh token.
  return "openid email offline_access User.Read Calendars.ReadWrite";
}

std::string OAuthFlow::newVerifier() {
  return base64Url(randomBytes(32));
}

std::string OAuthFlow::challengeOf(const std::string& verifier) {
  Poco::Crypto::DigestEngine sha("SHA256");
  sha.update(verifier);
  const auto& d = sha.digest();
  return base64Url(std::string(d.begin(), d.end()));
}

std::string OAuthFlow::tokenUrl(Provider provider, const OAuthClient& client) const {
  return provider == Provider::Google ? endpoints_.googleTokenUrl
                                      : endpoints_.msTokenUrl(client.tenant);
}

AuthorizeStart OAuthFlow::start(Provider provider, const OAuthClient& client,
                                std::optional<Id> employeeId, const std::string& loginHint) const {
  const std::string verifier = newVerifier();
  Object state;
  state.set("p", std::string(providerName(provider)));
  state.set("o", static_cast<Poco::Int64>(employeeId ? *employeeId : 0));
  state.set("v", verifier);
  state.set("e", static_cast<Poco::Int64>(now() + kStateLifetime));
  state.set("n", base64Url(randomBytes(12)));
  std::ostringstream json;
  state.stringify(json);
  auto sealed = box_.seal(json.str());
  // Sealing only fails when OpenSSL does; the state is then empty and the
  // callback refuses it.
  std::string token;
  if (sealed) {
    // "v1:" + standard base64 -> base64url without padding, for the URL.
    token = sealed.value().substr(secrets::SecretBox::kPrefix.size());
    for (char& c : token) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!token.empty() && token.back() == '=') token.pop_back();
  }

  Fields q{{"client_id", client.clientId},
           {"redirect_uri", client.redirectUri},
           {"response_type", "code"},
           {"scope", scopesOf(provider)},
           {"state", token},
           {"code_challenge", challengeOf(verifier)},
           {"code_challenge_method", "S256"}};
  std::string base;
  if (provider == Provider::Google) {
    base = endpoints_.googleAuthUrl;
    // offline + consent: Google sends a refresh token only on consent.
    q.emplace_back("access_type", "offline");
    q.emplace_back("prompt", "consent");
  } else {
    base = endpoints_.msAuthorizeUrl(client.tenant);
    q.emplace_back("response_mode", "query");
    q.emplace_back("prompt", "select_account");
  }
  if (!loginHint.empty()) q.emplace_back("login_hint", loginHint);
  const char sep = base.find('?') == std::string::npos ? '?' : '&';
  return {base + sep + net::formEncode(q), token};
}

OAuthResult<PendingConnect> OAuthFlow::openState(Provider expected,
                                                 const std::string& state) const {
  const std::string restart =
      " Start again at /oauth/" + std::string(providerName(expected)) + "/start.";
  auto bad = [&](const std::string& why) {
    return OAuthError{OAuthErrorKind::BadState, "", why + restart};
  };
  if (state.empty()) return bad("The sign-in answer has no state parameter.");
  std::string b64 = state;
  for (char& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (b64.size() % 4 != 0) b64 += '=';
  auto opened = box_.open(std::string(secrets::SecretBox::kPrefix) + b64);
  if (!opened)
    return bad(
        "The state parameter was altered or made by another server (it does not verify with this "
        "server's key).");
  const Object::Ptr o = parseObject(opened.value());
  if (!o) return bad("The state parameter is unreadable.");
  PendingConnect p;
  const auto provider = parseProvider(str(o, "p"));
  if (!provider) return bad("The state parameter names no provider.");
  if (*provider != expected)
    return bad("This sign-in was started for " + displayName(*provider) +
               ", but came back to the " + displayName(expected) + " callback.");
  p.provider = *provider;
  try {
    const auto owner = o->getValue<Poco::Int64>("o");
    if (owner != 0) p.employeeId = owner;
    p.expiresAt = o->getValue<Poco::Int64>("e");
  } catch (const Poco::Exception&) {
    return bad("The state parameter is incomplete.");
  }
  p.verifier = str(o, "v");
  if (p.verifier.size() < 43) return bad("The state parameter is incomplete.");
  if (now() > p.expiresAt)
    return bad("The sign-in took longer than " + std::to_string(kStateLifetime / 60) +
               " minutes and has expired.");
  return p;
}

OAuthResult<TokenGrant> OAuthFlow::tokenRequest(Provider provider, const OAuthClient& client,
                                                const Fields& fields) const {
  const bool refreshing = !fields.empty() && fields.front().second == "refresh_token";
  const std::string subject = refreshing ? "the refresh token" : "the authorization code";
  net::HttpRequest req;
  req.method = "POST";
  req.url = tokenUrl(provider, client);
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                 {"Accept", "application/json"}};
  req.body = net::formEncode(fields);
  req.timeout = kTimeout;
  const net::HttpResult r = http_.send(req);
  if (!r) return httpFailure(provider, r.failure());
  const int status = r->status;
  const Object::Ptr o = parseObject(r->body);
  if (status >= 500 || status == 429) {
    return OAuthError{OAuthErrorKind::Transient, str(o, "error"),
                      displayName(provider) + "'s token endpoint answered " +
                          std::to_string(status) + "; try again later"};
  }
  if (status != 200) {
    OAuthError e;
    e.code = str(o, "error");
    const std::string desc = clip(str(o, "error_description"));
    const std::string what = e.code.empty() ? "HTTP " + std::to_string(status)
                                            : e.code + (desc.empty() ? "" : ": " + desc);
    if (e.code == "invalid_grant" || e.code == "unauthorized_client" ||
        e.code == "interaction_required" || e.code == "consent_required") {
      e.kind = OAuthErrorKind::Rejected;
      e.message = displayName(provider) + " refused " + subject + " (" + what + ")";
    } else if (e.code == "invalid_client" || e.code == "redirect_uri_mismatch") {
      e.kind = OAuthErrorKind::Misconfigured;
      e.message = displayName(provider) + " refused the OAuth client (" + what + "): check " +
                  std::string(providerName(provider)) +
                  ".client_id, .client_secret and .redirect_uri against the app registration";
    } else {
      e.kind = OAuthErrorKind::Protocol;
      e.message = displayName(provider) + "'s token endpoint refused the request (" + what + ")";
    }
    return e;
  }
  TokenGrant g;
  g.accessToken = str(o, "access_token");
  if (g.accessToken.empty())
    return OAuthError{OAuthErrorKind::Protocol, "",
                      displayName(provider) + "'s token endpoint answered without an access_token"};
  Poco::Int64 expiresIn = 3600;
  try {
    if (o->has("expires_in")) expiresIn = o->getValue<Poco::Int64>("expires_in");
  } catch (const Poco::Exception&) {
    // Keep the default: RFC 6749 5.1 makes expires_in optional.
  }
  g.expiresAt = now() + expiresIn;
  g.refreshToken = str(o, "refresh_token");
  g.scope = str(o, "scope");
  g.idToken = str(o, "id_token");
  return g;
}

OAuthResult<TokenGrant> OAuthFlow::exchangeCode(Provider provider, const OAuthClient& client,
                                                const std::string& code,
                                                const std::string& verifier) const {
  Fields f{{"grant_type", "authorization_code"},
           {"code", code},
           {"redirect_uri", client.redirectUri},
           {"client_id", client.clientId},
           {"code_verifier", verifier}};
  if (!client.clientSecret.empty()) f.emplace_back("client_secret", client.clientSecret);
  if (provider == Provider::Microsoft) f.emplace_back("scope", scopesOf(provider));
  auto r = tokenRequest(provider, client, f);
  if (r && r->refreshToken.empty())
    return OAuthError{
        OAuthErrorKind::Protocol, "",
        displayName(provider) + " sent no refresh token: the consent did not grant offline access"};
  return r;
}

OAuthResult<TokenGrant> OAuthFlow::refresh(Provider provider, const OAuthClient& client,
                                           const std::string& refreshToken) const {
  Fields f{{"grant_type", "refresh_token"},
           {"refresh_token", refreshToken},
           {"client_id", client.clientId}};
  if (!client.clientSecret.empty()) f.emplace_back("client_secret", client.clientSecret);
  if (provider == Provider::Microsoft) f.emplace_back("scope", scopesOf(provider));
  return tokenRequest(provider, client, f);
}

OAuthResult<std::string> OAuthFlow::accountOf(Provider provider, const TokenGrant& grant) const {
  if (provider == Provider::Google) {
    // The id_token came straight from the token endpoint over TLS, so its
    // payload is trusted without checking the signature (OpenID Connect
    // Core 3.1.3.7, point 6).
    const auto first = grant.idToken.find('.');
    const auto second = grant.idToken.find('.', first == std::string::npos ? 0 : first + 1);
    if (first != std::string::npos && second != std::string::npos) {
      if (auto payload = fromBase64Url(grant.idToken.substr(first + 1, second - first - 1))) {
        const std::string email = str(parseObject(*payload), "email");
        if (!email.empty()) return email;
      }
    }
  }
  net::HttpRequest req;
  req.url = provider == Provider::Google
                ? endpoints_.googleUserinfoUrl()
                : endpoints_.graphUrl + "/v1.0/me?$select=mail,userPrincipalName";
  req.headers = {{"Authorization", "Bearer " + grant.accessToken}, {"Accept", "application/json"}};
  req.timeout = kTimeout;
  const net::HttpResult r = http_.send(req);
  if (!r) return httpFailure(provider, r.failure());
  if (r->status != 200)
    return OAuthError{
        r->status >= 500 || r->status == 429 ? OAuthErrorKind::Transient : OAuthErrorKind::Protocol,
        "",
        displayName(provider) + " did not say which account signed in (HTTP " +
            std::to_string(r->status) + ")"};
  const Object::Ptr o = parseObject(r->body);
  std::string account = str(o, provider == Provider::Google ? "email" : "mail");
  if (account.empty() && provider == Provider::Microsoft) account = str(o, "userPrincipalName");
  if (account.empty())
    return OAuthError{OAuthErrorKind::Protocol, "",
                      displayName(provider) + " did not say which account signed in"};
  return account;
}

RevokeOutcome OAuthFlow::revoke(Provider provider, const std::string& refreshToken) const {
  if (provider == Provider::Microsoft)
    return {false,
            "Microsoft has no endpoint that revokes one refresh token; the token was forgotten "
            "here. To cut access at Microsoft too, remove the app at https://myapps.microsoft.com "
            "(work accounts) or https://account.live.com/consent/Manage (personal accounts)"};
  net::HttpRequest req;
  req.method = "POST";
  req.url = endpoints_.googleRevokeUrl();
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = net::formEncode({{"token", refreshToken}});
  req.timeout = kTimeout;
  const net::HttpResult r = http_.send(req);
  if (!r)
    return {false, "Google's revoke endpoint could not be reached (" + r.failure().message +
                       "); the token was forgotten here. Remove the app's access at "
                       "https://myaccount.google.com/permissions"};
  if (r->status == 200) return {true, "Google revoked the grant"};
  const std::string code = str(parseObject(r->body), "error");
  if (r->status == 400 && code == "invalid_token")
    return {true, "Google already considered the grant revoked or expired"};
  return {false, "Google's revoke endpoint answered " + std::to_string(r->status) +
                     (code.empty() ? "" : " (" + code + ")") +
                     "; the token was forgotten here. Remove the app's access at "
                     "https://myaccount.google.com/permissions"};
}

}  // namespace creneau::engine::connections
