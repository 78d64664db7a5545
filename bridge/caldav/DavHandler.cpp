#include <set>
#include <string>

#include "bridge/auth/BasicAuth.h"
#include "bridge/caldav/DavHandlers.h"
#include "engine/render/RenderSettings.h"
#include "engine/store/Store.h"

namespace creneau::bridge {

namespace {

// Methods that would change something and that the branches above did not
// take (appointments are the booking system's): 403 need-privileges.
bool isWrite(const std::string& m) {
  static const std::set<std::string> kWrites = {"PUT",        "DELETE", "PROPPATCH", "MKCOL",
                                                "MKCALENDAR", "MOVE",   "COPY"};
  return kWrites.contains(m);
}

// Known methods we do not offer on any DAV resource: 405 with Allow.
bool isKnownUnsupported(const std::string& m) {
  static const std::set<std::string> kKnown = {"POST",  "LOCK",  "UNLOCK", "ACL",
                                               "PATCH", "TRACE", "CONNECT"};
  return kKnown.contains(m);
}

std::string parentHref(const std::string& href) {
  std::string_view s = href;
  if (s.ends_with('/')) s.remove_suffix(1);
  return std::string(s.substr(0, s.rfind('/') + 1));
}

// RFC 3744 7.1.1 and RFC 4791 (the privileges each write needs). Bind and
// unbind are checked on the parent collection.
void refuseWrite(const std::string& method, const std::optional<dav::DavResource>& target,
                 const std::optional<dav::DavResource>& parent, Response& res) {
  std::string privilege = "bind";
  std::string href = parent ? parent->href : "";
  if (method == "PROPPATCH") {
    privilege = "write-properties";
    href = target->href;
  } else if (method == "PUT" && target) {
    privilege = "write-content";
    href = target->href;
  } else if (method == "DELETE" || method == "MOVE") {
    privilege = "unbind";
    href = parentHref(target->href);
  } else if (!parent && target) {
    href = parentHref(target->href);
  }
  res.setStatus(403);
  res.setBody(dav::needPrivilegesBody(href, privilege), "application/xml; charset=utf-8");
}

}  // namespace

Handler makeDavHandler(engine::Store& store, BasicAuth& auth) {
  return [&store, &auth](Request& req, Response& res) {
    const dav::DavContext ctx{store, auth.authenticate(req), engine::loadRenderSettings(store)};
    const std::string& method = req.method();
    const auto resource = dav::resolve(ctx, req.path());

    // PUT and DELETE of objects in a personal (read-write) calendar.
    if ((method == "PUT" || method == "DELETE") && !(resource && resource->isCollection())) {
      if (const auto parent = dav::parentCalendar(ctx, req.path());
          parent && parent->isPersonal()) {
        if (method == "PUT")
          return dav::handlePut(store, *parent, req.path().substr(req.path().rfind('/') + 1), req,
                                res);
        if (!resource) throw HttpError(404, "no such calendar object");
        return dav::handleDelete(store, *resource, req, res);
      }
    }
    if (method == "PROPPATCH" && resource)
      return dav::handleProppatch(store, ctx, *resource, req, res);
    if (method == "MKCALENDAR" || method == "MKCOL") {
      if (resource)
        throw HttpError(405, "something already exists at " + resource->href)
            .withHeader("Allow", dav::kAllow);
      return dav::handleMkcalendar(store, ctx, req.path(), req, res);
    }
    if (method == "DELETE" && resource && resource->kind == dav::ResourceKind::Calendar)
      return dav::handleDeleteCalendar(store, *resource, res);
    if (isWrite(method)) {
      const auto parent = resource ? std::nullopt : dav::parentCalendar(ctx, req.path());
      if (!resource && !parent) throw HttpError(404, "no such resource");
      refuseWrite(method, resource, parent, res);
      return;
    }
    if (!resource) throw HttpError(404, "no such resource");

    if (method == "OPTIONS") return dav::handleOptions(ctx, *resource, req, res);
    if (method == "PROPFIND") return dav::handlePropfind(ctx, *resource, req, res);
    if (method == "GET" || method == "HEAD") return dav::handleGet(ctx, *resource, req, res);
    if (method == "REPORT") return dav::handleReport(ctx, *resource, req, res);
    if (isKnownUnsupported(method))
      throw HttpError(405, method + " is not supported here").withHeader("Allow", dav::kAllow);
    throw HttpError(501, "unknown method " + method);
  };
}

}  // namespace creneau::bridge
