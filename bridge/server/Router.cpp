#include "bridge/server/Router.h"

#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <stdexcept>

#include "engine/text/Markup.h"

namespace creneau::bridge {

namespace {

using engine::xmlEscape;

std::string reasonFor(int status) {
  return Poco::Net::HTTPResponse::getReasonForStatus(
      static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

}  // namespace

void renderDefaultError(const HttpError& error, const std::string& /*path*/, Response& res) {
  if (const auto& c = error.condition()) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\">";
    if (c->ns == "DAV:")
      xml += "<D:" + c->element + "/>";
    else
      xml += "<" + c->element + " xmlns=\"" + xmlEscape(c->ns) + "\"/>";
    xml += "</D:error>\n";
    res.setBody(std::move(xml), "application/xml; charset=utf-8");
    return;
  }
  std::string text = std::to_string(error.status()) + " " + reasonFor(error.status()) + "\n";
  if (*error.what()) text += std::string(error.what()) + "\n";
  res.setBody(std::move(text), "text/plain; charset=utf-8");
}

Router& Router::add(std::string method, std::string pattern, Handler handler) {
  if (!handler) throw std::invalid_argument("Router::add: empty handler for " + pattern);
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("Router::add: pattern must start with '/': " + pattern);
  auto it = std::find_if(resources_.begin(), resources_.end(),
                         [&](const Resource& r) { return r.pattern == pattern; });
  if (it == resources_.end()) {
    Resource r;
    r.pattern = pattern;
    if (pattern.size() >= 2 && pattern.ends_with("/*")) {
      r.prefix = true;
      r.prefixPath = pattern.substr(0, pattern.size() - 1);
      r.rank = static_cast<int>(r.prefixPath.size());
    } else {
      int literal = 0;
      bool hasParam = false;
      std::size_t start = 1;
      while (start <= pattern.size()) {
        auto end = pattern.find('/', start);
        if (end == std::string::npos) end = pattern.size();
        std::string seg = pattern.substr(start, end - start);
        Segment s;
        const auto open = seg.find('{');
        const auto close = seg.find('}');
        if (open != std::string::npos && close != std::string::npos && close > open + 1) {
          s.literal = seg.substr(0, open);
          s.name = seg.substr(open + 1, close - open - 1);
          s.suffix = seg.substr(close + 1);
          hasParam = true;
        } else {
          s.literal = seg;
        }
        literal += static_cast<int>(s.literal.size() + s.suffix.size()) + 1;
        r.segments.push_back(std::move(s));
        start = end + 1;
      }
      r.rank = (hasParam ? 500'000 : 1'000'000) + literal;
    }
    resources_.push_back(std::move(r));
    it = resources_.end() - 1;
  }
  it->methods[std::move(method)] = std::move(handler);
  return *this;
}

bool Router::matches(const Resource& r, std::string_view path,
                     std::vector<std::pair<std::string, std::string>>& params,
                     std::string& logPath) const {
  params.clear();
  if (r.prefix) {
    // "/dav/*" matches "/dav" and "/dav/..."
    const std::string_view bare(r.prefixPath.data(), r.prefixPath.size() - 1);
    if (path == bare) {
      params.emplace_back("*", "");
    } else if (path.starts_with(r.prefixPath)) {
      params.emplace_back("*", std::string(path.substr(r.prefixPath.size())));
    } else {
      return false;
    }
    logPath = std::string(path);
    return true;
  }
  if (path.empty() || path.front() != '/') return false;
  std::string log;
  std::size_t start = 1;
  std::size_t i = 0;
  for (; i < r.segments.size(); ++i) {
    if (start > path.size()) return false;
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(start, end - start);
    const Segment& s = r.segments[i];
    log += '/';
    if (s.name.empty()) {
      if (seg != s.literal) return false;
      log += seg;
    } else {
      if (seg.size() <= s.literal.size() + s.suffix.size() || !seg.starts_with(s.literal) ||
          !seg.ends_with(s.suffix))
        return false;
      const auto value =
          seg.substr(s.literal.size(), seg.size() - s.literal.size() - s.suffix.size());
      params.emplace_back(s.name, std::string(value));
      log += s.literal;
      log += isSensitiveName(s.name) ? std::string_view("***") : value;
      log += s.suffix;
    }
    start = end + 1;
  }
  if (start <= path.size()) return false;  // path has more segments
  logPath = std::move(log);
  return true;
}

std::string Router::allowOf(const Resource& r) {
  std::vector<std::string> methods;
  for (auto& [m, h] : r.methods)
    if (m != "*") methods.push_back(m);
  if (r.methods.count("GET") && !r.methods.count("HEAD")) methods.push_back("HEAD");
  if (!r.methods.count("OPTIONS")) methods.push_back("OPTIONS");
  std::sort(methods.begin(), methods.end());
  std::string out;
  for (auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  const Resource* best = nullptr;
  RouteMatch result;
  std::vector<std::pair<std::string, std::string>> params;
  std::string logPath;
  for (const Resource& r : resources_) {
    if (best && r.rank <= best->rank) continue;
    if (!matches(r, path, params, logPath)) continue;
    best = &r;
    result.params = params;
    result.logPath = logPath;
  }
  if (!best) throw HttpError(404, "nothing here");

  result.pattern = best->pattern;
  for (const std::string& m :
       {method, std::string(method == "HEAD" ? "GET" : ""), std::string("*")}) {
    if (auto it = best->methods.find(m); !m.empty() && it != best->methods.end()) {
      result.method = m;
      result.handler = it->second;
      return result;
    }
  }
  const std::string allow = allowOf(*best);
  if (method == "OPTIONS") {
    result.method = "OPTIONS";
    result.handler = [allow](Request&, Response& res) {
      res.setStatus(204);
      res.setHeader("Allow", allow);
    };
    return result;
  }
  throw HttpError(405, "method not allowed here").withHeader("Allow", allow);
}

}  // namespace creneau::bridge
