#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace creneau::bridge {

// A DAV precondition or postcondition element (RFC 4918 section 16), named
// by namespace and local name: {"DAV:", "need-privileges"},
// {"urn:ietf:params:xml:ns:caldav", "valid-calendar-data"}.
struct DavCondition {
  std::string ns;
  std::string element;
  bool operator==(const DavCondition&) const = default;
};

// The error a handler throws to answer with a status. The one exception
// boundary (Server.cpp) turns it into a response through the router's
// ErrorRenderer. what() is shown to the client: keep internals out of it.
//
//   throw HttpError(404, "no such calendar");
//   throw HttpError(403, {"DAV:", "need-privileges"}, "appointments are read-only");
//   throw HttpError(401, "login required").withHeader("WWW-Authenticate", "Basic realm=\"x\"");
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  HttpError(int status, DavCondition condition, const std::string& message = {})
      : std::runtime_error(message), status_(status), condition_(std::move(condition)) {}

  // Extra response headers (Allow, WWW-Authenticate, Retry-After...).
  HttpError& withHeader(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }

  [[nodiscard]] int status() const { return status_; }
  [[nodiscard]] const std::optional<DavCondition>& condition() const { return condition_; }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const {
    return headers_;
  }

 private:
  int status_;
  std::optional<DavCondition> condition_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace creneau::bridge
