#include "bridge/caldav/DavXml.h"

#include <functional>
#include <pugixml.hpp>

#include "bridge/server/HttpError.h"

namespace creneau::bridge::dav {

namespace {

// The namespace bound to `prefix` ("" for the default one) at `node`.
std::optional<std::string> namespaceOf(pugi::xml_node node, std::string_view prefix) {
  if (prefix == "xml") return std::string("http://www.w3.org/XML/1998/namespace");
  const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (auto n = node; n && n.type() == pugi::node_element; n = n.parent())
    if (auto a = n.attribute(attr.c_str())) return std::string(a.value());
  if (prefix.empty()) return std::string();
  return std::nullopt;
}

const char* prefixFor(const std::string& ns) {
  if (ns == kDavNs) return "D";
  if (ns == kCalDavNs) return "C";
  if (ns == kCalendarServerNs) return "CS";
  return nullptr;
}

// An element named by Clark name: our prefix, or a local declaration.
std::string openTag(const std::string& name, bool empty) {
  const ClarkName c = splitClark(name);
  std::string tag = "<";
  if (const char* p = prefixFor(c.ns)) {
    tag += std::string(p) + ":" + c.local;
  } else {
    tag += "X:" + c.local + " xmlns:X=\"" + xmlEscape(c.ns) + "\"";
    if (c.ns.empty()) tag = "<" + c.local + " xmlns=\"\"";
  }
  return tag + (empty ? "/>" : ">");
}

std::string closeTag(const std::string& name) {
  const ClarkName c = splitClark(name);
  if (const char* p = prefixFor(c.ns)) return "</" + std::string(p) + ":" + c.local + ">";
  if (c.ns.empty()) return "</" + c.local + ">";
  return "</X:" + c.local + ">";
}

}  // namespace

std::string clarkOf(pugi::xml_node node) {
  const std::string_view name = node.name();
  const auto colon = name.find(':');
  const std::string_view prefix = colon == std::string_view::npos ? "" : name.substr(0, colon);
  const std::string_view local = colon == std::string_view::npos ? name : name.substr(colon + 1);
  const auto ns = namespaceOf(node, prefix);
  if (!ns) throw HttpError(400, "undeclared XML namespace prefix '" + std::string(prefix) + "'");
  // Namespaces in XML 1.0, 3: a prefix cannot be bound to the empty name.
  if (!prefix.empty() && ns->empty())
    throw HttpError(400, "XML namespace prefix '" + std::string(prefix) + "' is bound to \"\"");
  return clark(*ns, local);
}

std::vector<pugi::xml_node> elements(pugi::xml_node parent) {
  std::vector<pugi::xml_node> out;
  for (auto c : parent.children())
    if (c.type() == pugi::node_element) out.push_back(c);
  return out;
}

std::string clark(std::string_view ns, std::string_view local) {
  std::string out;
  out.reserve(ns.size() + local.size() + 2);
  out += '{';
  out += ns;
  out += '}';
  out += local;
  return out;
}

ClarkName splitClark(const std::string& name) {
  if (name.starts_with('{')) {
    const auto close = name.find('}');
    if (close != std::string::npos) return {name.substr(1, close - 1), name.substr(close + 1)};
  }
  return {"", name};
}

pugi::xml_node parseBody(pugi::xml_document& doc, const std::string& body) {
  // parse_doctype keeps a DOCTYPE as a node, so it can be refused: no DTD,
  // no entity declarations, no expansion (billion laughs) ever reach us.
  const auto result =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_doctype);
  if (!result)
    throw HttpError(400, std::string("malformed XML: ") + result.description() + " at offset " +
                             std::to_string(result.offset));
  for (auto n : doc.children())
    if (n.type() == pugi::node_doctype) throw HttpError(400, "DOCTYPE is not allowed in requests");
  const auto root = doc.document_element();
  if (!root) throw HttpError(400, "the XML body has no root element");
  return root;
}

namespace {

// Declares, on `copy` (a copy of `original`), every prefix used in the
// subtree that is declared only above `original`.
void declareUsedPrefixes(pugi::xml_node original, pugi::xml_node copy) {
  std::vector<std::string> prefixes;
  auto note = [&prefixes](std::string_view qname) {
    const auto colon = qname.find(':');
    const std::string prefix(colon == std::string_view::npos ? "" : qname.substr(0, colon));
    if (prefix == "xmlns" || prefix == "xml") return;
    for (const auto& p : prefixes)
      if (p == prefix) return;
    prefixes.push_back(prefix);
  };
  struct Walker : pugi::xml_tree_walker {
    std::function<void(std::string_view)> note;
    bool for_each(pugi::xml_node& n) override {
      if (n.type() != pugi::node_element) return true;
      note(n.name());
      for (auto a : n.attributes())
        if (std::string_view(a.name()).find(':') != std::string_view::npos &&
            !std::string_view(a.name()).starts_with("xmlns"))
          note(a.name());
      return true;
    }
  } walker;
  walker.note = note;
  note(original.name());
  original.traverse(walker);
  for (const auto& prefix : prefixes) {
    const std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
    if (copy.attribute(attr.c_str())) continue;
    const auto ns = namespaceOf(original, prefix);
    if (!ns) throw HttpError(400, "undeclared XML namespace prefix '" + prefix + "'");
    if (prefix.empty() && ns->empty()) continue;
    copy.append_attribute(attr.c_str()) = ns->c_str();
  }
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

}  // namespace

std::string innerXml(pugi::xml_node node) {
  StringWriter w;
  for (auto child : node.children()) {
    if (child.type() == pugi::node_element) {
      pugi::xml_document doc;
      auto copy = doc.append_copy(child);
      declareUsedPrefixes(child, copy);
      copy.print(w, "", pugi::format_raw | pugi::format_no_declaration);
    } else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      w.out += xmlEscape(child.value());
    }
  }
  return w.out;
}

std::optional<std::string> textOnly(pugi::xml_node node) {
  std::string out;
  for (auto child : node.children()) {
    if (child.type() == pugi::node_element) return std::nullopt;
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) out += child.value();
  }
  return out;
}

std::string element(const std::string& clarkName, const std::string& inner) {
  if (inner.empty()) return openTag(clarkName, true);
  return openTag(clarkName, false) + inner + closeTag(clarkName);
}

std::string statusLine(int status) {
  const char* reason = "Error";
  switch (status) {
    case 200:
      reason = "OK";
      break;
    case 403:
      reason = "Forbidden";
      break;
    case 404:
      reason = "Not Found";
      break;
    case 409:
      reason = "Conflict";
      break;
    case 424:
      reason = "Failed Dependency";
      break;
    case 507:
      reason = "Insufficient Storage";
      break;
    default:
      break;
  }
  return "HTTP/1.1 " + std::to_string(status) + " " + reason;
}

std::string propstats(const std::vector<PropStatus>& groups) {
  std::string x;
  for (const auto& g : groups) {
    if (g.names.empty()) continue;
    x += "<D:propstat><D:prop>";
    for (const auto& n : g.names) x += openTag(n, true);
    x += "</D:prop><D:status>" + statusLine(g.status) + "</D:status>";
    if (!g.description.empty())
      x += "<D:responsedescription>" + xmlEscape(g.description) + "</D:responsedescription>";
    x += "</D:propstat>";
  }
  return x;
}

std::string document(const std::string& rootClark, const std::string& inner) {
  const ClarkName c = splitClark(rootClark);
  const char* p = prefixFor(c.ns);
  const std::string root = std::string(p ? p : "D") + ":" + c.local;
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<" + root + " xmlns:D=\"DAV:\" xmlns:C=\"" +
         kCalDavNs + "\" xmlns:CS=\"" + kCalendarServerNs + "\">" + inner + "</" + root + ">\n";
}

PropfindRequest parsePropfind(const std::string& body) {
  PropfindRequest req;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return req;  // allprop

  pugi::xml_document doc;
  const auto root = parseBody(doc, body);
  if (clarkOf(root) != clark(kDavNs, "propfind"))
    throw HttpError(400, "expected a DAV:propfind document, got " + clarkOf(root));

  bool any = false;
  for (auto child : elements(root)) {
    const std::string name = clarkOf(child);
    if (name == clark(kDavNs, "allprop")) {
      req.kind = PropfindRequest::Kind::AllProp;
      any = true;
    } else if (name == clark(kDavNs, "propname")) {
      req.kind = PropfindRequest::Kind::PropName;
      any = true;
    } else if (name == clark(kDavNs, "prop")) {
      req.kind = PropfindRequest::Kind::Prop;
      any = true;
      for (auto p : elements(child)) req.props.push_back(clarkOf(p));
    } else if (name == clark(kDavNs, "include")) {
      for (auto p : elements(child)) req.props.push_back(clarkOf(p));
    }
    // Anything else is an extension we ignore (RFC 4918 17).
  }
  if (!any) throw HttpError(400, "DAV:propfind needs allprop, propname or prop");
  return req;
}

std::string encodeSegment(std::string_view segment) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '@' || c == '+') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void MultistatusWriter::begin() {
  out_ = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
  out_ += "<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"";
  out_ += kCalDavNs;
  out_ += "\" xmlns:CS=\"";
  out_ += kCalendarServerNs;
  out_ += "\">";
}

std::string MultistatusWriter::responseXml(const DavResponse& r) {
  MultistatusWriter w;
  w.out_.clear();
  w.add(r);
  return std::move(w.out_);
}

void MultistatusWriter::add(const DavResponse& r) {
  std::string& x = out_;
  x += "<D:response><D:href>";
  x += xmlEscape(r.href);
  x += "</D:href>";
  if (!r.found.empty() || r.missing.empty()) {
    x += "<D:propstat><D:prop>";
    for (const auto& [name, value] : r.found) {
      if (r.namesOnly || value.empty()) {
        x += openTag(name, true);
      } else {
        x += openTag(name, false);
        x += value;
        x += closeTag(name);
      }
    }
    x += "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>";
  }
  if (!r.missing.empty()) {
    x += "<D:propstat><D:prop>";
    for (const auto& name : r.missing) x += openTag(name, true);
    x += "</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>";
  }
  x += "</D:response>";
  spill();
}

void MultistatusWriter::addRaw(const std::string& xml) {
  out_ += xml;
  spill();
}

void MultistatusWriter::spill() {
  constexpr std::size_t kPiece = 64 * 1024;
  if (!sink_ || out_.size() < kPiece) return;
  sink_->write(out_.data(), static_cast<std::streamsize>(out_.size()));
  out_.clear();
}

std::string MultistatusWriter::finish() {
  out_ += "</D:multistatus>\n";
  if (!sink_) return std::move(out_);
  sink_->write(out_.data(), static_cast<std::streamsize>(out_.size()));
  sink_->flush();
  out_.clear();
  return {};
}

std::string multistatus(const std::vector<DavResponse>& responses) {
  MultistatusWriter w;
  for (const auto& r : responses) w.add(r);
  return w.finish();
}

std::string needPrivilegesBody(const std::string& href, const std::string& privilege) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\">"
         "<D:need-privileges><D:resource><D:href>" +
         xmlEscape(href) + "</D:href><D:privilege><D:" + privilege +
         "/></D:privilege></D:resource></D:need-privileges></D:error>\n";
}

}  // namespace creneau::bridge::dav
