#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bridge/server/HttpError.h"
#include "bridge/server/Request.h"
#include "bridge/server/Response.h"

namespace creneau::bridge {

// A request handler: reads the Request, fills the Response, or throws
// HttpError for an error status. One file per handler.
using Handler = std::function<void(Request&, Response&)>;

// Turns an error into a response body. The default writes a short plain
// text body, or a DAV error document (RFC 4918 16) when the error carries
// a DAV condition. `path` is the decoded request path ("" if it was refused).
using ErrorRenderer = std::function<void(const HttpError&, const std::string& path, Response&)>;
void renderDefaultError(const HttpError& error, const std::string& path, Response& res);

// The outcome of routing one request: always a handler (never null).
struct RouteMatch {
  Handler handler;
  std::vector<std::pair<std::string, std::string>> params;
  std::string pattern;  // the route that matched: "/feeds/{token}.ics"
  std::string method;   // the method it was registered for ("GET" for HEAD, "*")
  // The path as it may be logged: route parameters holding secrets
  // ({token}, {code}...) replaced by "***".
  std::string logPath;
};

// Routes by method and path pattern. Patterns:
//   "/healthz"            exact path
//   "/feeds/{token}.ics"  one segment captured, with optional literal prefix/suffix
//   "/dav/*"              prefix: "/dav/" and everything below; param "*" is the rest
// The most specific pattern wins (exact, then patterns with more literal
// characters, then the longest prefix). A path with no pattern answers 404;
// a pattern without the method answers 405 with Allow. HEAD falls back to
// GET, OPTIONS without its own handler answers 204 with Allow. Method "*"
// accepts every method (the handler dispatches itself).
class Router {
 public:
  Router& add(std::string method, std::string pattern, Handler handler);
  Router& get(std::string pattern, Handler h) {
    return add("GET", std::move(pattern), std::move(h));
  }
  Router& post(std::string pattern, Handler h) {
    return add("POST", std::move(pattern), std::move(h));
  }

  void setErrorRenderer(ErrorRenderer renderer) { errorRenderer_ = std::move(renderer); }
  [[nodiscard]] const ErrorRenderer& errorRenderer() const { return errorRenderer_; }

  // Throws HttpError(404) or HttpError(405) with Allow.
  [[nodiscard]] RouteMatch match(const std::string& method, const std::string& path) const;

 private:
  struct Segment {
    std::string literal;  // whole segment, or prefix before {name}
    std::string name;     // empty: literal segment
    std::string suffix;   // after {name}
  };
  struct Resource {
    std::string pattern;
    bool prefix = false;            // ends with "/*"
    std::vector<Segment> segments;  // exact / parameter patterns
    std::string prefixPath;         // for prefix patterns, with trailing '/'
    int rank = 0;
    std::map<std::string, Handler> methods;
  };

  [[nodiscard]] bool matches(const Resource& r, std::string_view path,
                             std::vector<std::pair<std::string, std::string>>& params,
                             std::string& logPath) const;
  [[nodiscard]] static std::string allowOf(const Resource& r);

  std::vector<Resource> resources_;
  ErrorRenderer errorRenderer_ = renderDefaultError;
};

}  // namespace creneau::bridge
