#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace creneau::engine::net {

// The one HTTP(S) client of the engine: exporters, OAuth token calls and busy
// sources all go through it (DESIGN.md decision 8: TLS is verified, always).
// Built on Poco::Net; keeps idle connections per scheme+host+port for reuse.
// Thread-safe: any number of threads may call send() at once.

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL, query included
  Headers headers;  // sent as given (Content-Type among them when there is a body)
  std::string body;
  // Whole exchange: connect, send, and read the complete answer.
  std::chrono::milliseconds timeout{30000};
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;
  // Case-insensitive; the first one when repeated.
  [[nodiscard]] std::optional<std::string> header(const std::string& name) const;
};

enum class HttpFailureKind {
  InvalidUrl,         // not an absolute http(s) URL
  Resolve,            // host name does not resolve
  Connect,            // refused / unreachable
  Tls,                // handshake failed, certificate not trusted, wrong host name
  Timeout,            // no complete answer within the request's timeout
  ConnectionDropped,  // the peer closed the connection before a complete answer
  TooLarge,           // the answer exceeds HttpClientOptions::maxResponseBytes
};

struct HttpFailure {
  HttpFailureKind kind = HttpFailureKind::Connect;
  // For logs and the admin: names the host and what to fix ("the certificate
  // of 127.0.0.1:8443 is not trusted: set CRENEAU_CA_FILE to the CA that
  // signed it"). Never holds a header value or a body.
  std::string message;
  // Timeout, Connect, ConnectionDropped, Resolve: worth retrying later.
  [[nodiscard]] bool transient() const;
};

// A response (any status) or why none came.
class HttpResult {
 public:
  HttpResult(HttpResponse r) : response_(std::move(r)) {}  // NOLINT: implicit on purpose
  HttpResult(HttpFailure f) : failure_(std::move(f)) {}    // NOLINT
  explicit operator bool() const { return response_.has_value(); }
  [[nodiscard]] const HttpResponse& response() const { return *response_; }
  [[nodiscard]] const HttpResponse* operator->() const { return &*response_; }
  [[nodiscard]] const HttpFailure& failure() const { return failure_; }

 private:
  std::optional<HttpResponse> response_;
  HttpFailure failure_;
};

struct HttpClientOptions {
  // PEM file of the CAs to trust instead of the system's store (tests, private
  // CAs). Empty: the system store (/etc/ssl/certs).
  std::string caFile;
  std::size_t maxResponseBytes = 32u << 20;
  std::size_t maxIdlePerHost = 8;
  std::string userAgent = "creneau/1.0";
};

// CRENEAU_CA_FILE from the environment, when set, as caFile.
[[nodiscard]] HttpClientOptions httpOptionsFromEnvironment();

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  [[nodiscard]] virtual HttpResult send(const HttpRequest& request) = 0;
};

[[nodiscard]] std::unique_ptr<HttpClient> makeHttpClient(const HttpClientOptions& options);

// application/x-www-form-urlencoded body or query from pairs (RFC 3986
// unreserved characters kept, everything else percent-encoded).
[[nodiscard]] std::string formEncode(
    const std::vector<std::pair<std::string, std::string>>& fields);
[[nodiscard]] std::string urlEncode(const std::string& text);

}  // namespace creneau::engine::net
