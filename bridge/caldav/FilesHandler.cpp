// Plain WebDAV folders inside a personal calendar, and the files clients keep
// in them (RFC 4791 4.2 allows non-calendar collections in a calendar
// collection; litmus and some sync tools make them). Any bytes, any type;
// nothing here is calendar data or busy time. RFC 4918 9.3 (MKCOL), 9.4
// (GET), 9.6 (DELETE), 9.7 (PUT).
#include <Poco/URI.h>

#include <string>
#include <utility>

#include "bridge/caldav/DavHandlers.h"
#include "bridge/feed/FeedHandler.h"
#include "engine/store/Store.h"

namespace creneau::bridge::dav {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  return s;
}

// The path a new member `name` of `parent` (the calendar or a folder) gets.
std::string memberPath(const DavResource& parent, const std::string& name) {
  return (parent.file ? parent.file->path : std::string()) + name;
}

// The calendar's row id; `blocked` exists implicitly until its first write,
// which this is: create it.
engine::Id calendarIdOf(engine::Store& store, const DavResource& parent) {
  if (parent.personal->id != 0) return parent.personal->id;
  engine::PropertyPatch create;
  create.personal = std::make_pair(parent.employee->id, parent.personal->slug);
  store.patchProperties(create);
  const auto calendar = store.personalCalendar(parent.employee->id, parent.personal->slug);
  if (!calendar) throw HttpError(404, "no such calendar");
  return calendar->id;
}

}  // namespace

void handlePutFile(engine::Store& store, const DavResource& parent, const std::string& name,
                   Request& req, Response& res) {
  engine::DavFilePut put;
  put.calendarId = calendarIdOf(store, parent);
  put.path = memberPath(parent, name);
  put.content = req.body();
  put.contentType = trimmed(req.header("Content-Type").value_or("application/octet-stream"));
  if (put.contentType.empty()) put.contentType = "application/octet-stream";
  if (const auto h = req.header("If-Match")) put.ifMatch = trimmed(*h);
  if (const auto h = req.header("If-None-Match")) {
    if (trimmed(*h) == "*") {
      put.ifNoneMatchStar = true;
    } else if (const auto existing = store.davFile(put.calendarId, put.path);
               existing && noneMatchHits(*h, existing->etag)) {
      throw HttpError(412, "the file matches If-None-Match");
    }
  }
  const auto outcome = store.putDavFile(put);
  switch (outcome) {
    case engine::DavFileOutcome::Created:
    case engine::DavFileOutcome::Replaced: {
      const auto stored = store.davFile(put.calendarId, put.path);
      res.setStatus(outcome == engine::DavFileOutcome::Created ? 201 : 204);
      if (stored) res.setHeader("ETag", stored->etag);
      return;
    }
    case engine::DavFileOutcome::PreconditionFailed:
      throw HttpError(412, "the file's ETag does not match If-Match / If-None-Match");
    case engine::DavFileOutcome::NoParent:
      throw HttpError(409, "the parent collection does not exist: MKCOL it first");
    case engine::DavFileOutcome::IsCollection:
      throw HttpError(405, "a collection is there; PUT needs a file").withHeader("Allow", kAllow);
    case engine::DavFileOutcome::Exists:
      break;
  }
  throw HttpError(500, "unexpected outcome of a PUT");
}

void handleMkcolFolder(engine::Store& store, const DavResource& parent, const std::string& name,
                       Request& req, Response& res) {
  const std::string& body = req.body();
  if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
    // RFC 4918 9.3: a body we do not understand is 415; an extended MKCOL
    // (RFC 5689) asking for a calendar here breaks RFC 4791 4.2.
    const auto type = req.header("Content-Type").value_or("");
    if (type.find("xml") == std::string::npos)
      throw HttpError(415, "MKCOL takes no body here (or an RFC 5689 XML one)");
    pugi::xml_document doc;
    const auto root = parseBody(doc, body);
    if (clarkOf(root) != clark(kDavNs, "mkcol"))
      throw HttpError(415, "MKCOL takes no body here (or an RFC 5689 XML one)");
    res.setStatus(403);
    res.setBody(document(clark(kDavNs, "error"), "<C:calendar-collection-location-ok/>"),
                "application/xml; charset=utf-8");
    return;
  }
  switch (store.makeDavCollection(calendarIdOf(store, parent), memberPath(parent, name) + "/")) {
    case engine::DavFileOutcome::Created:
      res.setStatus(201);
      return;
    case engine::DavFileOutcome::Exists:
      throw HttpError(405, "something already exists here").withHeader("Allow", kAllow);
    case engine::DavFileOutcome::NoParent:
      throw HttpError(409, "the parent collection does not exist");
    default:
      throw HttpError(500, "unexpected outcome of a MKCOL");
  }
}

void handleGetFile(const DavResource& file, Request& req, Response& res) {
  const auto& f = *file.file;
  res.setHeader("ETag", f.etag);
  res.setHeader("Last-Modified", httpDate(f.lastModified));
  res.setHeader("Cache-Control", "private, no-cache");
  if (const auto inm = req.header("If-None-Match"); inm && noneMatchHits(*inm, f.etag)) {
    res.setStatus(304);
    return;
  }
  res.setBody(f.content, f.contentType);
}

void handleTransfer(engine::Store& store, const DavContext& ctx, const DavResource& source,
                    Request& req, Response& res) {
  const auto destination = req.header("Destination");
  if (!destination) throw HttpError(400, req.method() + " needs a Destination header");
  std::string path;
  try {
    path = Poco::URI(trimmed(*destination)).getPath();  // decoded
  } catch (const std::exception&) {
    throw HttpError(400, "the Destination header is not a URI");
  }
  const bool folder = source.kind == ResourceKind::Folder;
  std::string_view bare = path;
  while (bare.ends_with('/')) bare.remove_suffix(1);
  const std::string name(bare.substr(bare.rfind('/') + 1));
  const auto parent = resolve(ctx, std::string(bare.substr(0, bare.rfind('/') + 1)));
  if (!parent && insidePersonalCalendar(ctx, path))
    throw HttpError(409, "the destination's parent collection does not exist");
  if (!parent || name.empty() || !parent->personal || parent->personal->id != source.personal->id ||
      !(parent->kind == ResourceKind::Folder || parent->kind == ResourceKind::Calendar))
    throw HttpError(403,
                    "files and folders move and copy only inside their own calendar's "
                    "folders");
  engine::DavFileTransfer t;
  t.calendarId = source.personal->id;
  t.from = source.file->path;
  t.to = memberPath(*parent, name) + (folder ? "/" : "");
  t.move = req.method() == "MOVE";
  t.overwrite = trimmed(req.header("Overwrite").value_or("T")) != "F";
  if (t.to == t.from || (folder && t.to.starts_with(t.from)))
    throw HttpError(403, "a resource cannot be moved or copied onto or into itself");
  if (parent->kind == ResourceKind::Calendar && !folder)
    throw HttpError(403, "only calendar objects live at the top of a calendar");
  switch (store.transferDavFile(t)) {
    case engine::DavTransferOutcome::Created:
      res.setStatus(201);
      return;
    case engine::DavTransferOutcome::Replaced:
      res.setStatus(204);
      return;
    case engine::DavTransferOutcome::NotFound:
      throw HttpError(404, "no such resource");
    case engine::DavTransferOutcome::NoParent:
      throw HttpError(409, "the destination's parent collection does not exist");
    case engine::DavTransferOutcome::PreconditionFailed:
      throw HttpError(412, "the destination exists and Overwrite is F");
  }
}

void handleDeleteFile(engine::Store& store, const DavResource& file, Request& req, Response& res) {
  if (const auto h = req.header("If-Match");
      h && trimmed(*h) != "*" && !file.file->collection && trimmed(*h) != file.file->etag)
    throw HttpError(412, "the file's ETag does not match If-Match");
  if (!store.deleteDavFile(file.personal->id, file.file->path))
    throw HttpError(404, "no such resource");
  res.setStatus(204);
}

}  // namespace creneau::bridge::dav
