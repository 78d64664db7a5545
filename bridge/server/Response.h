#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace Poco::Net {
class HTTPServerResponse;
}

namespace creneau::bridge {

// What a handler fills in. The body is buffered and sent by the server after
// the handler returns (with Content-Length, and headers only for HEAD), so
// an exception thrown half-way still becomes a clean error response. Large
// outputs may stream instead: beginStream() sends the headers at once with
// chunked encoding; after that, errors can only close the connection.
class Response {
 public:
  explicit Response(Poco::Net::HTTPServerResponse& raw) : raw_(raw) {}

  void setStatus(int status) { status_ = status; }
  [[nodiscard]] int status() const { return status_; }

  // Replaces any header of that name; addHeader keeps earlier ones.
  void setHeader(const std::string& name, const std::string& value);
  void addHeader(const std::string& name, const std::string& value);
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const {
    return headers_;
  }

  void setBody(std::string body, const std::string& contentType);
  // A body shared with a cache (a rendered calendar of megabytes): sent
  // without a copy. body() stays empty.
  void setSharedBody(std::shared_ptr<const std::string> body, const std::string& contentType);
  [[nodiscard]] std::string& body() { return body_; }
  [[nodiscard]] std::size_t bodySize() const { return shared_ ? shared_->size() : body_.size(); }

  // Answer, then close the connection (no keep-alive).
  void closeConnection() { close_ = true; }
  [[nodiscard]] bool closesConnection() const { return close_; }

  // Sends status and headers now and returns the body stream (chunked).
  [[nodiscard]] std::ostream& beginStream();
  [[nodiscard]] bool committed() const { return committed_; }

  // Forget status, headers and body set so far (before an error response).
  void reset();
  // Sends status, headers and the buffered body. Called once by the server.
  void commit();

 private:
  void applyHeaders();

  Poco::Net::HTTPServerResponse& raw_;
  int status_ = 200;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::shared_ptr<const std::string> shared_;
  bool close_ = false;
  bool committed_ = false;
};

}  // namespace creneau::bridge
