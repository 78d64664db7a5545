#include "bridge/server/Request.h"

#include <Poco/Net/HTTPServerRequest.h>

#include <istream>

#include "bridge/server/HttpError.h"

namespace creneau::bridge {

std::string readBodyLimited(std::istream& in, std::size_t limit) {
  std::string out;
  char buf[16384];
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (out.size() + n > limit)
      throw HttpError(413, "request body larger than " + std::to_string(limit) + " bytes");
    out.append(buf, n);
  }
  return out;
}

Request::Request(Poco::Net::HTTPServerRequest& raw, RequestTarget target, std::size_t maxBody)
    : raw_(raw), target_(std::move(target)), method_(raw.getMethod()), maxBody_(maxBody) {}

std::optional<std::string> Request::query(std::string_view name) const {
  for (auto& [k, v] : parseQuery(target_.rawQuery))
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> Request::header(const std::string& name) const {
  auto it = raw_.find(name);
  if (it == raw_.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::param(std::string_view name) const {
  static const std::string kEmpty;
  for (auto& [k, v] : params_)
    if (k == name) return v;
  return kEmpty;
}

std::string Request::remoteAddress() const {
  return raw_.clientAddress().toString();
}

std::optional<std::size_t> Request::contentLength() const {
  if (!raw_.hasContentLength()) return std::nullopt;
  const auto n = raw_.getContentLength64();
  if (n < 0) return std::nullopt;
  return static_cast<std::size_t>(n);
}

bool Request::hasBody() const {
  if (raw_.getChunkedTransferEncoding()) return true;
  auto n = contentLength();
  return n && *n > 0;
}

const std::string& Request::body() {
  if (!body_) {
    if (streamTouched_) throw std::logic_error("Request::body() after bodyStream()");
    if (auto n = contentLength(); n && *n > maxBody_)
      throw HttpError(413, "request body larger than " + std::to_string(maxBody_) + " bytes");
    body_ = hasBody() ? readBodyLimited(raw_.stream(), maxBody_) : std::string();
  }
  return *body_;
}

std::istream& Request::bodyStream() {
  streamTouched_ = true;
  return raw_.stream();
}

bool Request::drainBody() {
  if (body_ || !hasBody()) return true;
  if (auto n = contentLength(); n && *n > maxBody_) return false;
  std::istream& in = raw_.stream();
  char buf[16384];
  std::size_t total = 0;
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    total += n;
    if (total > maxBody_) return false;
  }
  return in.eof();
}

}  // namespace creneau::bridge
