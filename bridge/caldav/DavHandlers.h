#pragma once

#include "bridge/caldav/DavResources.h"
#include "bridge/server/Router.h"

namespace creneau::engine {
class Store;
}

namespace creneau::bridge {

class BasicAuth;

// /.well-known/caldav (RFC 6764 5): every method is redirected (301) to /dav/,
// where current-user-principal leads on. Register for method "*".
[[nodiscard]] Handler makeWellKnownHandler();

// Everything below /dav/ (register as router.add("*", "/dav/*", ...)):
// authenticates through HTTP Basic (401 otherwise), resolves the path for
// that caller (DavResources.h: anybody else's resource is a plain 404) and
// hands over to the method's handler: OPTIONS, PROPFIND, GET/HEAD. Writes
// get 403 DAV:need-privileges, REPORT 501 (not yet), other methods 405/501.
// `store` and `auth` must outlive the handler.
[[nodiscard]] Handler makeDavHandler(engine::Store& store, BasicAuth& auth);

namespace dav {

// One file per method.
void handleOptions(const DavContext& ctx, const DavResource& resource, Request& req, Response& res);
void handlePropfind(const DavContext& ctx, const DavResource& resource, Request& req,
                    Response& res);
void handleGet(const DavContext& ctx, const DavResource& resource, Request& req, Response& res);

// Personal (read-write) calendars, PersonalCalendars.cpp. `calendar` is the
// personal Calendar resource, `name` the object's segment ("x.ics").
void handleGetPersonal(const DavResource& object, Request& req, Response& res);
void handlePut(engine::Store& store, const DavResource& calendar, const std::string& name,
               Request& req, Response& res);
void handleDelete(engine::Store& store, const DavResource& object, Request& req, Response& res);

// PROPPATCH (ProppatchHandler.cpp): all or nothing, 207 with a propstat per
// outcome.
void handleProppatch(engine::Store& store, const DavContext& ctx, const DavResource& resource,
                     Request& req, Response& res);
// MKCALENDAR and extended MKCOL of a personal calendar at `path` (which does
// not exist yet), and DELETE of a personal calendar (MkcalendarHandler.cpp).
void handleMkcalendar(engine::Store& store, const DavContext& ctx, const std::string& path,
                      Request& req, Response& res);
void handleDeleteCalendar(engine::Store& store, const DavResource& calendar, Response& res);

// Plain folders and files inside personal calendars (FilesHandler.cpp).
// `parent` is the personal calendar or a folder, `name` the new segment.
void handlePutFile(engine::Store& store, const DavResource& parent, const std::string& name,
                   Request& req, Response& res);
void handleMkcolFolder(engine::Store& store, const DavResource& parent, const std::string& name,
                       Request& req, Response& res);
void handleGetFile(const DavResource& file, Request& req, Response& res);
void handleDeleteFile(engine::Store& store, const DavResource& file, Request& req, Response& res);
// MOVE and COPY of a file or folder to another place in the same calendar.
void handleTransfer(engine::Store& store, const DavContext& ctx, const DavResource& source,
                    Request& req, Response& res);

// REPORT (ReportHandler.cpp): calendar-multiget, calendar-query,
// free-busy-query and sync-collection on the appointments calendars and the
// personal ones.
void handleReport(const DavContext& ctx, const DavResource& resource, Request& req, Response& res);

// What every /dav/ resource allows (the Allow header of OPTIONS and 405s).
inline constexpr const char* kAllow =
    "OPTIONS, GET, HEAD, PROPFIND, PROPPATCH, REPORT, PUT, DELETE, MKCALENDAR, MKCOL, COPY, MOVE";

}  // namespace dav

}  // namespace creneau::bridge
