#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/text/Markup.h"

namespace creneau::bridge::dav {

// Namespaces we answer in, and the prefixes our own documents use for them.
inline constexpr const char* kDavNs = "DAV:";
inline constexpr const char* kCalDavNs = "urn:ietf:params:xml:ns:caldav";
inline constexpr const char* kCalendarServerNs = "http://calendarserver.org/ns/";

// "{DAV:}getetag": a property or element name in Clark notation. Request
// bodies are compared only through these, never through the client's prefixes.
[[nodiscard]] std::string clark(std::string_view ns, std::string_view local);
// Splits "{ns}local" into ns and local ("" ns for "local" alone).
struct ClarkName {
  std::string ns;
  std::string local;
};
[[nodiscard]] ClarkName splitClark(const std::string& name);

// An element's name as "{ns}local", its prefix resolved through the xmlns
// attributes in scope; throws HttpError 400 for an undeclared prefix.
[[nodiscard]] std::string clarkOf(pugi::xml_node node);
// The element children of `parent`, in order.
[[nodiscard]] std::vector<pugi::xml_node> elements(pugi::xml_node parent);

// Parses a request body into `doc`; throws HttpError(400) for malformed XML
// or a DOCTYPE (no DTD, no entity expansion, ever). Returns the root element.
pugi::xml_node parseBody(pugi::xml_document& doc, const std::string& body);

// The content of `node` as an XML fragment that stands on its own: every
// namespace prefix used inside is declared inside (a dead property's value).
[[nodiscard]] std::string innerXml(pugi::xml_node node);
// The concatenated text of `node`, or nullopt when it has element children.
[[nodiscard]] std::optional<std::string> textOnly(pugi::xml_node node);

// What a PROPFIND body asks for (RFC 4918 9.1). A missing body is allprop.
struct PropfindRequest {
  enum class Kind { AllProp, PropName, Prop };
  Kind kind = Kind::AllProp;
  std::vector<std::string> props;  // Clark names, for Kind::Prop (and allprop's include)
};

// Parses a PROPFIND body; throws HttpError(400) for malformed XML, a DOCTYPE
// (no entity expansion, ever), or a root other than {DAV:}propfind.
[[nodiscard]] PropfindRequest parsePropfind(const std::string& body);

// Escapes &, <, >, " for text and attribute values (engine/text/Markup.h).
using engine::xmlEscape;
// Percent-encodes one path segment for an href (RFC 3986 unreserved kept).
[[nodiscard]] std::string encodeSegment(std::string_view segment);

// Property values are XML fragments written with the prefixes D: (DAV:),
// C: (CalDAV) and CS: (CalendarServer), which the multistatus root declares.
using PropValues = std::map<std::string, std::string>;  // Clark name -> inner XML

// One <D:response> of a multistatus: properties found (200) and names not
// found (404).
struct DavResponse {
  std::string href;  // already encoded
  PropValues found;
  std::vector<std::string> missing;
  bool namesOnly = false;  // propname: empty elements
};

// <D:multistatus> with one response per entry (RFC 4918 13).
[[nodiscard]] std::string multistatus(const std::vector<DavResponse>& responses);

// The same, one response at a time, so that a listing of 10k members never
// holds 10k DavResponses at once.
// With a sink, what is written goes out in pieces of about 64 KiB, and
// finish() returns "" (the sink has it all).
class MultistatusWriter {
 public:
  explicit MultistatusWriter(std::ostream* sink = nullptr) : sink_(sink) { begin(); }
  void add(const DavResponse& r);
  void addRaw(const std::string& xml);  // status-only responses, a sync-token
  // One <D:response> element, as add() would write it.
  [[nodiscard]] static std::string responseXml(const DavResponse& r);
  [[nodiscard]] std::string finish();

 private:
  void begin();
  void spill();
  std::ostream* sink_;
  std::string out_;
};

// An element named by Clark name, empty or around `inner` (our prefixes, or
// a local declaration for other namespaces).
[[nodiscard]] std::string element(const std::string& clarkName, const std::string& inner = "");

// "HTTP/1.1 424 Failed Dependency".
[[nodiscard]] std::string statusLine(int status);

// <D:propstat> elements, one per status, naming the properties (RFC 4918
// 14.22), each with an optional DAV:responsedescription.
struct PropStatus {
  int status = 200;
  std::vector<std::string> names;  // Clark names
  std::string description;
};
[[nodiscard]] std::string propstats(const std::vector<PropStatus>& groups);
// A document whose root (Clark name) declares D:, C: and CS: around `inner`.
[[nodiscard]] std::string document(const std::string& rootClark, const std::string& inner);

// RFC 3744 7.1.1: the 403 body naming the resource and the privilege needed.
[[nodiscard]] std::string needPrivilegesBody(const std::string& href, const std::string& privilege);

}  // namespace creneau::bridge::dav
