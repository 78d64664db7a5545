#include "bridge/feed/FeedHandler.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <cstdlib>
#include <string_view>

#include "bridge/server/HttpError.h"

namespace creneau::bridge {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `"abc"` -> `"abc-gz"`: the gzip representation has its own strong tag.
std::string gzipTag(const std::string& etag) {
  if (etag.size() < 2) return etag;
  return etag.substr(0, etag.size() - 1) + "-gz\"";
}

std::string httpDate(engine::UnixTime t) {
  return Poco::DateTimeFormatter::format(
      Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(t)),
      Poco::DateTimeFormat::HTTP_FORMAT);
}

std::optional<engine::UnixTime> parseHttpDate(const std::string& text) {
  try {
    int tz = 0;
    Poco::DateTime dt;
    if (!Poco::DateTimeParser::tryParse(text, dt, tz)) return std::nullopt;
    return static_cast<engine::UnixTime>(dt.timestamp().epochTime()) - tz;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

engine::FeedFormat formatOf(const Request& req) {
  const auto f = req.query("format");
  if (!f || f->empty() || *f == "ics") return engine::FeedFormat::Ics;
  if (*f == "freebusy") return engine::FeedFormat::FreeBusy;
  throw HttpError(400, "unknown format '" + *f + "': use format=freebusy, or none");
}

}  // namespace

bool acceptsGzip(const std::string& acceptEncoding) {
  bool star = false;
  std::string_view rest = acceptEncoding;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    double q = 1.0;
    if (const auto semi = item.find(';'); semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      item = trim(item.substr(0, semi));
      if (const auto qpos = params.find("q="); qpos != std::string_view::npos)
        q = std::atof(std::string(trim(params.substr(qpos + 2))).c_str());
    }
    const std::string coding(item);
    if (Poco::icompare(coding, "gzip") == 0 || Poco::icompare(coding, "x-gzip") == 0)
      return q > 0;  // an explicit gzip entry decides
    if (coding == "*") star = q > 0;
  }
  return star;
}

bool noneMatchHits(const std::string& ifNoneMatch, const std::string& etag) {
  const std::string gz = gzipTag(etag);
  std::string_view rest = ifNoneMatch;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view tag = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag || tag == gz) return true;
  }
  return false;
}

Handler makeFeedHandler(engine::FeedService& feeds) {
  return [&feeds](Request& req, Response& res) {
    const auto feed = feeds.findFeed(req.param("token"));
    if (!feed) throw HttpError(404, "no such feed");
    const engine::FeedFormat format = formatOf(req);
    const engine::FeedVersion version = feeds.version(*feed, format);

    const auto acceptEncoding = req.header("Accept-Encoding");
    const bool gzip = acceptEncoding && acceptsGzip(*acceptEncoding);

    auto common = [&](const std::string& etag, engine::UnixTime lastModified) {
      res.setHeader("ETag", gzip ? gzipTag(etag) : etag);
      res.setHeader("Last-Modified", httpDate(lastModified));
      res.setHeader("Vary", "Accept-Encoding");
      // The URL is a secret: no shared cache may keep it; clients revalidate.
      res.setHeader("Cache-Control", "private, no-cache");
    };

    // Preconditions first (RFC 9110 13.2.2): If-None-Match wins over
    // If-Modified-Since. Nothing is rendered for a 304.
    bool notModified = false;
    if (const auto inm = req.header("If-None-Match")) {
      notModified = noneMatchHits(*inm, version.etag);
    } else if (const auto ims = req.header("If-Modified-Since")) {
      const auto since = parseHttpDate(*ims);
      notModified = since && version.lastModified <= *since;
    }
    if (notModified) {
      res.setStatus(304);
      common(version.etag, version.lastModified);
      return;
    }

    const auto rendered = feeds.render(*feed, format, version);
    common(rendered->etag, rendered->lastModified);
    res.setHeader("Content-Disposition", "inline; filename=\"creneau.ics\"");
    if (gzip) {
      res.setHeader("Content-Encoding", "gzip");
      res.setBody(rendered->gzipped, "text/calendar; charset=utf-8");
    } else {
      res.setBody(rendered->body, "text/calendar; charset=utf-8");
    }
  };
}

}  // namespace creneau::bridge
