#include "engine/connections/ProviderClients.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>

#include "engine/store/Store.h"

namespace creneau::engine::connections {

namespace {

namespace k = providerKeys;

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool hasSpace(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// 8-4-4-4-12 hexadecimal digits, the form Entra ID shows ids in.
bool isGuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

// A DNS name with at least two labels (contoso.onmicrosoft.com, contoso.com).
bool isDomain(const std::string& s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string::npos) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('.', start);
    if (end == std::string::npos) end = s.size();
    const std::string label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (unsigned char c : label)
      if (std::isalnum(c) == 0 && c != '-') return false;
    start = end + 1;
  }
  return true;
}

std::optional<std::string> checkRedirectUri(const std::string& key, const std::string& value,
                                            Provider p) {
  const std::string path = callbackPath(p);
  const std::string example = "https://booking.example.com" + path;
  Poco::URI uri;
  try {
    uri = Poco::URI(value);
  } catch (const Poco::Exception&) {
    return key + " must be an absolute URL such as " + example;
  }
  const std::string host = uri.getHost();
  if (!uri.isRelative() && host.empty()) return key + " must name a host, e.g. " + example;
  if (uri.getScheme() == "http") {
    // Both providers accept plain http for loopback redirect URIs only.
    if (host != "127.0.0.1" && host != "localhost" && host != "::1")
      return key + " must use https (http is allowed only for 127.0.0.1 and localhost), e.g. " +
             example;
  } else if (uri.getScheme() != "https") {
    return key + " must be an absolute https URL such as " + example;
  }
  if (!uri.getFragment().empty() || value.find('#') != std::string::npos)
    return key + " must not have a #fragment (RFC 6749 section 3.1.2)";
  if (!endsWith(uri.getPath(), path))
    return key + " must end with " + path +
           " so the provider sends the user back to creneau, e.g. " + example +
           " (register the same URL with the provider)";
  return std::nullopt;
}

std::string setHint(const std::string& key, const std::string& placeholder) {
  return "creneau settings set " + key + " " + placeholder;
}

}  // namespace

std::string callbackPath(Provider p) {
  return p == Provider::Google ? "/oauth/google/callback" : "/oauth/microsoft/callback";
}

const std::vector<std::string>& providerKeyNames() {
  static const std::vector<std::string> names{k::kGoogleClientId,        k::kGoogleClientSecret,
                                              k::kGoogleRedirectUri,     k::kMicrosoftClientId,
                                              k::kMicrosoftClientSecret, k::kMicrosoftRedirectUri,
                                              k::kMicrosoftTenant};
  return names;
}

bool isProviderKey(const std::string& key) {
  const auto& names = providerKeyNames();
  return std::find(names.begin(), names.end(), key) != names.end();
}

bool isSecretProviderKey(const std::string& key) {
  return key == k::kGoogleClientSecret || key == k::kMicrosoftClientSecret;
}

std::optional<std::string> checkProviderSetting(const std::string& key, const std::string& value) {
  if (!isProviderKey(key)) return "unknown provider setting " + key;
  if (value.empty()) return std::nullopt;  // clearing
  if (key == k::kGoogleClientId) {
    if (hasSpace(value)) return key + " must not contain spaces";
    if (!endsWith(value, ".apps.googleusercontent.com") ||
        value.size() == std::string(".apps.googleusercontent.com").size())
      return key +
             " is not a Google OAuth client id: it looks like "
             "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com "
             "(Google Cloud console, APIs & Services > Credentials, OAuth 2.0 Client IDs, type "
             "'Web application')";
    return std::nullopt;
  }
  if (key == k::kMicrosoftClientId) {
    if (hasSpace(value)) return key + " must not contain spaces";
    if (!isGuid(value))
      return key +
             " is not a Microsoft application (client) id: it is a GUID such as "
             "00000000-0000-0000-0000-000000000000 (Microsoft Entra admin center, App "
             "registrations, Overview)";
    return std::nullopt;
  }
  if (key == k::kGoogleClientSecret || key == k::kMicrosoftClientSecret) {
    if (hasSpace(value))
      return key + " must not contain spaces or line breaks (copy the secret's value exactly)";
    return std::nullopt;
  }
  if (key == k::kGoogleRedirectUri) return checkRedirectUri(key, value, Provider::Google);
  if (key == k::kMicrosoftRedirectUri) return checkRedirectUri(key, value, Provider::Microsoft);
  if (key == k::kMicrosoftTenant) {
    if (value == "common" || value == "organizations" || value == "consumers" || isGuid(value) ||
        isDomain(value))
      return std::nullopt;
    return key +
           " must be common, organizations, consumers, the directory (tenant) id (a GUID) or a "
           "verified domain such as contoso.onmicrosoft.com";
  }
  return std::nullopt;
}

ProviderClientResult loadProviderClient(const Store& store, const secrets::SecretBox& box,
                                        Provider p) {
  const bool google = p == Provider::Google;
  using Kind = ProviderClientError::Kind;
  ProviderClient c;

  // Each setting, checked again: the database may have been edited by hand.
  auto read = [&](const char* key, const std::string& placeholder,
                  std::string& field) -> std::optional<ProviderClientError> {
    field = store.setting(key).value_or("");
    if (field.empty())
      return ProviderClientError{Kind::NotConfigured,
                                 std::string(key) + " is not set: " + setHint(key, placeholder)};
    if (!isSecretProviderKey(key)) {
      if (auto problem = checkProviderSetting(key, field))
        return ProviderClientError{Kind::NotConfigured,
                                   *problem + "; fix it with " + setHint(key, placeholder)};
    }
    return std::nullopt;
  };

  const char* idKey = google ? k::kGoogleClientId : k::kMicrosoftClientId;
  const char* secretKey = google ? k::kGoogleClientSecret : k::kMicrosoftClientSecret;
  const char* uriKey = google ? k::kGoogleRedirectUri : k::kMicrosoftRedirectUri;
  if (auto e = read(idKey, google ? "CLIENT_ID.apps.googleusercontent.com" : "APPLICATION_ID",
                    c.clientId))
    return *e;
  if (auto e = read(uriKey, "https://YOUR-HOST" + callbackPath(p), c.redirectUri)) return *e;
  std::string sealed;
  if (auto e = read(secretKey, "SECRET", sealed)) return *e;
  if (secrets::SecretBox::isSealed(sealed)) {
    auto opened = box.open(sealed);
    if (!opened)
      return ProviderClientError{
          Kind::SecretUnreadable,
          std::string(secretKey) + " cannot be opened with this database's secret key (" +
              opened.error().message +
              "): the key (CRENEAU_SECRET_KEY or the key file beside the database) is not the "
              "one it was sealed with; restore that key, or set the secret again with " +
              setHint(secretKey, "SECRET")};
    c.clientSecret = std::move(opened).value();
  } else {
    // Written by hand into the database before sealing existed: usable as is.
    c.clientSecret = sealed;
  }
  if (google) {
    c.tenant.clear();
  } else {
    c.tenant = store.setting(k::kMicrosoftTenant).value_or("");
    if (c.tenant.empty()) c.tenant = kDefaultTenant;
    if (auto problem = checkProviderSetting(k::kMicrosoftTenant, c.tenant))
      return ProviderClientError{Kind::NotConfigured, *problem + "; fix it with " +
                                                          setHint(k::kMicrosoftTenant, "common")};
  }
  return c;
}

}  // namespace creneau::engine::connections
