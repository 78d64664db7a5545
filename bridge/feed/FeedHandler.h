#pragma once

#include "bridge/server/Router.h"
#include "engine/feeds/FeedService.h"

namespace creneau::bridge {

// GET/HEAD /feeds/{token}.ics[?format=freebusy]: a subscribable calendar.
//  - an unknown, malformed or revoked token answers 404, all three alike;
//  - ETag (strong; the gzip variant ends in "-gz") and Last-Modified from
//    the scope's change log; If-None-Match / If-Modified-Since give 304
//    without rendering anything;
//  - gzip when Accept-Encoding allows it, Vary: Accept-Encoding;
//  - ?format=freebusy gives one VFREEBUSY with no customer data.
// `feeds` must outlive the handler. Register as router.get("/feeds/{token}.ics", ...).
[[nodiscard]] Handler makeFeedHandler(engine::FeedService& feeds);

// Whether an Accept-Encoding header value allows gzip (q > 0, "gzip",
// "x-gzip" or "*").
[[nodiscard]] bool acceptsGzip(const std::string& acceptEncoding);

// Whether an If-None-Match header value matches the current entity: "*",
// or one of its entity tags (W/ ignored, weak comparison as RFC 9110
// 13.1.2 asks) equal to `etag` or to its gzip variant.
[[nodiscard]] bool noneMatchHits(const std::string& ifNoneMatch, const std::string& etag);

}  // namespace creneau::bridge
