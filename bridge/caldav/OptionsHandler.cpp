#include "bridge/caldav/DavHandlers.h"

namespace creneau::bridge::dav {

void handleOptions(const DavContext& /*ctx*/, const DavResource& /*resource*/, Request& /*req*/,
                   Response& res) {
  // RFC 4791 5.1: calendar-access in DAV; class 2 (locking) is not offered.
  res.setStatus(200);
  res.setHeader("DAV", "1, 3, calendar-access");
  res.setHeader("Allow", kAllow);
}

}  // namespace creneau::bridge::dav
