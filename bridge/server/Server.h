#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "bridge/server/Router.h"
#include "bridge/server/ServerConfig.h"

namespace creneau::bridge {

// The server could not start: address in use, TLS files missing or invalid.
class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The one HTTP server (DESIGN.md decision 9): Poco's HTTPServer on a thread
// pool, keep-alive, optional TLS, and one exception boundary around the
// Router. Every request is checked (path, body size) before routing and
// written to the access log ("creneau.bridge.access"): method, path with
// secrets redacted, status, milliseconds, peer. Never headers or bodies.
//
// Writing to a socket the peer closed must not kill the process: start()
// sets SIGPIPE to ignored.
class Server {
 public:
  // `router` must outlive the server.
  Server(ServerConfig config, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. Throws ServerError with a message naming the
  // address or file at fault.
  void start();
  // Graceful stop: no new connections, requests in flight may finish within
  // config.stopTimeout (or `timeout`), then every connection is closed and
  // the workers joined. Idempotent.
  void stop();
  void stop(std::chrono::milliseconds timeout);

  [[nodiscard]] bool running() const;
  // The bound port (the chosen one when config.port is 0).
  [[nodiscard]] int port() const;
  // "http://127.0.0.1:8080" (https with TLS): where this server answers.
  [[nodiscard]] std::string localUrl() const;
  // config.publicUrl if set, else localUrl(): the base of links shown to users.
  [[nodiscard]] std::string publicUrl() const;
  // Requests being handled right now.
  [[nodiscard]] int inFlight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace creneau::bridge
