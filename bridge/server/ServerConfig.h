#pragma once

// Configuration of `creneau serve`.
//
// Every setting can come from a config file (--config FILE), the
// environment, or a flag. Precedence: flag > environment > file > default.
// The file is a Java-style properties file ("server.listen = 0.0.0.0:8443")
// or, when its name ends in ".ini", an INI file ("[server]" then
// "listen = 0.0.0.0:8443"); both give the same dotted keys. Unknown keys and
// invalid values are errors that name the key and where it came from.
//
// | file key                       | environment        | flag             | default         |
// |--------------------------------|--------------------|------------------|-----------------|
// | server.listen                  | CRENEAU_LISTEN     | --listen         | 127.0.0.1:8080  |
// | server.public_url              | CRENEAU_PUBLIC_URL | --public-url     | (from listen)   |
// | server.threads                 | CRENEAU_THREADS    | --threads        | 16              |
// | server.queue                   |                    | --queue          | 64              |
// | server.max_body                | CRENEAU_MAX_BODY   | --max-body       | 10MiB           |
// | server.timeout                 |                    |                  | 60s             |
// | server.keep_alive              |                    |                  | true            |
// | server.keep_alive_timeout      |                    |                  | 15s             |
// | server.max_keep_alive_requests |                    |                  | 1000            |
// | server.stop_timeout            |                    | --stop-timeout   | 10s             |
// | tls.cert                       | CRENEAU_TLS_CERT   | --tls-cert       | (none: HTTP)    |
// | tls.key                        | CRENEAU_TLS_KEY    | --tls-key        | (none: HTTP)    |
// | store.db                       | CRENEAU_DB         | --db             | creneau.db      |
// | log.level                      | CRENEAU_LOG_LEVEL  | --log-level      | information     |
// | feeds.days_back                | CRENEAU_FEED_DAYS_BACK  |             | 30              |
// | feeds.days_ahead               | CRENEAU_FEED_DAYS_AHEAD |             | 365             |
// | feeds.refresh                  |                    |                  | 1h              |
// | feeds.cache_size               |                    |                  | 64MiB           |
// | auth.cache_ttl                 |                    |                  | 5m              |
// | auth.max_failures              |                    |                  | 10              |
// | auth.failure_window            |                    |                  | 5m              |
//
// server.listen       HOST:PORT to bind; "[::1]:8080" for IPv6; PORT 0 picks
//                     a free port (printed at start). A bare PORT means
//                     127.0.0.1:PORT.
// server.public_url   Base URL used in links shown to users (feed URLs,
//                     CalDAV account settings), e.g. https://cal.example.com
//                     behind a reverse proxy. Default: http(s)://HOST:PORT of
//                     the listening socket.
// server.threads      Most requests served at once (worker threads).
// server.queue        Accepted connections waiting for a worker; beyond
//                     that new connections are refused.
// server.max_body     Largest request body accepted; bigger ones get 413.
//                     Bytes, or with a unit: 512k, 10M, 10MiB, 1G.
// server.timeout      Socket receive/send timeout while a request is read or
//                     answered. Durations: 30 (seconds), 30s, 500ms, 2m, 1h.
// server.keep_alive   Reuse connections for several requests (true/false).
// server.keep_alive_timeout       How long an idle kept-alive connection stays open.
// server.max_keep_alive_requests  Requests served on one connection before closing it.
// server.stop_timeout On SIGTERM/SIGINT: how long requests in flight may take
//                     to finish before their connections are closed.
// tls.cert, tls.key   PEM certificate (chain) and private key files. Both or
//                     neither; with them the server speaks HTTPS only.
// store.db            The SQLite database file (created if missing).
// log.level           none, fatal, critical, error, warning, notice,
//                     information, debug, trace. Logs go to stderr; the
//                     access log is the logger "creneau.bridge.access".
// feeds.days_back     /feeds/<token>.ics shows records from midnight UTC this
//                     many days ago (0..3650) ...
// feeds.days_ahead    ... to the end of the day this many days ahead (0..3650).
// feeds.refresh       REFRESH-INTERVAL and X-PUBLISHED-TTL of feeds: how often
//                     subscribers are asked to poll (e.g. 1h, 30m; 0: omitted).
// feeds.cache_size    Rendered feeds kept in memory (plain + gzip), e.g. 64MiB.
// auth.cache_ttl      How long HTTP Basic credentials, once verified with
//                     PBKDF2, are trusted (the stored hash is still checked
//                     on every request); 0 turns the cache off.
// auth.max_failures   Failed logins from one client address within
// auth.failure_window that make it wait (429, Retry-After) until the window
//                     has passed; 0 turns the limit off.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace creneau::bridge {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;        // 0: any free port
  std::string publicUrl;  // empty: derived from the socket
  int threads = 16;
  int queue = 64;
  std::size_t maxBody = 10 * 1024 * 1024;
  std::chrono::milliseconds timeout{60'000};
  bool keepAlive = true;
  std::chrono::milliseconds keepAliveTimeout{15'000};
  int maxKeepAliveRequests = 1000;
  std::chrono::milliseconds stopTimeout{10'000};
  std::string tlsCert;  // both empty: plain HTTP
  std::string tlsKey;
  std::string db = "creneau.db";
  std::string logLevel = "information";
  int feedDaysBack = 30;
  int feedDaysAhead = 365;
  std::chrono::milliseconds feedRefresh{3'600'000};
  std::size_t feedCacheBytes = 64 * 1024 * 1024;
  std::chrono::milliseconds authCacheTtl{300'000};
  std::size_t authMaxFailures = 10;
  std::chrono::milliseconds authFailureWindow{300'000};
  // The export worker's pause between rounds when the queue is empty.
  std::chrono::milliseconds syncInterval{5'000};

  [[nodiscard]] bool tls() const { return !tlsCert.empty(); }
};

// A setting is missing, unknown or invalid; the message names the key and
// its source ("server.threads (from CRENEAU_THREADS): ...").
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// Reads the process environment (empty values count as unset).
[[nodiscard]] EnvLookup processEnvironment();

// Builds the configuration: defaults, then `file` (if given), then the
// environment, then `flags` (keyed by file key: {"server.listen", "..."}).
[[nodiscard]] ServerConfig loadServerConfig(const std::optional<std::string>& file,
                                            const EnvLookup& env,
                                            const std::map<std::string, std::string>& flags);

// Value parsers, exposed for tests. They throw std::invalid_argument with a
// message describing the expected form.
[[nodiscard]] std::size_t parseByteSize(const std::string& text);
[[nodiscard]] std::chrono::milliseconds parseDuration(const std::string& text);

}  // namespace creneau::bridge
