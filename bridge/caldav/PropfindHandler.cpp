#include "bridge/caldav/DavHandlers.h"

namespace creneau::bridge::dav {

namespace {

enum class Depth { Zero, One };

// RFC 4918 10.2: "0", "1" or "infinity"; absent means infinity, which we
// refuse as RFC 4918 9.1 allows (propfind-finite-depth).
Depth depthOf(const Request& req) {
  const auto h = req.header("Depth");
  if (!h || *h == "infinity" || *h == "Infinity")
    throw HttpError(403, {"DAV:", "propfind-finite-depth"}, "Depth: infinity is not supported");
  if (*h == "0") return Depth::Zero;
  if (*h == "1") return Depth::One;
  throw HttpError(400, "bad Depth header '" + *h + "': use 0 or 1");
}

DavResponse answer(const DavContext& ctx, const DavResource& r, const PropfindRequest& q) {
  DavResponse out;
  out.href = r.href;
  PropValues all = liveProperties(ctx, r);
  if (q.kind != PropfindRequest::Kind::Prop || needsDeadProperties(all, q.props))
    addDeadProperties(ctx, r, all);
  switch (q.kind) {
    case PropfindRequest::Kind::PropName:
      out.found = std::move(all);
      out.namesOnly = true;
      break;
    case PropfindRequest::Kind::AllProp:
      out.found = std::move(all);
      break;
    case PropfindRequest::Kind::Prop:
      for (const auto& name : q.props) {
        if (auto it = all.find(name); it != all.end())
          out.found.insert(*it);
        else
          out.missing.push_back(name);
      }
      break;
  }
  return out;
}

}  // namespace

void handlePropfind(const DavContext& ctx, const DavResource& resource, Request& req,
                    Response& res) {
  const Depth depth = depthOf(req);
  const PropfindRequest query = parsePropfind(req.body());

  const DavResponse self = answer(ctx, resource, query);
  res.setStatus(207);
  if (depth == Depth::Zero || !resource.isCollection()) {
    MultistatusWriter out;
    out.add(self);
    res.setBody(out.finish(), "application/xml; charset=utf-8");
    return;
  }
  // A listing of a large calendar goes out as it is written (chunked), so
  // no request holds a whole multi-megabyte answer.
  res.setHeader("Content-Type", "application/xml; charset=utf-8");
  MultistatusWriter out(&res.beginStream());
  out.add(self);
  forEachChild(ctx, resource,
               [&](const DavResource& child) { out.add(answer(ctx, child, query)); });
  (void)out.finish();
}

}  // namespace creneau::bridge::dav
