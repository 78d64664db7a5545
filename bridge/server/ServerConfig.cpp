#include "bridge/server/ServerConfig.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <vector>

namespace creneau::bridge {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

long long parseInteger(const std::string& text, long long min, long long max) {
  long long v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty())
    throw std::invalid_argument("'" + text + "' is not an integer");
  if (v < min || v > max)
    throw std::invalid_argument("'" + text + "' is out of range [" + std::to_string(min) + ", " +
                                std::to_string(max) + "]");
  return v;
}

int parsePositiveInt(const std::string& text, int max) {
  return static_cast<int>(parseInteger(text, 1, max));
}

bool parseBool(const std::string& text) {
  const auto t = lower(text);
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  throw std::invalid_argument("'" + text + "' is not a boolean (true/false)");
}

void parseListen(const std::string& text, ServerConfig& c) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw std::invalid_argument("'" + text + "' is not [IPV6]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      throw std::invalid_argument("'" + text + "': write IPv6 addresses as [ADDR]:PORT");
  } else {
    host = "127.0.0.1";
    port = text;
  }
  if (host.empty()) throw std::invalid_argument("'" + text + "' has no host (HOST:PORT)");
  try {
    c.port = static_cast<int>(parseInteger(port, 0, 65535));
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("'" + text + "' is not HOST:PORT with PORT in 0..65535");
  }
  c.host = host;
}

std::string parsePublicUrl(const std::string& text) {
  const auto t = lower(text);
  if (!t.starts_with("http://") && !t.starts_with("https://"))
    throw std::invalid_argument("'" + text + "' must start with http:// or https://");
  std::string url = text;
  while (url.ends_with('/')) url.pop_back();
  if (url.size() <= std::string("https://").size() && t.starts_with("https://"))
    throw std::invalid_argument("'" + text + "' has no host");
  if (url.size() <= std::string("http://").size())
    throw std::invalid_argument("'" + text + "' has no host");
  return url;
}

std::string parseLogLevel(const std::string& text) {
  static const std::vector<std::string> kLevels = {
      "none", "fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"};
  auto t = lower(text);
  if (t == "info") t = "information";
  if (t == "warn") t = "warning";
  if (std::find(kLevels.begin(), kLevels.end(), t) == kLevels.end())
    throw std::invalid_argument("'" + text +
                                "' is not one of none, fatal, critical, error, warning, notice, "
                                "information, debug, trace");
  return t;
}

std::string nonEmpty(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("the value is empty");
  return text;
}

struct Key {
  const char* name;
  const char* env;  // nullptr: no environment variable
  std::function<void(ServerConfig&, const std::string&)> apply;
};

const std::vector<Key>& keys() {
  static const std::vector<Key> kKeys = {
      {"server.listen", "CRENEAU_LISTEN", [](auto& c, auto& v) { parseListen(v, c); }},
      {"server.public_url", "CRENEAU_PUBLIC_URL",
       [](auto& c, auto& v) { c.publicUrl = parsePublicUrl(v); }},
      {"server.threads", "CRENEAU_THREADS",
       [](auto& c, auto& v) { c.threads = parsePositiveInt(v, 1024); }},
      {"server.queue", nullptr, [](auto& c, auto& v) { c.queue = parsePositiveInt(v, 65536); }},
      {"server.max_body", "CRENEAU_MAX_BODY",
       [](auto& c, auto& v) { c.maxBody = parseByteSize(v); }},
      {"server.timeout", nullptr, [](auto& c, auto& v) { c.timeout = parseDuration(v); }},
      {"server.keep_alive", nullptr, [](auto& c, auto& v) { c.keepAlive = parseBool(v); }},
      {"server.keep_alive_timeout", nullptr,
       [](auto& c, auto& v) { c.keepAliveTimeout = parseDuration(v); }},
      {"server.max_keep_alive_requests", nullptr,
       [](auto& c, auto& v) { c.maxKeepAliveRequests = parsePositiveInt(v, 1'000'000); }},
      {"server.stop_timeout", nullptr, [](auto& c, auto& v) { c.stopTimeout = parseDuration(v); }},
      {"tls.cert", "CRENEAU_TLS_CERT", [](auto& c, auto& v) { c.tlsCert = nonEmpty(v); }},
      {"tls.key", "CRENEAU_TLS_KEY", [](auto& c, auto& v) { c.tlsKey = nonEmpty(v); }},
      {"store.db", "CRENEAU_DB", [](auto& c, auto& v) { c.db = nonEmpty(v); }},
      {"log.level", "CRENEAU_LOG_LEVEL", [](auto& c, auto& v) { c.logLevel = parseLogLevel(v); }},
      {"feeds.days_back", "CRENEAU_FEED_DAYS_BACK",
       [](auto& c, auto& v) { c.feedDaysBack = static_cast<int>(parseInteger(v, 0, 3650)); }},
      {"feeds.days_ahead", "CRENEAU_FEED_DAYS_AHEAD",
       [](auto& c, auto& v) { c.feedDaysAhead = static_cast<int>(parseInteger(v, 0, 3650)); }},
      {"feeds.refresh", nullptr, [](auto& c, auto& v) { c.feedRefresh = parseDuration(v); }},
      {"feeds.cache_size", nullptr, [](auto& c, auto& v) { c.feedCacheBytes = parseByteSize(v); }},
      {"auth.cache_ttl", nullptr, [](auto& c, auto& v) { c.authCacheTtl = parseDuration(v); }},
      {"auth.max_failures", nullptr,
       [](auto& c, auto& v) {
         c.authMaxFailures = static_cast<std::size_t>(parseInteger(v, 0, 1'000'000));
       }},
      {"auth.failure_window", nullptr,
       [](auto& c, auto& v) { c.authFailureWindow = parseDuration(v); }},
      {"sync.interval", "CRENEAU_SYNC_INTERVAL",
       [](auto& c, auto& v) { c.syncInterval = parseDuration(v); }},
  };
  return kKeys;
}

const Key* findKey(const std::string& name) {
  for (const Key& k : keys())
    if (name == k.name) return &k;
  return nullptr;
}

void collectKeys(const Poco::Util::AbstractConfiguration& conf, const std::string& base,
                 std::map<std::string, std::string>& out) {
  Poco::Util::AbstractConfiguration::Keys children;
  conf.keys(base, children);
  if (children.empty()) {
    if (!base.empty()) out[base] = conf.getRawString(base);
    return;
  }
  for (const auto& child : children)
    collectKeys(conf, base.empty() ? child : base + "." + child, out);
}

// value and where it came from, per key
struct Setting {
  std::string value;
  std::string source;
};

}  // namespace

std::size_t parseByteSize(const std::string& text) {
  const std::string t = trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  if (digits == 0) throw std::invalid_argument("'" + text + "' is not a size (e.g. 10MiB, 512k)");
  const auto number = static_cast<unsigned long long>(
      parseInteger(t.substr(0, digits), 0, std::numeric_limits<long long>::max()));
  const std::string unit = lower(trim(t.substr(digits)));
  unsigned long long factor = 0;
  if (unit.empty() || unit == "b")
    factor = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib")
    factor = 1024ULL;
  else if (unit == "m" || unit == "mb" || unit == "mib")
    factor = 1024ULL * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib")
    factor = 1024ULL * 1024 * 1024;
  else
    throw std::invalid_argument("'" + text + "' has an unknown unit (use k, M or G)");
  if (number == 0) throw std::invalid_argument("'" + text + "' must be more than 0");
  if (number > (1ULL << 40) / factor) throw std::invalid_argument("'" + text + "' is too large");
  return static_cast<std::size_t>(number * factor);
}

std::chrono::milliseconds parseDuration(const std::string& text) {
  const std::string t = trim(text);
  std::size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  if (digits == 0)
    throw std::invalid_argument("'" + text + "' is not a duration (e.g. 30, 30s, 500ms, 2m)");
  const auto number = parseInteger(t.substr(0, digits), 0, 1'000'000'000);
  const std::string unit = lower(trim(t.substr(digits)));
  if (unit.empty() || unit == "s") return std::chrono::seconds(number);
  if (unit == "ms") return std::chrono::milliseconds(number);
  if (unit == "m" || unit == "min") return std::chrono::minutes(number);
  if (unit == "h") return std::chrono::hours(number);
  throw std::invalid_argument("'" + text + "' has an unknown unit (use ms, s, m or h)");
}

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

ServerConfig loadServerConfig(const std::optional<std::string>& file, const EnvLookup& env,
                              const std::map<std::string, std::string>& flags) {
  std::map<std::string, Setting> settings;

  if (file) {
    if (!std::filesystem::is_regular_file(*file))
      throw ConfigError("config file " + *file + " does not exist or is not a file");
    std::map<std::string, std::string> fromFile;
    try {
      Poco::AutoPtr<Poco::Util::AbstractConfiguration> conf;
      if (lower(*file).ends_with(".ini"))
        conf = new Poco::Util::IniFileConfiguration(*file);
      else
        conf = new Poco::Util::PropertyFileConfiguration(*file);
      collectKeys(*conf, "", fromFile);
    } catch (const Poco::Exception& e) {
      throw ConfigError("cannot read config file " + *file + ": " + e.displayText());
    }
    for (auto& [k, v] : fromFile) {
      const std::string key = lower(k);
      if (!findKey(key)) throw ConfigError("unknown key " + k + " in config file " + *file);
      settings[key] = {trim(v), "config file " + *file};
    }
  }
  for (const Key& k : keys()) {
    if (!k.env) continue;
    if (auto v = env(k.env)) settings[k.name] = {trim(*v), std::string("environment ") + k.env};
  }
  for (auto& [k, v] : flags) {
    const Key* key = findKey(k);
    if (!key) throw ConfigError("unknown setting " + k);
    settings[k] = {v, "command line"};
  }

  ServerConfig config;
  for (auto& [name, s] : settings) {
    try {
      findKey(name)->apply(config, s.value);
    } catch (const std::invalid_argument& e) {
      throw ConfigError("invalid " + name + " (from " + s.source + "): " + e.what());
    }
  }
  if (config.tlsCert.empty() != config.tlsKey.empty())
    throw ConfigError(std::string("tls.cert and tls.key go together: ") +
                      (config.tlsCert.empty() ? "tls.key" : "tls.cert") +
                      " is set but not the other (--tls-cert/--tls-key, CRENEAU_TLS_CERT/"
                      "CRENEAU_TLS_KEY)");
  if (config.maxKeepAliveRequests < 1) config.maxKeepAliveRequests = 1;
  return config;
}

}  // namespace creneau::bridge
