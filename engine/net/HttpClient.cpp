#include "engine/net/HttpClient.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SocketDefs.h>
#include <Poco/Net/VerificationErrorArgs.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <variant>

namespace creneau::engine::net {

namespace {

using Clock = std::chrono::steady_clock;

// The reason OpenSSL gave for rejecting the peer's certificate during the
// handshake that runs on this thread (the verify callback runs inside
// SSL_connect, on the calling thread).
thread_local std::string tlsVerifyError;
thread_local int tlsVerifyErrorCode = 0;

// Poco asks the registered InvalidCertificateHandler whether to accept a
// certificate OpenSSL could not verify. Poco's default handler for clients is
// the console one; ours rejects everything and only remembers why.
class RejectAndRecordHandler : public Poco::Net::InvalidCertificateHandler {
 public:
  RejectAndRecordHandler() : InvalidCertificateHandler(false) {}
  void onInvalidCertificate(const void*, Poco::Net::VerificationErrorArgs& args) override {
    if (tlsVerifyError.empty()) {
      tlsVerifyError = args.errorMessage();
      tlsVerifyErrorCode = args.errorNumber();
    }
    args.setIgnoreError(false);
  }
};

void initializeSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    // Registering our handler as the client handler also keeps Poco from
    // creating its interactive default one.
    Poco::Net::SSLManager::instance().initializeClient(
        nullptr, Poco::Net::SSLManager::InvalidCertificateHandlerPtr(new RejectAndRecordHandler),
        nullptr);
  });
}

struct Target {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::uint16_t port = 0;
  std::string pathAndQuery;
  [[nodiscard]] std::string key() const {
    return scheme + "://" + host + ":" + std::to_string(port);
  }
  [[nodiscard]] std::string hostPort() const {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
};

std::optional<Target> parseTarget(const std::string& url) {
  try {
    Poco::URI uri(url);
    Target t;
    t.scheme = uri.getScheme();
    if (t.scheme != "http" && t.scheme != "https") return std::nullopt;
    t.host = uri.getHost();
    if (t.host.empty()) return std::nullopt;
    t.port = uri.getPort();
    t.pathAndQuery = uri.getPathEtc();
    if (t.pathAndQuery.empty()) t.pathAndQuery = "/";
    // getPathEtc() keeps the fragment, which never goes on the wire.
    if (auto hash = t.pathAndQuery.find('#'); hash != std::string::npos) {
      t.pathAndQuery.erase(hash);
    }
    return t;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

bool isIpAddress(const std::string& host) {
  Poco::Net::IPAddress ip;
  return Poco::Net::IPAddress::tryParse(host, ip);
}

struct IdleSession {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  Clock::time_point since;
};

// Sessions idle longer than this are closed rather than reused: servers close
// idle keep-alive connections after a few seconds (Apache 5 s, nginx 75 s,
// Google/Microsoft front ends longer), and a fresh connection is cheaper than
// a failed attempt.
constexpr auto kMaxIdle = std::chrono::seconds(4);

std::chrono::milliseconds remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

Poco::Timespan toTimespan(std::chrono::milliseconds ms) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

// Why one attempt failed; retryableOnReuse when a reused connection failed
// before any byte of the answer, the sign of a server that closed it while it
// sat idle (then the request was not processed and may be sent again).
struct AttemptFailure {
  HttpFailure failure;
  bool retryableOnReuse = false;
};

class PocoHttpClient final : public HttpClient {
 public:
  explicit PocoHttpClient(HttpClientOptions options) : options_(std::move(options)) {}

  HttpResult send(const HttpRequest& request) override {
    auto target = parseTarget(request.url);
    if (!target) {
      return HttpFailure{HttpFailureKind::InvalidUrl,
                         "not an absolute http:// or https:// URL (check the configured base URL)"};
    }
    const auto deadline = Clock::now() + request.timeout;

    auto pooled = takeIdle(target->key());
    if (pooled) {
      auto result = attempt(*target, request, deadline, std::move(pooled), true);
      if (auto* failed = std::get_if<AttemptFailure>(&result);
          failed == nullptr || !failed->retryableOnReuse) {
        return finish(std::move(result));
      }
      // The server closed the idle connection before our request reached it:
      // nothing was processed, so one more try on a new connection is safe.
    }
    auto session = newSession(*target);
    if (auto* failed = std::get_if<HttpFailure>(&session)) return std::move(*failed);
    return finish(attempt(
        *target, request, deadline,
        std::move(std::get<std::unique_ptr<Poco::Net::HTTPClientSession>>(session)), false));
  }

 private:
  using Attempt = std::variant<HttpResponse, AttemptFailure>;

  static HttpResult finish(Attempt&& a) {
    if (auto* r = std::get_if<HttpResponse>(&a)) return std::move(*r);
    return std::move(std::get<AttemptFailure>(a).failure);
  }

  std::unique_ptr<Poco::Net::HTTPClientSession> takeIdle(const std::string& key) {
    std::vector<IdleSession> stale;  // closed after the lock is released
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
      IdleSession s = std::move(list.back());
      list.pop_back();
      if (Clock::now() - s.since > kMaxIdle || closedByPeer(*s.session)) {
        stale.push_back(std::move(s));
        continue;
      }
      return std::move(s.session);
    }
    return nullptr;
  }

  // An idle keep-alive socket that is readable has either been closed by the
  // server or holds stray bytes; neither can carry our next request.
  static bool closedByPeer(Poco::Net::HTTPClientSession& session) {
    try {
      if (!session.connected()) return true;
      return session.socket().poll(
          Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
      return true;
    }
  }

  void giveBack(const std::string& key, std::unique_ptr<Poco::Net::HTTPClientSession> session) {
    std::vector<IdleSession> stale;  // closed after the lock is released
    std::lock_guard lock(mutex_);
    // Sessions to hosts no longer called would otherwise hold their sockets.
    const auto now = Clock::now();
    for (auto& [k, list] : idle_) {
      for (auto& s : list) {
        if (now - s.since > kMaxIdle) stale.push_back(std::move(s));
      }
      std::erase_if(list, [](const IdleSession& s) { return !s.session; });
    }
    auto& list = idle_[key];
    if (list.size() >= options_.maxIdlePerHost) {
      stale.push_back(IdleSession{std::move(session), now});
      return;
    }
    list.push_back(IdleSession{std::move(session), now});
  }

  std::variant<std::unique_ptr<Poco::Net::HTTPClientSession>, HttpFailure> newSession(
      const Target& t) {
    if (t.scheme == "http") {
      return std::make_unique<Poco::Net::HTTPClientSession>(t.host, t.port);
    }
    auto context = contextFor(t);
    if (auto* failed = std::get_if<HttpFailure>(&context)) return std::move(*failed);
    return std::unique_ptr<Poco::Net::HTTPClientSession>(
        std::make_unique<Poco::Net::HTTPSClientSession>(
            t.host, t.port, std::get<Poco::Net::Context::Ptr>(context)));
  }

  // One TLS context per host: OpenSSL checks the host name (or IP address)
  // against the certificate's subjectAltName while it verifies the chain
  // (RFC 6125), configured through the context's verify parameters.
  std::variant<Poco::Net::Context::Ptr, HttpFailure> contextFor(const Target& t) {
    initializeSslOnce();
    std::lock_guard lock(mutex_);
    if (auto it = contexts_.find(t.host); it != contexts_.end()) return it->second;
    try {
      Poco::Net::Context::Params params;
      params.caLocation = options_.caFile;
      params.loadDefaultCAs = options_.caFile.empty();
      params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // client: SSL_VERIFY_PEER
      params.verificationDepth = 9;
      Poco::Net::Context::Ptr ctx =
          new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
      ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      X509_VERIFY_PARAM* vp = SSL_CTX_get0_param(ctx->sslContext());
      X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      int ok = isIpAddress(t.host) ? X509_VERIFY_PARAM_set1_ip_asc(vp, t.host.c_str())
                                   : X509_VERIFY_PARAM_set1_host(vp, t.host.c_str(), 0);
      if (ok != 1) {
        return HttpFailure{HttpFailureKind::InvalidUrl,
                           "cannot check certificates for host " + t.host + " (invalid host name)"};
      }
      // OpenSSL now does the host name check; Poco's own one does not know
      // IP subjectAltNames in this version.
      ctx->enableExtendedCertificateVerification(false);
      contexts_.emplace(t.host, ctx);
      return ctx;
    } catch (const Poco::Exception& e) {
      std::string what = options_.caFile.empty()
                             ? "the system's CA certificates cannot be loaded (" + e.message() + ")"
                             : "the CA file " + options_.caFile +
                                   " (CRENEAU_CA_FILE) cannot be loaded (" + e.message() +
                                   "): it must be a readable PEM file";
      return HttpFailure{HttpFailureKind::Tls, what};
    }
  }

  Attempt attempt(const Target& t, const HttpRequest& request, Clock::time_point deadline,
                  std::unique_ptr<Poco::Net::HTTPClientSession> session, bool reused) {
    const std::string where = t.hostPort();
    bool sent = false;
    bool answerStarted = false;
    tlsVerifyError.clear();
    tlsVerifyErrorCode = 0;
    try {
      auto left = toTimespan(remaining(deadline));
      session->setTimeout(left, left, left);
      session->setKeepAlive(true);
      session->setKeepAliveTimeout(Poco::Timespan(
          std::chrono::duration_cast<std::chrono::seconds>(kMaxIdle).count() + 1, 0));
      if (session->connected()) {
        session->socket().setSendTimeout(left);
        session->socket().setReceiveTimeout(left);
      }
      Poco::Net::HTTPRequest req(request.method, t.pathAndQuery, Poco::Net::HTTPMessage::HTTP_1_1);
      req.setKeepAlive(true);
      bool hasUserAgent = false;
      for (const auto& [name, value] : request.headers) {
        if (Poco::icompare(name, "User-Agent") == 0) hasUserAgent = true;
        req.add(name, value);
      }
      if (!hasUserAgent && !options_.userAgent.empty()) req.set("User-Agent", options_.userAgent);
      if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
          request.method == "PATCH") {
        req.setContentLength(static_cast<std::streamsize>(request.body.size()));
      }
      std::ostream& out = session->sendRequest(req);
      // Poco does not fail a TLS handshake that runs out of time: it returns
      // and retries the handshake on each later write or read, each waiting
      // the whole timeout again. The deadline is checked here instead.
      if (Clock::now() >= deadline) throw Poco::TimeoutException("connect");
      if (!request.body.empty())
        out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
      out.flush();
      if (!out) throw Poco::Net::ConnectionResetException("send failed");
      sent = true;

      // sendRequest() may have (re)connected: the socket's timeouts only now
      // exist for a fresh connection.
      session->socket().setReceiveTimeout(toTimespan(remaining(deadline)));
      Poco::Net::HTTPResponse res;
      std::istream& in = session->receiveResponse(res);
      answerStarted = true;

      HttpResponse response;
      response.status = static_cast<int>(res.getStatus());
      response.reason = res.getReason();
      for (const auto& [name, value] : res) response.headers.emplace_back(name, value);

      std::optional<std::size_t> expected;
      if (res.hasContentLength()) {
        auto n = res.getContentLength64();
        if (n >= 0) {
          if (static_cast<std::uint64_t>(n) > options_.maxResponseBytes) return tooLarge(where);
          expected = static_cast<std::size_t>(n);
        }
      }
      bool noBody = request.method == "HEAD" || response.status == 204 || response.status == 304 ||
                    (response.status >= 100 && response.status < 200);
      if (!noBody) {
        char buffer[16384];
        while (true) {
          if (Clock::now() >= deadline) throw Poco::TimeoutException("body");
          session->socket().setReceiveTimeout(toTimespan(remaining(deadline)));
          // peek() waits for one socket read (bounded by the timeout just
          // set); readsome() then takes what arrived. A plain read() of a
          // full buffer would wait for many reads and outlive the deadline.
          if (in.peek() == std::char_traits<char>::eof()) break;
          auto got = static_cast<std::size_t>(in.readsome(buffer, sizeof buffer));
          if (response.body.size() + got > options_.maxResponseBytes) return tooLarge(where);
          response.body.append(buffer, got);
        }
        if (in.bad()) {
          // The stream swallowed the socket's exception; the session kept it.
          if (const Poco::Exception* e = session->networkException()) e->rethrow();
          throw Poco::Net::ConnectionResetException("body");
        }
        if (expected && response.body.size() != *expected) {
          return AttemptFailure{{HttpFailureKind::ConnectionDropped,
                                 where + " closed the connection in the middle of the answer (" +
                                     std::to_string(response.body.size()) + " of " +
                                     std::to_string(*expected) + " bytes): retry later"}};
        }
      }
      if (res.getKeepAlive()) {
        giveBack(t.key(), std::move(session));
      }
      return response;
    } catch (const Poco::Exception&) {
      return classifyCurrentException(t, request, deadline, *session, sent, answerStarted, reused);
    }
  }

  // Called inside a catch block: what the exception being handled means.
  static AttemptFailure classifyCurrentException(const Target& t, const HttpRequest& request,
                                                 Clock::time_point deadline,
                                                 Poco::Net::HTTPClientSession& session, bool sent,
                                                 bool answerStarted, bool reused) {
    const std::string where = t.hostPort();
    const AttemptFailure timeout{
        {HttpFailureKind::Timeout, where + " did not answer within " +
                                       std::to_string(request.timeout.count()) +
                                       " ms: retry later, or check that the server is up"}};
    try {
      throw;
    } catch (const Poco::TimeoutException&) {
      return timeout;
    } catch (const Poco::Net::SSLException& e) {
      if (tlsVerifyError.empty() && Clock::now() >= deadline) return timeout;
      return AttemptFailure{tlsFailure(t, e)};
    } catch (const Poco::Exception&) {
      // Whatever broke once the time was up (a TLS handshake that never
      // completed surfaces later as a reset), the request timed out.
      if (Clock::now() >= deadline) return timeout;
    }
    try {
      throw;
    } catch (const Poco::Net::NoMessageException&) {
      // End of stream before the first byte of the answer.
      return AttemptFailure{{HttpFailureKind::ConnectionDropped,
                             where + " closed the connection without answering: retry later"},
                            reused && !answerStarted};
    } catch (const Poco::Net::ConnectionRefusedException&) {
      return AttemptFailure{
          {HttpFailureKind::Connect,
           "connection to " + where +
               " refused: check the URL's host and port and that the server runs"}};
    } catch (const Poco::Net::HostNotFoundException&) {
      return resolveFailure(t);
    } catch (const Poco::Net::NoAddressFoundException&) {
      return resolveFailure(t);
    } catch (const Poco::Net::DNSException&) {
      return resolveFailure(t);
    } catch (const Poco::Net::ConnectionResetException&) {
      return droppedOrConnect(where, sent, answerStarted, reused);
    } catch (const Poco::Net::ConnectionAbortedException&) {
      return droppedOrConnect(where, sent, answerStarted, reused);
    } catch (const Poco::Net::MessageException&) {
      return AttemptFailure{{HttpFailureKind::ConnectionDropped,
                             where + " sent an incomplete or malformed answer: retry later"}};
    } catch (const Poco::IOException& e) {
      // Net errors not classified above: unreachable network, EPIPE on send...
      if (!sent && !session.connected()) {
        return AttemptFailure{{HttpFailureKind::Connect, "cannot connect to " + where + " (" +
                                                             e.displayText() +
                                                             "): check the network and the URL"}};
      }
      return droppedOrConnect(where, sent, answerStarted, reused);
    } catch (const Poco::Exception& e) {
      return AttemptFailure{{HttpFailureKind::ConnectionDropped,
                             "request to " + where + " failed (" + e.displayText() + ")"}};
    }
  }

  AttemptFailure tooLarge(const std::string& where) const {
    return AttemptFailure{
        {HttpFailureKind::TooLarge, "the answer of " + where + " exceeds " +
                                        std::to_string(options_.maxResponseBytes) + " bytes"}};
  }

  static AttemptFailure resolveFailure(const Target& t) {
    return AttemptFailure{
        {HttpFailureKind::Resolve,
         "host name " + t.host + " does not resolve: check the URL and the DNS configuration"}};
  }

  static AttemptFailure droppedOrConnect(const std::string& where, bool sent, bool answerStarted,
                                         bool reused) {
    // A reset while sending or before any byte of the answer, on a reused
    // connection, is the server having closed it while it sat idle.
    return AttemptFailure{
        {HttpFailureKind::ConnectionDropped,
         where + " closed the connection " +
             (sent ? "before a complete answer" : "while the request was sent") + ": retry later"},
        reused && !answerStarted};
  }

  static HttpFailure tlsFailure(const Target& t, const Poco::Net::SSLException& e) {
    const std::string where = t.hostPort();
    if (tlsVerifyErrorCode == X509_V_ERR_HOSTNAME_MISMATCH ||
        tlsVerifyErrorCode == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      return {HttpFailureKind::Tls, "the certificate of " + where + " is not valid for " + t.host +
                                        " (" + tlsVerifyError +
                                        "): use the host name the certificate was issued for"};
    }
    if (!tlsVerifyError.empty()) {
      return {HttpFailureKind::Tls,
              "the certificate of " + where + " is not trusted (" + tlsVerifyError +
                  "): set CRENEAU_CA_FILE to the PEM of the CA that signed it"};
    }
    return {HttpFailureKind::Tls, "TLS handshake with " + where + " failed (" + e.message() +
                                      "): check that the URL's port speaks https"};
  }

  HttpClientOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::vector<IdleSession>> idle_;
  std::map<std::string, Poco::Net::Context::Ptr> contexts_;
};

}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (Poco::icompare(n, name) == 0) return v;
  }
  return std::nullopt;
}

bool HttpFailure::transient() const {
  switch (kind) {
    case HttpFailureKind::Timeout:
    case HttpFailureKind::Connect:
    case HttpFailureKind::ConnectionDropped:
    case HttpFailureKind::Resolve:
      return true;
    case HttpFailureKind::InvalidUrl:
    case HttpFailureKind::Tls:
    case HttpFailureKind::TooLarge:
      return false;
  }
  return false;
}

HttpClientOptions httpOptionsFromEnvironment() {
  HttpClientOptions options;
  if (const char* ca = std::getenv("CRENEAU_CA_FILE"); ca != nullptr && *ca != '\0') {
    options.caFile = ca;
  }
  return options;
}

std::unique_ptr<HttpClient> makeHttpClient(const HttpClientOptions& options) {
  return std::make_unique<PocoHttpClient>(options);
}

std::string urlEncode(const std::string& text) {
  // Poco::URI::encode keeps unreserved characters (RFC 3986 section 2.3) and
  // escapes the ones listed here as well as every other non-unreserved one.
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]%\" <>\\^`{|}", out);
  return out;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += urlEncode(name);
    out += '=';
    out += urlEncode(value);
  }
  return out;
}

}  // namespace creneau::engine::net
