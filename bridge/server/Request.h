#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge/server/RequestPath.h"

namespace Poco::Net {
class HTTPServerRequest;
}

namespace creneau::bridge {

// Reads a whole request body from `in`, at most `limit` bytes; one byte more
// throws HttpError(413). Use it for any body stream (chunked or not).
[[nodiscard]] std::string readBodyLimited(std::istream& in, std::size_t limit);

// What a handler sees of one HTTP request: the checked, decoded path, the
// route's parameters, headers, and a body read on demand within the limit.
// Poco's request stays reachable through raw() for what is not wrapped.
class Request {
 public:
  Request(Poco::Net::HTTPServerRequest& raw, RequestTarget target, std::size_t maxBody);

  [[nodiscard]] const std::string& method() const { return method_; }
  // Percent-decoded once, checked (no "..", no encoded '/', no NUL).
  [[nodiscard]] const std::string& path() const { return target_.path; }
  [[nodiscard]] const std::string& rawPath() const { return target_.rawPath; }
  [[nodiscard]] const std::string& rawQuery() const { return target_.rawQuery; }
  // First value of a query parameter, decoded ('+' is a space).
  [[nodiscard]] std::optional<std::string> query(std::string_view name) const;

  // A header by case-insensitive name.
  [[nodiscard]] std::optional<std::string> header(const std::string& name) const;

  // A route parameter: "{token}" in "/feeds/{token}.ics"; "*" is what a
  // prefix route ("/dav/*") leaves after its prefix. Empty when absent.
  [[nodiscard]] const std::string& param(std::string_view name) const;
  void setParams(std::vector<std::pair<std::string, std::string>> params) {
    params_ = std::move(params);
  }

  // "host:port" of the peer.
  [[nodiscard]] std::string remoteAddress() const;

  // The declared length, if any (absent for chunked bodies).
  [[nodiscard]] std::optional<std::size_t> contentLength() const;
  [[nodiscard]] bool hasBody() const;
  // The whole body, read once on first call, at most maxBodySize() bytes:
  // more throws HttpError(413) (the connection is then closed).
  [[nodiscard]] const std::string& body();
  [[nodiscard]] std::size_t maxBodySize() const { return maxBody_; }
  // The body as a stream, for handlers that parse incrementally. The caller
  // must bound what it reads (readBodyLimited does).
  [[nodiscard]] std::istream& bodyStream();

  // Reads what the handler left unread, up to the limit, so the connection
  // can serve the next request. False if that is not possible.
  [[nodiscard]] bool drainBody();

  [[nodiscard]] Poco::Net::HTTPServerRequest& raw() { return raw_; }
  [[nodiscard]] const Poco::Net::HTTPServerRequest& raw() const { return raw_; }

 private:
  Poco::Net::HTTPServerRequest& raw_;
  RequestTarget target_;
  std::string method_;
  std::size_t maxBody_;
  std::vector<std::pair<std::string, std::string>> params_;
  std::optional<std::string> body_;
  bool streamTouched_ = false;
};

}  // namespace creneau::bridge
