#include <memory>
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

std::string lastSegment(const std::string& path) {
  std::string_view s = path;
  while (s.ends_with('/')) s.remove_suffix(1);
  return std::string(s.substr(s.rfind('/') + 1));
}

std::string parentPath(const std::string& path) {
  std::string_view s = path;
  while (s.ends_with('/')) s.remove_suffix(1);
  return std::string(s.substr(0, s.rfind('/') + 1));
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
  auto cache = std::make_shared<dav::DavCache>();
  return [&store, &auth, cache](Request& req, Response& res) {
    auto principal = auth.authenticate(req);
    auto settings = engine::loadRenderSettings(store);
    auto tag = dav::settingsTag(settings);
    const dav::DavContext ctx{store,  std::move(principal), std::move(settings),
                              *cache, std::move(tag),       std::nullopt};
    const std::string& method = req.method();
    const auto resource = dav::resolve(ctx, req.path());
    const std::string name = lastSegment(req.path());
    // The collection the target is (or would be) a member of; only methods
    // that create something look it up.
    const bool creates = method == "PUT" || method == "MKCOL" || method == "MKCALENDAR" ||
                         (method == "DELETE" && !resource);
    const auto parent =
        creates ? dav::resolve(ctx, parentPath(req.path())) : std::optional<dav::DavResource>();
    const bool parentTakesFiles =
        parent && (parent->kind == dav::ResourceKind::Folder ||
                   (parent->kind == dav::ResourceKind::Calendar && parent->isPersonal()));
    const bool insidePersonal = creates && dav::insidePersonalCalendar(ctx, req.path());
    if (method == "DELETE" && !resource && (parentTakesFiles || insidePersonal))
      throw HttpError(404, "nothing to delete here");

    if (method == "PUT") {
      if (resource && resource->isCollection())
        throw HttpError(405, "PUT needs a file, not a collection").withHeader("Allow", dav::kAllow);
      if (parent && parent->kind == dav::ResourceKind::Calendar && parent->isPersonal())
        return dav::handlePut(store, *parent, name, req, res);
      if (parent && parent->kind == dav::ResourceKind::Folder)
        return dav::handlePutFile(store, *parent, name, req, res);
      if (!parent && insidePersonal)
        throw HttpError(409, "the parent collection does not exist: MKCOL it first");
    }
    if (method == "DELETE" && resource) {
      if (resource->kind == dav::ResourceKind::File || resource->kind == dav::ResourceKind::Folder)
        return dav::handleDeleteFile(store, *resource, req, res);
      if (resource->personalObject) return dav::handleDelete(store, *resource, req, res);
      if (resource->kind == dav::ResourceKind::Calendar)
        return dav::handleDeleteCalendar(store, *resource, res);
    }
    if ((method == "MOVE" || method == "COPY") && resource &&
        (resource->kind == dav::ResourceKind::File || resource->kind == dav::ResourceKind::Folder))
      return dav::handleTransfer(store, ctx, *resource, req, res);
    if (method == "PROPPATCH" && resource)
      return dav::handleProppatch(store, ctx, *resource, req, res);
    if (method == "MKCALENDAR" || method == "MKCOL") {
      if (resource)
        throw HttpError(405, "something already exists at " + resource->href)
            .withHeader("Allow", dav::kAllow);
      if (method == "MKCOL" && parentTakesFiles)
        return dav::handleMkcolFolder(store, *parent, name, req, res);
      if (!parent && insidePersonal) throw HttpError(409, "the parent collection does not exist");
      return dav::handleMkcalendar(store, ctx, req.path(), req, res);
    }
    if (isWrite(method)) {
      const auto calendar = resource ? std::nullopt : dav::parentCalendar(ctx, req.path());
      if (!resource && !calendar) throw HttpError(404, "no such resource");
      refuseWrite(method, resource, calendar, res);
      return;
    }
    if (!resource) throw HttpError(404, "no such resource");

    if (method == "OPTIONS") return dav::handleOptions(ctx, *resource, req, res);
    if (method == "PROPFIND") return dav::handlePropfind(ctx, *resource, req, res);
    if ((method == "GET" || method == "HEAD") && resource->kind == dav::ResourceKind::File)
      return dav::handleGetFile(*resource, req, res);
    if (method == "GET" || method == "HEAD") return dav::handleGet(ctx, *resource, req, res);
    if (method == "REPORT") return dav::handleReport(ctx, *resource, req, res);
    if (isKnownUnsupported(method))
      throw HttpError(405, method + " is not supported here").withHeader("Allow", dav::kAllow);
    throw HttpError(501, "unknown method " + method);
  };
}

}  // namespace creneau::bridge
