#include "bridge/server/Response.h"

#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>

#include <algorithm>
#include <stdexcept>

namespace creneau::bridge {

void Response::setHeader(const std::string& name, const std::string& value) {
  std::erase_if(headers_, [&](const auto& h) { return Poco::icompare(h.first, name) == 0; });
  headers_.emplace_back(name, value);
}

void Response::addHeader(const std::string& name, const std::string& value) {
  headers_.emplace_back(name, value);
}

void Response::setBody(std::string body, const std::string& contentType) {
  body_ = std::move(body);
  shared_.reset();
  setHeader("Content-Type", contentType);
}

void Response::setSharedBody(std::shared_ptr<const std::string> body,
                             const std::string& contentType) {
  body_.clear();
  shared_ = std::move(body);
  setHeader("Content-Type", contentType);
}

void Response::reset() {
  if (committed_) throw std::logic_error("Response::reset() after the headers were sent");
  status_ = 200;
  headers_.clear();
  body_.clear();
  shared_.reset();
}

void Response::applyHeaders() {
  raw_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status_));
  for (auto& [name, value] : headers_) {
    if (Poco::icompare(name, "Content-Type") == 0)
      raw_.setContentType(value);
    else
      raw_.add(name, value);
  }
  if (close_) raw_.setKeepAlive(false);
}

std::ostream& Response::beginStream() {
  if (committed_) throw std::logic_error("Response::beginStream() called twice");
  committed_ = true;
  applyHeaders();
  raw_.setChunkedTransferEncoding(true);
  return raw_.send();
}

void Response::commit() {
  if (committed_) return;
  committed_ = true;
  applyHeaders();
  // 1xx, 204 and 304 carry no body and no Content-Length.
  if (status_ == 204 || status_ == 304 || status_ < 200) {
    raw_.setChunkedTransferEncoding(false);
    raw_.send();
    return;
  }
  if (shared_)
    raw_.sendBuffer(shared_->data(), shared_->size());
  else
    raw_.sendBuffer(body_.data(), body_.size());
}

}  // namespace creneau::bridge
