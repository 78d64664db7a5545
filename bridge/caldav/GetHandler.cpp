#include "bridge/caldav/DavHandlers.h"
#include "bridge/feed/FeedHandler.h"

namespace creneau::bridge::dav {

void handleGet(const DavContext& ctx, const DavResource& resource, Request& req, Response& res) {
  if (resource.kind != ResourceKind::Object)
    throw HttpError(405, "GET of a collection is not supported yet; use PROPFIND or REPORT")
        .withHeader("Allow", "OPTIONS, PROPFIND");

  if (resource.personalObject) return handleGetPersonal(resource, req, res);

  const auto& appointment = *resource.appointment;
  const std::string etag = objectEtag(ctx, appointment);
  res.setHeader("ETag", etag);
  res.setHeader("Last-Modified", httpDate(appointment.updatedAt));
  res.setHeader("Cache-Control", "private, no-cache");
  if (const auto inm = req.header("If-None-Match"); inm && noneMatchHits(*inm, etag)) {
    res.setStatus(304);  // nothing rendered
    return;
  }
  res.setBody(renderObject(ctx, appointment), "text/calendar; charset=utf-8; component=vevent");
}

}  // namespace creneau::bridge::dav
