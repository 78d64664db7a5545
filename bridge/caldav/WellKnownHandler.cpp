#include "bridge/caldav/DavHandlers.h"

namespace creneau::bridge {

Handler makeWellKnownHandler() {
  return [](Request& /*req*/, Response& res) {
    // RFC 6764 5: the context path; clients follow it with PROPFIND
    // current-user-principal. Permanent, so it may be remembered.
    res.setStatus(301);
    res.setHeader("Location", "/dav/");
    res.setBody("moved to /dav/\n", "text/plain; charset=utf-8");
  };
}

}  // namespace creneau::bridge
