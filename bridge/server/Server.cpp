#include "bridge/server/Server.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>
#include <openssl/ssl.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

namespace creneau::bridge {

namespace {

using Clock = std::chrono::steady_clock;

// State shared by the server and every request handler.
struct Core {
  Core(ServerConfig c, const Router& r) : config(std::move(c)), router(r) {}

  const ServerConfig config;
  const Router& router;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  int inFlight = 0;
  Poco::Logger& access = Poco::Logger::get("creneau.bridge.access");
  Poco::Logger& log = Poco::Logger::get("creneau.bridge.server");
};

class InFlight {
 public:
  explicit InFlight(Core& core) : core_(core) {
    std::lock_guard lock(core_.mutex);
    ++core_.inFlight;
  }
  ~InFlight() {
    std::lock_guard lock(core_.mutex);
    if (--core_.inFlight == 0) core_.idle.notify_all();
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Core& core_;
};

// What the factory decided before the handler runs: a route, or an error.
struct Prepared {
  std::optional<RequestTarget> target;
  std::optional<RouteMatch> match;
  std::optional<HttpError> error;
  bool closeAfter = false;  // the body cannot be skipped: close the connection
};

// The one exception boundary: runs the routed handler and turns every
// exception into a status, then writes the access log line.
class Exchange final : public Poco::Net::HTTPRequestHandler {
 public:
  Exchange(std::shared_ptr<Core> core, Prepared prepared)
      : core_(std::move(core)), prepared_(std::move(prepared)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& rawReq,
                     Poco::Net::HTTPServerResponse& rawRes) override {
    const auto t0 = Clock::now();
    InFlight inFlight(*core_);
    Response res(rawRes);
    std::optional<Request> req;
    if (prepared_.target) req.emplace(rawReq, *prepared_.target, core_->config.maxBody);
    if (prepared_.closeAfter) res.closeConnection();
    try {
      if (prepared_.error) throw *prepared_.error;
      req->setParams(std::move(prepared_.match->params));
      prepared_.match->handler(*req, res);
      if (!res.committed() && !drain(*req)) res.closeConnection();
      // While stopping, the connection ends after this answer (Connection:
      // close), so the client reads it whole before anything is shut down.
      if (core_->stopping) res.closeConnection();
      res.commit();
    } catch (const HttpError& e) {
      fail(e, req, res);
    } catch (const Poco::TimeoutException&) {
      fail(HttpError(408, "timed out reading the request"), req, res, true);
    } catch (const Poco::Net::MessageException&) {
      // A malformed body encoding (bad chunk size...).
      fail(HttpError(400, "malformed request body"), req, res, true);
    } catch (const Poco::Net::NetException& e) {
      // The peer went away; nothing can be answered. Logged as 499 (nginx's
      // "client closed request") when no status was sent.
      core_->log.debug("%s %s: connection lost: %s", sanitizeForLog(rawReq.getMethod(), 32),
                       pathForLog(rawReq), e.displayText());
      if (!res.committed()) rawRes.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(499));
      rawRes.setKeepAlive(false);
    } catch (const Poco::Exception& e) {
      internalError(rawReq, e.displayText(), req, res);
    } catch (const std::exception& e) {
      internalError(rawReq, e.what(), req, res);
    } catch (...) {
      internalError(rawReq, "unknown exception", req, res);
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
    if (core_->access.information()) {
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.1fms", static_cast<double>(us.count()) / 1000.0);
      core_->access.information(rawReq.clientAddress().toString() + " \"" +
                                sanitizeForLog(rawReq.getMethod(), 32) + " " + pathForLog(rawReq) +
                                "\" " + std::to_string(static_cast<int>(rawRes.getStatus())) + " " +
                                ms);
    }
  }

 private:
  // Reads what the handler left of the body so the connection can carry the
  // next request; false when the body is too large or broken.
  static bool drain(Request& req) {
    try {
      return req.drainBody();
    } catch (const std::exception&) {
      return false;
    }
  }

  std::string pathForLog(const Poco::Net::HTTPServerRequest& rawReq) const {
    std::string path;
    std::string query;
    if (prepared_.target) {
      path = prepared_.match ? prepared_.match->logPath : prepared_.target->path;
      query = prepared_.target->rawQuery;
    } else {
      const std::string& uri = rawReq.getURI();
      const auto q = uri.find('?');
      path = uri.substr(0, q);
      if (q != std::string::npos) query = uri.substr(q + 1);
    }
    std::string out = sanitizeForLog(path, 200);
    if (!query.empty()) out += "?" + sanitizeForLog(redactQuery(query), 200);
    return out;
  }

  void internalError(const Poco::Net::HTTPServerRequest& rawReq, const std::string& what,
                     std::optional<Request>& req, Response& res) {
    core_->log.error("%s %s: unhandled exception: %s", sanitizeForLog(rawReq.getMethod(), 32),
                     pathForLog(rawReq), what);
    fail(HttpError(500, "internal error"), req, res);
  }

  void fail(const HttpError& error, std::optional<Request>& req, Response& res,
            bool close = false) {
    if (res.committed()) {
      // Headers are out: the client can only learn from a closed connection.
      core_->log.warning("error after the response started (%d): closing the connection",
                         error.status());
      res.closeConnection();
      return;
    }
    const bool wasClosing = res.closesConnection();
    res.reset();
    res.setStatus(error.status());
    for (auto& [name, value] : error.headers()) res.addHeader(name, value);
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (close || wasClosing || error.status() == 413 || !req || !drain(*req)) res.closeConnection();
    try {
      core_->router.errorRenderer()(error, req ? req->path() : std::string(), res);
    } catch (const std::exception& e) {
      core_->log.error("error renderer failed: %s", std::string(e.what()));
      res.reset();
      res.setStatus(error.status());
    }
    try {
      res.commit();
    } catch (const Poco::Exception& e) {
      core_->log.debug("cannot send the error response: %s", e.displayText());
    }
  }

  std::shared_ptr<Core> core_;
  Prepared prepared_;
};

// Never returns nullptr: every request gets an Exchange, with a route or
// with the error to answer (400, 404, 405, 413, 503).
class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& request) override {
    Prepared p;
    try {
      p.target = parseRequestTarget(request.getURI());
      if (core_->stopping) {
        p.closeAfter = true;
        throw HttpError(503, "the server is shutting down").withHeader("Retry-After", "5");
      }
      if (request.hasContentLength()) {
        const auto length = request.getContentLength64();
        if (length < 0 || static_cast<std::uint64_t>(length) > core_->config.maxBody) {
          p.closeAfter = true;  // answered without reading a byte of it
          throw HttpError(
              413, "request body larger than " + std::to_string(core_->config.maxBody) + " bytes");
        }
      }
      p.match = core_->router.match(request.getMethod(), p.target->path);
    } catch (const HttpError& e) {
      p.error = e;
    } catch (const std::exception& e) {
      core_->log.error("routing failed: %s", std::string(e.what()));
      p.error = HttpError(500, "internal error");
    }
    if (p.error) {
      // Not 200: Poco then skips "100 Continue", so the client does not send the body.
      request.response().setStatus(
          static_cast<Poco::Net::HTTPResponse::HTTPStatus>(p.error->status()));
      if (!p.target) p.closeAfter = true;
    }
    return new Exchange(core_, std::move(p));
  }

 private:
  std::shared_ptr<Core> core_;
};

std::string hostForUrl(const std::string& configured) {
  std::string host = configured;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host;
}

void requireReadable(const std::string& path, const std::string& what, const char* key) {
  if (!std::filesystem::exists(path))
    throw ServerError(what + " file not found: " + path + " (" + key + ")");
  if (!std::filesystem::is_regular_file(path))
    throw ServerError(what + " is not a file: " + path + " (" + key + ")");
  std::ifstream in(path);
  if (!in) throw ServerError(what + " file is not readable: " + path + " (" + key + ")");
}

Poco::Net::Context::Ptr makeTlsContext(const ServerConfig& config) {
  requireReadable(config.tlsCert, "TLS certificate", "tls.cert");
  requireReadable(config.tlsKey, "TLS private key", "tls.key");
  Poco::Net::Context::Params params;
  params.certificateFile = config.tlsCert;
  params.privateKeyFile = config.tlsKey;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // no client certificates
  params.loadDefaultCAs = false;
  params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  } catch (const Poco::Exception& e) {
    throw ServerError("cannot use TLS certificate " + config.tlsCert + " and key " + config.tlsKey +
                      ": " + e.displayText());
  }
  if (SSL_CTX_check_private_key(context->sslContext()) != 1)
    throw ServerError("TLS private key " + config.tlsKey + " does not match certificate " +
                      config.tlsCert);
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  context->preferServerCiphers();
  return context;
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<Core> core;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> http;
  std::optional<Poco::Net::ServerSocket> socket;
  bool sslInitialized = false;
  int port = 0;

  ~Impl() {
    if (sslInitialized) Poco::Net::uninitializeSSL();
  }
};

Server::Server(ServerConfig config, const Router& router) : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<Core>(std::move(config), router);
}

Server::~Server() {
  try {
    stop();
  } catch (...) {
  }
}

void Server::start() {
  if (impl_->http) return;
  std::signal(SIGPIPE, SIG_IGN);
  const ServerConfig& config = impl_->core->config;
  const std::string where = config.host + ":" + std::to_string(config.port);

  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(config.host, static_cast<Poco::UInt16>(config.port));
  } catch (const Poco::Exception& e) {
    throw ServerError("cannot resolve listen address " + where + ": " + e.displayText());
  }
  constexpr int kBacklog = 128;
  try {
    if (config.tls()) {
      auto context = makeTlsContext(config);
      if (!impl_->sslInitialized) {
        Poco::Net::initializeSSL();
        impl_->sslInitialized = true;
      }
      impl_->socket.emplace(Poco::Net::SecureServerSocket(context));
    } else {
      impl_->socket.emplace();
    }
    // Not Poco's ServerSocket(address) constructor: it sets SO_REUSEPORT, and a
    // second server on the same port would then start silently and share it.
    impl_->socket->bind(address, true, false);
    impl_->socket->listen(kBacklog);
  } catch (const Poco::Exception& e) {
    throw ServerError("cannot listen on " + where + ": " + e.displayText());
  }
  impl_->port = impl_->socket->address().port();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(config.threads);
  params->setMaxQueued(config.queue);
  params->setThreadIdleTime(Poco::Timespan(2, 0));
  params->setKeepAlive(config.keepAlive);
  params->setMaxKeepAliveRequests(config.maxKeepAliveRequests);
  params->setKeepAliveTimeout(Poco::Timespan(
      static_cast<Poco::Timespan::TimeDiff>(config.keepAliveTimeout.count()) * 1000));
  params->setTimeout(
      Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(config.timeout.count()) * 1000));
  params->setSoftwareVersion("Creneau");

  impl_->core->stopping = false;
  impl_->pool = std::make_unique<Poco::ThreadPool>(1, config.threads, 60);
  impl_->http = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->core), *impl_->pool,
                                                        *impl_->socket, params);
  impl_->http->start();
  impl_->core->log.information("listening on %s (%d threads, max body %z bytes)", localUrl(),
                               config.threads, config.maxBody);
}

void Server::stop() {
  stop(impl_->core->config.stopTimeout);
}

void Server::stop(std::chrono::milliseconds timeout) {
  if (!impl_->http) return;
  Core& core = *impl_->core;
  core.stopping = true;
  impl_->http->stop();  // closes the listening socket's accept loop
  {
    std::unique_lock lock(core.mutex);
    if (!core.idle.wait_for(lock, timeout, [&] { return core.inFlight == 0; }))
      core.log.warning("%d request(s) still running after %d ms: closing their connections",
                       core.inFlight, static_cast<int>(timeout.count()));
  }
  // The answers just sent close their own connections; give their threads a
  // moment to do so before the rest (idle keep-alives) are shut down.
  for (int i = 0; i < 20 && impl_->http->currentConnections() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->http->stopAll(true);  // shuts down every connection, idle keep-alives included
  impl_->pool->joinAll();
  impl_->http.reset();
  impl_->pool.reset();
  impl_->socket.reset();
  core.log.information("stopped");
}

bool Server::running() const {
  return impl_->http != nullptr;
}

int Server::port() const {
  return impl_->port;
}

std::string Server::localUrl() const {
  const ServerConfig& c = impl_->core->config;
  return std::string(c.tls() ? "https://" : "http://") + hostForUrl(c.host) + ":" +
         std::to_string(impl_->port);
}

std::string Server::publicUrl() const {
  const ServerConfig& c = impl_->core->config;
  return c.publicUrl.empty() ? localUrl() : c.publicUrl;
}

int Server::inFlight() const {
  std::lock_guard lock(impl_->core->mutex);
  return impl_->core->inFlight;
}

}  // namespace creneau::bridge
