#!/usr/bin/python3
"""Request validation against the published API contracts in shared/contracts/.

Google Calendar v3: the discovery document (schemas, method parameters, global
parameters); enum values that the document only gives in prose ("Possible values
are: - "confirmed" ...") are read from those descriptions.
Microsoft Graph v1.0: the CSDL-derived types (graph-v1.0-calendar-schemas.json) and
the REST paths (graph-v1.0-calendar-paths.json).

Every check returns a list of Violation; an empty list means the request is valid.

CLI (for C++ mapping tests):
    /usr/bin/python3 contracts.py google-event FILE.json [--mode insert|update|patch] [--query QS]
    /usr/bin/python3 contracts.py graph-event FILE.json [--mode create|patch]
    /usr/bin/python3 contracts.py google-freebusy FILE.json
    /usr/bin/python3 contracts.py graph-getschedule FILE.json
    /usr/bin/python3 contracts.py graph-batch FILE.json
exit 0 when valid, 1 with one message per line on stdout when not, 2 on usage errors.
"""

import datetime as _dt
import json
import os
import re
import sys
import urllib.parse
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))


def _find_contracts_dir():
    env = os.environ.get("CRENEAU_CONTRACTS_DIR")
    if env:
        return env
    shared = os.environ.get("CRENEAU_SHARED_DIR")
    if shared:
        return os.path.join(shared, "contracts")
    # tests/emulators -> repo root -> ../shared/contracts
    root = os.path.dirname(os.path.dirname(HERE))
    return os.path.join(os.path.dirname(root), "shared", "contracts")


CONTRACTS_DIR = _find_contracts_dir()


class Violation:
    """One contract violation: where (a JSON path or a parameter name) and what."""

    def __init__(self, location, message, reason="invalid", location_type="body"):
        self.location = location
        self.message = message
        self.reason = reason
        self.location_type = location_type

    def to_dict(self):
        return {"location": self.location, "locationType": self.location_type,
                "reason": self.reason, "message": self.message}

    def __str__(self):
        return "%s: %s" % (self.location or "(request)", self.message)

    __repr__ = __str__


# ---------------------------------------------------------------------------
# Shared helpers

RFC3339_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
GOOGLE_EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")


def parse_rfc3339(s, need_offset=True):
    """Returns an aware datetime (naive when need_offset is False and none given) or None."""
    if not isinstance(s, str):
        return None
    m = RFC3339_RE.match(s)
    if not m:
        return None
    if need_offset and not m.group(8):
        return None
    try:
        frac = m.group(7) or ""
        micro = int((frac[1:] + "000000")[:6]) if frac else 0
        dt = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                          int(m.group(4)), int(m.group(5)), int(m.group(6)), micro)
    except ValueError:
        return None
    off = m.group(8)
    if off:
        if off in ("Z", "z"):
            dt = dt.replace(tzinfo=_dt.timezone.utc)
        else:
            sign = 1 if off[0] == "+" else -1
            h, mi = int(off[1:3]), int(off[4:6])
            if h > 23 or mi > 59:
                return None
            dt = dt.replace(tzinfo=_dt.timezone(sign * _dt.timedelta(hours=h, minutes=mi)))
    return dt


def parse_date(s):
    if not isinstance(s, str) or not DATE_RE.match(s):
        return None
    try:
        return _dt.date.fromisoformat(s)
    except ValueError:
        return None


def is_iana_zone(name):
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
        return True
    except Exception:
        return False


def _json_type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _suggest(name, candidates):
    import difflib
    m = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return " (did you mean '%s'?)" % m[0] if m else ""


# ---------------------------------------------------------------------------
# Google Calendar v3


class GoogleContract:
    def __init__(self, contracts_dir=None):
        contracts_dir = contracts_dir or CONTRACTS_DIR
        path = os.path.join(contracts_dir, "google", "calendar-v3.discovery.json")
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.schemas = self.doc["schemas"]
        self.global_params = self.doc.get("parameters", {})
        with open(os.path.join(contracts_dir, "google", "errors.json"), encoding="utf-8") as f:
            self.errors = {}
            for e in json.load(f)["errors"]:
                reason = e["body"]["error"]["errors"][0]["reason"]
                self.errors.setdefault((e["status"], reason), e["body"])
        self.methods = {}
        for rname, res in self.doc["resources"].items():
            for mname, m in res.get("methods", {}).items():
                self.methods[m["id"]] = m

    # --- error bodies
    def error_body(self, status, reason, message=None, location=None, location_type=None,
                   domain=None):
        """A body in the shape of the errors guide; uses the guide's own body when it has one."""
        known = self.errors.get((status, reason))
        if known and message is None and location is None:
            return json.loads(json.dumps(known))
        item = {"domain": domain or (known["error"]["errors"][0]["domain"] if known else "global"),
                "reason": reason,
                "message": message or (known["error"]["message"] if known else reason)}
        if location is not None:
            item["locationType"] = location_type or "parameter"
            item["location"] = location
        return {"error": {"errors": [item], "code": status, "message": item["message"]}}

    def violation_body(self, violations):
        items = []
        for v in violations:
            item = {"domain": "global", "reason": v.reason, "message": str(v)}
            if v.location:
                item["locationType"] = v.location_type
                item["location"] = v.location
            items.append(item)
        return {"error": {"errors": items, "code": 400, "message": str(violations[0])}}

    # --- enums from the discovery prose
    @staticmethod
    def _enum_of(prop):
        if "enum" in prop:
            return prop["enum"]
        desc = prop.get("description", "")
        if "ossible values" in desc and "Some of the possible" not in desc:
            vals = re.findall(r'^\s*-\s*"([A-Za-z0-9]+)"', desc, re.M)
            if vals:
                return vals
        return None

    # --- schema validation
    def validate_schema(self, value, schema, path, out, allow_null=False):
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        if value is None:
            if not allow_null:
                out.append(Violation(path, "null is not allowed here"))
            return
        t = schema.get("type")
        if t == "object" or (t is None and "properties" in schema):
            if not isinstance(value, dict):
                out.append(Violation(path, "expected an object, got %s" % _json_type_name(value)))
                return
            props = schema.get("properties", {})
            addl = schema.get("additionalProperties")
            for k, v in value.items():
                sub = (path + "." + k) if path else k
                if k in props:
                    self.validate_schema(v, props[k], sub, out, allow_null)
                elif addl is not None:
                    self.validate_schema(v, addl, sub, out, allow_null)
                else:
                    out.append(Violation(sub, "unknown field '%s'%s" % (k, _suggest(k, props))))
            return
        if t == "array":
            if not isinstance(value, list):
                out.append(Violation(path, "expected an array, got %s" % _json_type_name(value)))
                return
            for i, v in enumerate(value):
                self.validate_schema(v, schema.get("items", {}), "%s[%d]" % (path, i), out, False)
            return
        if t == "string":
            if not isinstance(value, str):
                out.append(Violation(path, "expected a string, got %s" % _json_type_name(value)))
                return
            fmt = schema.get("format")
            if fmt == "date-time" and parse_rfc3339(value, need_offset=False) is None:
                out.append(Violation(path, "'%s' is not an RFC 3339 date-time" % value))
            elif fmt == "date" and parse_date(value) is None:
                out.append(Violation(path, "'%s' is not a yyyy-mm-dd date" % value))
            elif fmt in ("int64", "uint64") and not re.match(r"^-?\d+$", value):
                out.append(Violation(path, "'%s' is not an integer string" % value))
            enum = self._enum_of(schema)
            if enum and value not in enum:
                out.append(Violation(path, "'%s' is not one of %s" % (value, ", ".join(enum))))
            return
        if t == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                out.append(Violation(path, "expected an integer, got %s" % _json_type_name(value)))
                return
            if schema.get("format") == "int32" and not (-2**31 <= value < 2**31):
                out.append(Violation(path, "%d is out of int32 range" % value))
            return
        if t == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                out.append(Violation(path, "expected a number, got %s" % _json_type_name(value)))
            return
        if t == "boolean":
            if not isinstance(value, bool):
                out.append(Violation(path, "expected a boolean, got %s" % _json_type_name(value)))
            return
        if t == "any":
            return

    # --- query parameters
    def validate_query(self, method_id, query, path_params=()):
        """query: dict name -> list of values (urllib.parse.parse_qs with keep_blank_values)."""
        out = []
        m = self.methods[method_id]
        params = dict(self.global_params)
        params.update(m.get("parameters", {}))
        for name, p in m.get("parameters", {}).items():
            if p.get("required") and p.get("location") == "query" and name not in query:
                out.append(Violation(name, "required parameter '%s' is missing" % name,
                                     "required", "parameter"))
        for name, values in query.items():
            p = params.get(name)
            if p is None or p.get("location") == "path" or name in path_params:
                if name == "access_token":  # OAuth 2 bearer in the query (RFC 6750)
                    continue
                out.append(Violation(name, "unknown query parameter '%s'%s" % (
                    name, _suggest(name, [k for k, v in params.items() if v.get("location") != "path"])),
                    "invalid", "parameter"))
                continue
            if len(values) > 1 and not p.get("repeated"):
                out.append(Violation(name, "parameter '%s' given %d times" % (name, len(values)),
                                     "invalid", "parameter"))
            for v in values:
                out.extend(self._check_param(name, p, v))
        return out

    def _check_param(self, name, p, v):
        t = p.get("type")
        bad = lambda msg: [Violation(name, msg, "invalid", "parameter")]
        if t == "integer":
            if not re.match(r"^-?\d+$", v):
                return bad("Invalid value '%s' for parameter %s: not an integer" % (v, name))
            iv = int(v)
            if "minimum" in p and iv < int(p["minimum"]):
                return bad("Invalid value %s for %s: minimum is %s" % (v, name, p["minimum"]))
            if "maximum" in p and iv > int(p["maximum"]):
                return bad("Invalid value %s for %s: maximum is %s" % (v, name, p["maximum"]))
        elif t == "boolean":
            if v not in ("true", "false"):
                return bad("Invalid boolean value '%s' for %s" % (v, name))
        elif t == "string":
            if "enum" in p and v not in p["enum"]:
                return bad("Invalid value '%s' for %s: expected one of %s" % (v, name, ", ".join(p["enum"])))
            if p.get("format") == "date-time" and parse_rfc3339(v) is None:
                return bad("Invalid value '%s' for %s: not an RFC 3339 date-time with offset" % (v, name))
        return []

    # --- event bodies
    def validate_event(self, body, mode="insert", query=None, check_query_rules=True):
        """mode: insert | update | patch. query: dict name -> [values] or None."""
        out = []
        if not isinstance(body, dict):
            return [Violation("", "the request body must be a JSON object")]
        self.validate_schema(body, {"$ref": "Event"}, "", out, allow_null=(mode == "patch"))
        if mode in ("insert", "update"):
            for req in ("start", "end"):
                if body.get(req) is None:
                    out.append(Violation(req, "required field '%s' is missing" % req, "required"))
        if "id" in body and body["id"] is not None:
            if not isinstance(body["id"], str) or not GOOGLE_EVENT_ID_RE.match(body["id"]):
                out.append(Violation("id", "Invalid resource id value: ids use base32hex "
                                     "characters [a-v0-9] and are 5 to 1024 long, got %r" % (body["id"],)))
        if mode == "insert" and body.get("id") and body.get("iCalUID"):
            out.append(Violation("iCalUID", "id and iCalUID must not both be given at creation"))
        kinds = {}
        for which in ("start", "end", "originalStartTime"):
            v = body.get(which)
            if isinstance(v, dict):
                kinds[which] = self._check_event_datetime(v, which, out)
        s, e = kinds.get("start"), kinds.get("end")
        if s and e and s[0] and e[0]:
            if s[0] != e[0]:
                out.append(Violation("end", "start and end must both be dates or both be date-times"))
            elif s[1] is not None and e[1] is not None and e[1] < s[1]:
                out.append(Violation("end", "The specified time range is empty (end before start).",
                                     "timeRangeEmpty"))
            elif s[0] == "date" and s[1] is not None and e[1] is not None and e[1] <= s[1]:
                out.append(Violation("end", "all-day end date is exclusive and must be after the start date",
                                     "timeRangeEmpty"))
        for i, a in enumerate(body.get("attendees") or []):
            if isinstance(a, dict) and not a.get("email"):
                out.append(Violation("attendees[%d].email" % i, "an attendee needs an email", "required"))
            elif isinstance(a, dict) and "@" not in a.get("email", "@"):
                out.append(Violation("attendees[%d].email" % i, "'%s' is not an e-mail address" % a["email"]))
        rem = body.get("reminders")
        if isinstance(rem, dict):
            ov = rem.get("overrides") or []
            if isinstance(ov, list):
                if len(ov) > 5:
                    out.append(Violation("reminders.overrides", "at most 5 override reminders"))
                for i, r in enumerate(ov):
                    if isinstance(r, dict):
                        for req in ("method", "minutes"):
                            if req not in r:
                                out.append(Violation("reminders.overrides[%d].%s" % (i, req),
                                                     "required field '%s' is missing" % req, "required"))
                        mi = r.get("minutes")
                        if isinstance(mi, int) and not (0 <= mi <= 40320):
                            out.append(Violation("reminders.overrides[%d].minutes" % i,
                                                 "minutes must be between 0 and 40320"))
            if rem.get("useDefault") is True and ov:
                out.append(Violation("reminders", "overrides cannot be set when useDefault is true",
                                     "cannotUseDefaultRemindersAndSpecifyOverride"))
        cd = body.get("conferenceData")
        if isinstance(cd, dict):
            cr = cd.get("createRequest")
            if isinstance(cr, dict):
                if not cr.get("requestId"):
                    out.append(Violation("conferenceData.createRequest.requestId",
                                         "requestId is required", "required"))
                key = cr.get("conferenceSolutionKey")
                if not isinstance(key, dict) or not key.get("type"):
                    out.append(Violation("conferenceData.createRequest.conferenceSolutionKey.type",
                                         "conferenceSolutionKey.type is required", "required"))
                elif key.get("type") in ("eventHangout", "eventNamedHangout"):
                    out.append(Violation("conferenceData.createRequest.conferenceSolutionKey.type",
                                         "'%s' is deprecated: new conferences cannot be created" % key["type"]))
                if "status" in cr:
                    out.append(Violation("conferenceData.createRequest.status", "status is read-only"))
            if check_query_rules:
                version = (query or {}).get("conferenceDataVersion", ["0"])[-1]
                if version != "1":
                    out.append(Violation("conferenceDataVersion",
                                         "conferenceData is sent but conferenceDataVersion=1 is missing "
                                         "(version 0 ignores conference data)", "required", "parameter"))
        ep = body.get("extendedProperties")
        if isinstance(ep, dict):
            for scope in ("private", "shared"):
                for k, v in (ep.get(scope) or {}).items():
                    if len(k) > 44:
                        out.append(Violation("extendedProperties.%s.%s" % (scope, k),
                                             "property names are limited to 44 characters"))
                    if isinstance(v, str) and len(v) > 1024:
                        out.append(Violation("extendedProperties.%s.%s" % (scope, k),
                                             "property values are limited to 1024 characters"))
        return out

    def _check_event_datetime(self, v, which, out):
        """Returns (kind, comparable) with kind 'date' / 'dateTime' / None."""
        has_date = v.get("date") is not None
        has_dt = v.get("dateTime") is not None
        tz = v.get("timeZone")
        if tz is not None and not is_iana_zone(tz):
            out.append(Violation(which + ".timeZone", "Invalid time zone definition: '%s' is not an IANA "
                                 "time zone name" % tz))
        if has_date and has_dt:
            out.append(Violation(which, "give either date or dateTime, not both"))
            return (None, None)
        if not has_date and not has_dt:
            out.append(Violation(which, "Missing time: give date (all-day) or dateTime", "required"))
            return (None, None)
        if has_date:
            d = parse_date(v["date"])
            return ("date", d)
        d = parse_rfc3339(v["dateTime"], need_offset=False)
        if d is None:
            return ("dateTime", None)
        if d.tzinfo is None:
            if tz is None or not is_iana_zone(tz):
                out.append(Violation(which + ".dateTime", "a time zone offset is required unless "
                                     "timeZone is given"))
                return ("dateTime", None)
            d = d.replace(tzinfo=zoneinfo.ZoneInfo(tz))
        return ("dateTime", d.astimezone(_dt.timezone.utc))

    # --- freeBusy
    MAX_FREEBUSY_CALENDARS = 50
    MAX_FREEBUSY_GROUP_EXPANSION = 100

    def validate_freebusy(self, body):
        """Returns (violations, limit_error) - limit_error is (status, reason, message, location) or None."""
        out = []
        if not isinstance(body, dict):
            return [Violation("", "the request body must be a JSON object")], None
        self.validate_schema(body, {"$ref": "FreeBusyRequest"}, "", out)
        for req in ("timeMin", "timeMax"):
            if req not in body:
                out.append(Violation(req, "Missing %s." % req, "required", "parameter"))
            elif isinstance(body[req], str) and parse_rfc3339(body[req]) is None and \
                    parse_rfc3339(body[req], need_offset=False) is not None:
                out.append(Violation(req, "%s needs a time zone offset" % req))
        if "items" not in body:
            out.append(Violation("items", "Missing items.", "required"))
        for i, it in enumerate(body.get("items") or []):
            if isinstance(it, dict) and not it.get("id"):
                out.append(Violation("items[%d].id" % i, "item id is required", "required"))
        tz = body.get("timeZone")
        if isinstance(tz, str) and tz != "UTC" and not is_iana_zone(tz):
            out.append(Violation("timeZone", "Invalid time zone '%s'" % tz))
        cem = body.get("calendarExpansionMax")
        if isinstance(cem, int) and not isinstance(cem, bool) and not (1 <= cem <= self.MAX_FREEBUSY_CALENDARS):
            out.append(Violation("calendarExpansionMax", "calendarExpansionMax must be 1..50"))
        gem = body.get("groupExpansionMax")
        if isinstance(gem, int) and not isinstance(gem, bool) and not (1 <= gem <= self.MAX_FREEBUSY_GROUP_EXPANSION):
            out.append(Violation("groupExpansionMax", "groupExpansionMax must be 1..100"))
        if out:
            return out, None
        tmin, tmax = parse_rfc3339(body["timeMin"]), parse_rfc3339(body["timeMax"])
        if tmax <= tmin:
            return [], (400, "timeRangeEmpty", "The specified time range is empty.", "timeMax")
        return [], None


# ---------------------------------------------------------------------------
# Microsoft Graph v1.0

# Windows time zone names accepted by Graph (subset: the common ones), mapped to IANA.
WINDOWS_ZONES = {
    "UTC": "UTC", "Coordinated Universal Time": "UTC",
    "Greenwich Standard Time": "Atlantic/Reykjavik", "GMT Standard Time": "Europe/London",
    "W. Europe Standard Time": "Europe/Berlin", "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau", "GTB Standard Time": "Europe/Bucharest",
    "FLE Standard Time": "Europe/Kiev", "Russian Standard Time": "Europe/Moscow",
    "Turkey Standard Time": "Europe/Istanbul", "Israel Standard Time": "Asia/Jerusalem",
    "South Africa Standard Time": "Africa/Johannesburg", "Egypt Standard Time": "Africa/Cairo",
    "Arabian Standard Time": "Asia/Dubai", "India Standard Time": "Asia/Kolkata",
    "China Standard Time": "Asia/Shanghai", "Singapore Standard Time": "Asia/Singapore",
    "Tokyo Standard Time": "Asia/Tokyo", "Korea Standard Time": "Asia/Seoul",
    "AUS Eastern Standard Time": "Australia/Sydney", "New Zealand Standard Time": "Pacific/Auckland",
    "Pacific Standard Time": "America/Los_Angeles", "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix", "Central Standard Time": "America/Chicago",
    "Eastern Standard Time": "America/New_York", "Atlantic Standard Time": "America/Halifax",
    "Newfoundland Standard Time": "America/St_Johns", "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu", "E. South America Standard Time": "America/Sao_Paulo",
    "SA Pacific Standard Time": "America/Bogota", "Argentina Standard Time": "America/Buenos_Aires",
    "Canada Central Standard Time": "America/Regina", "Central America Standard Time": "America/Guatemala",
}

GRAPH_LOCAL_DT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")
GRAPH_EXT_PROP_ID_RE = re.compile(
    r"^(String|Integer|Boolean|SystemTime|Binary|Double|Float|Long|Short|Currency|CLSID|ApplicationTime|Object)"
    r"(Array)? (\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\} (Name \S.*|Id 0x[0-9A-Fa-f]{1,4})"
    r"|[A-Za-z]+ (Name \S.*|Id 0x[0-9A-Fa-f]{1,4})|0x[0-9A-Fa-f]{4})$")


def graph_zone(name):
    """IANA ZoneInfo for a Graph timeZone (Windows or IANA name), or None if unknown."""
    if not isinstance(name, str):
        return None
    if name in WINDOWS_ZONES:
        return zoneinfo.ZoneInfo(WINDOWS_ZONES[name])
    if is_iana_zone(name):
        return zoneinfo.ZoneInfo(name)
    return None


def graph_parse_dttz(v):
    """dateTimeTimeZone -> aware UTC datetime, or None."""
    if not isinstance(v, dict):
        return None
    dt_s, tz = v.get("dateTime"), v.get("timeZone") or "UTC"
    if not isinstance(dt_s, str):
        return None
    m = re.match(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,7}))?([Zz]|[+-]\d{2}:\d{2})?$", dt_s)
    zone = graph_zone(tz)
    if not m or zone is None:
        return None
    try:
        base = _dt.datetime.fromisoformat(m.group(1))
    except ValueError:
        return None
    if m.group(2):
        base = base.replace(microsecond=int((m.group(2) + "000000")[:6]))
    if m.group(3):
        off = m.group(3)
        tzinfo = _dt.timezone.utc if off in ("Z", "z") else _dt.datetime.strptime(off.replace(":", ""), "%z").tzinfo
        return base.replace(tzinfo=tzinfo).astimezone(_dt.timezone.utc)
    return base.replace(tzinfo=zone).astimezone(_dt.timezone.utc)


def graph_format_dttz(utc_dt, tz_name="UTC"):
    zone = graph_zone(tz_name) or _dt.timezone.utc
    local = utc_dt.astimezone(zone).replace(tzinfo=None)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": tz_name}


class GraphContract:
    # navigation properties that may be deep-inserted with an event
    EVENT_NAV_WRITABLE = ("singleValueExtendedProperties", "multiValueExtendedProperties",
                          "extensions", "attachments")
    MAX_BATCH = 20
    MAX_SCHEDULES = 20
    MAX_SCHEDULE_DAYS = 62
    MAX_ATTENDEES = 500

    def __init__(self, contracts_dir=None):
        contracts_dir = contracts_dir or CONTRACTS_DIR
        with open(os.path.join(contracts_dir, "graph", "graph-v1.0-calendar-schemas.json"), encoding="utf-8") as f:
            self.doc = json.load(f)
        with open(os.path.join(contracts_dir, "graph", "graph-v1.0-calendar-paths.json"), encoding="utf-8") as f:
            self.paths = json.load(f)["paths"]
        self.enums = {n: [m["name"] for m in t["members"]] for n, t in self.doc["enumTypes"].items()}
        self.types = {}
        for sect in ("complexTypes", "entityTypes"):
            for n, t in self.doc[sect].items():
                self.types[n.split(" ")[0]] = t
        self._path_res = []
        for p in self.paths:
            for tmpl in (p["path"], p.get("mePath")):
                if not tmpl:
                    continue
                rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
                self._path_res.append((re.compile(rx), p))

    # --- error bodies
    @staticmethod
    def error_body(code, message, request_id="00000000-0000-0000-0000-000000000000"):
        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        return {"error": {"code": code, "message": message,
                          "innerError": {"date": now, "request-id": request_id,
                                         "client-request-id": request_id}}}

    def violation_body(self, violations):
        return self.error_body("BadRequest", "; ".join(str(v) for v in violations))

    # --- types
    def _props(self, type_name):
        props, nav = {}, {}
        t = self.types.get(type_name)
        while t is not None:
            for p in t.get("properties", []):
                props.setdefault(p["name"], p)
            for p in t.get("navigationProperties", []):
                nav.setdefault(p["name"], p)
            base = t.get("baseType")
            t = self.types.get(base.split(".")[-1]) if base else None
        return props, nav

    def validate_type(self, value, type_name, path, out, nullable=True):
        m = re.match(r"^Collection\((.+)\)$", type_name)
        if value is None:
            if not nullable:
                out.append(Violation(path, "null is not allowed for '%s'" % path))
            return
        if m:
            if not isinstance(value, list):
                out.append(Violation(path, "expected a collection (JSON array), got %s" % _json_type_name(value)))
                return
            for i, v in enumerate(value):
                self.validate_type(v, m.group(1), "%s[%d]" % (path, i), out, nullable=False)
            return
        if type_name.startswith("Edm."):
            self._validate_edm(value, type_name, path, out)
            return
        short = type_name.split(".")[-1]
        if short in self.enums:
            if not isinstance(value, str):
                out.append(Violation(path, "expected a %s enum string, got %s" % (short, _json_type_name(value))))
            elif value.lower() not in [e.lower() for e in self.enums[short]]:
                out.append(Violation(path, "'%s' is not a valid %s (one of %s)" % (value, short, ", ".join(self.enums[short]))))
            return
        if short == "singleValueLegacyExtendedProperty" or short == "multiValueLegacyExtendedProperty":
            self._validate_ext_prop(value, short, path, out)
            return
        if short in ("extension", "openTypeExtension", "attachment"):
            if not isinstance(value, dict):
                out.append(Violation(path, "expected an object"))
            return  # open types
        if short not in self.types:
            out.append(Violation(path, "type %s is not in the contract" % type_name))
            return
        if not isinstance(value, dict):
            out.append(Violation(path, "expected a %s object, got %s" % (short, _json_type_name(value))))
            return
        props, nav = self._props(short)
        for k, v in value.items():
            sub = path + "." + k if path else k
            if "@" in k:  # OData annotations (@odata.type, @odata.etag, ...)
                continue
            if k in props:
                p = props[k]
                self.validate_type(v, p["type"], sub, out, p.get("nullable") != "false")
            elif k in nav and short == "event" and k in self.EVENT_NAV_WRITABLE:
                self.validate_type(v, nav[k]["type"], sub, out)
            else:
                out.append(Violation(sub, "The property '%s' does not exist on type 'microsoft.graph.%s'.%s"
                                     % (k, short, _suggest(k, list(props) + list(nav)))))

    def _validate_edm(self, value, t, path, out):
        def bad(what):
            out.append(Violation(path, "expected %s, got %r" % (what, value)))
        if t == "Edm.String":
            if not isinstance(value, str):
                bad("a string")
        elif t == "Edm.Boolean":
            if not isinstance(value, bool):
                bad("a boolean")
        elif t in ("Edm.Int32", "Edm.Int64", "Edm.Int16", "Edm.Byte"):
            if not isinstance(value, int) or isinstance(value, bool):
                bad("an integer")
            elif t == "Edm.Int32" and not (-2**31 <= value < 2**31):
                bad("an Int32")
        elif t in ("Edm.Double", "Edm.Single", "Edm.Decimal"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                bad("a number")
        elif t == "Edm.DateTimeOffset":
            if parse_rfc3339(value) is None:
                bad("an ISO 8601 date-time with offset")
        elif t == "Edm.Date":
            if parse_date(value) is None:
                bad("a yyyy-mm-dd date")
        elif t == "Edm.TimeOfDay":
            if not isinstance(value, str) or not re.match(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$", value):
                bad("a time of day hh:mm:ss")

    def _validate_ext_prop(self, value, short, path, out):
        if not isinstance(value, dict):
            out.append(Violation(path, "expected an extended property object"))
            return
        for k in value:
            if k not in ("id", "value") and "@" not in k:
                out.append(Violation(path + "." + k, "The property '%s' does not exist on type "
                                     "'microsoft.graph.%s'." % (k, short)))
        pid = value.get("id")
        if not isinstance(pid, str) or not GRAPH_EXT_PROP_ID_RE.match(pid):
            out.append(Violation(path + ".id", "extended property id %r is not of the form "
                                 "'String {guid} Name name' or 'String 0xNNNN'" % (pid,)))
        v = value.get("value")
        if short == "singleValueLegacyExtendedProperty":
            if not isinstance(v, str):
                out.append(Violation(path + ".value", "value must be a string"))
        elif not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            out.append(Violation(path + ".value", "value must be a collection of strings"))

    def validate_dttz(self, v, path, out):
        """Shape check of a dateTimeTimeZone on top of the type check."""
        if not isinstance(v, dict):
            return None
        dt_s, tz = v.get("dateTime"), v.get("timeZone")
        if dt_s is None:
            out.append(Violation(path + ".dateTime", "dateTime is required", "required"))
            return None
        if tz is None:
            out.append(Violation(path + ".timeZone", "timeZone is required", "required"))
            return None
        if isinstance(dt_s, str) and not GRAPH_LOCAL_DT_RE.match(dt_s):
            out.append(Violation(path + ".dateTime", "dateTime must be a local wall time like "
                                 "2017-08-29T04:00:00.0000000 (no offset; the zone goes in timeZone), got %r" % dt_s))
            return None
        if isinstance(tz, str) and graph_zone(tz) is None:
            out.append(Violation(path + ".timeZone", "time zone '%s' is not supported" % tz))
            return None
        return graph_parse_dttz(v)

    def validate_event(self, body, mode="create"):
        """mode: create | patch."""
        out = []
        if not isinstance(body, dict):
            return [Violation("", "the request body must be a JSON object")]
        self.validate_type(body, "graph.event", "", out)
        if mode == "create":
            for req in ("start", "end"):
                if body.get(req) is None:
                    out.append(Violation(req, "required property '%s' is missing" % req, "required"))
        for ro in ("id", "createdDateTime", "lastModifiedDateTime", "changeKey", "iCalUId", "webLink",
                   "onlineMeeting", "isOrganizer", "seriesMasterId", "bodyPreview", "hasAttachments"):
            if ro in body:
                out.append(Violation(ro, "'%s' is read-only" % ro))
        s = self.validate_dttz(body.get("start"), "start", out) if body.get("start") is not None else None
        e = self.validate_dttz(body.get("end"), "end", out) if body.get("end") is not None else None
        if s is not None and e is not None and e < s:
            out.append(Violation("end", "the end of the event is before its start"))
        if body.get("isAllDay") is True and isinstance(body.get("start"), dict) and isinstance(body.get("end"), dict):
            for w in ("start", "end"):
                ds = body[w].get("dateTime")
                if isinstance(ds, str) and not re.match(r"^\d{4}-\d{2}-\d{2}T00:00(:00(\.0{1,7})?)?$", ds):
                    out.append(Violation(w + ".dateTime", "an all-day event must start and end at midnight"))
            if body["start"].get("timeZone") != body["end"].get("timeZone"):
                out.append(Violation("end.timeZone", "an all-day event needs the same time zone at start and end"))
            if s is not None and e is not None and e <= s:
                out.append(Violation("end", "an all-day event lasts at least one day"))
        att = body.get("attendees")
        if isinstance(att, list):
            if len(att) > self.MAX_ATTENDEES:
                out.append(Violation("attendees", "at most 500 attendees"))
            for i, a in enumerate(att):
                if isinstance(a, dict):
                    ea = a.get("emailAddress")
                    if not isinstance(ea, dict) or not ea.get("address"):
                        out.append(Violation("attendees[%d].emailAddress.address" % i,
                                             "an attendee needs emailAddress.address", "required"))
        if body.get("onlineMeetingProvider") is not None and body.get("isOnlineMeeting") is not True and mode == "create":
            pass  # allowed: provider alone does nothing
        svep = body.get("singleValueExtendedProperties")
        if isinstance(svep, list):
            ids = [p.get("id") for p in svep if isinstance(p, dict)]
            if len(ids) != len(set(ids)):
                out.append(Violation("singleValueExtendedProperties", "duplicate extended property id"))
        return out

    def validate_query(self, path, query):
        """Checks OData system query options and required query parameters against the paths contract."""
        out = []
        contract = None
        for rx, p in self._path_res:
            if rx.match(path):
                contract = p
                break
        allowed = set()
        if contract:
            allowed = set(contract.get("requiredQuery", [])) | set(contract.get("optionalQuery", []))
            for r in contract.get("requiredQuery", []):
                if r not in query:
                    out.append(Violation(r, "required query parameter '%s' is missing" % r, "required", "parameter"))
        for name, vals in query.items():
            if contract is None:
                if name.startswith("$"):
                    allowed_here = ("$select", "$expand", "$filter", "$top", "$orderby", "$skip", "$count", "$search")
                    if name not in allowed_here:
                        out.append(Violation(name, "unknown query option '%s'" % name, "invalid", "parameter"))
                continue
            if name not in allowed:
                out.append(Violation(name, "query option '%s' is not supported on %s" % (name, contract["path"]),
                                     "invalid", "parameter"))
            elif name in ("$top", "$skip") and not all(re.match(r"^\d+$", v) for v in vals):
                out.append(Violation(name, "%s must be a non-negative integer" % name, "invalid", "parameter"))
            elif name == "$count" and not all(v in ("true", "false") for v in vals):
                out.append(Violation(name, "$count must be true or false", "invalid", "parameter"))
        return out

    def validate_get_schedule(self, body):
        out = []
        if not isinstance(body, dict):
            return [Violation("", "the request body must be a JSON object")], None
        canon = {"schedules": "Schedules", "starttime": "StartTime", "endtime": "EndTime",
                 "availabilityviewinterval": "AvailabilityViewInterval"}
        vals = {}
        for k, v in body.items():
            c = canon.get(k.lower())
            if c is None or k not in (c, c[0].lower() + c[1:]):
                out.append(Violation(k, "The parameter '%s' in the request payload is not a valid parameter "
                                     "for the operation 'getSchedule'." % k))
                continue
            vals[c] = v
        self.validate_type(vals.get("Schedules"), "Collection(Edm.String)", "schedules", out)
        for c in ("StartTime", "EndTime"):
            self.validate_type(vals.get(c), "graph.dateTimeTimeZone", c[0].lower() + c[1:], out)
        for c in ("Schedules", "StartTime", "EndTime"):
            if vals.get(c) is None:
                out.append(Violation(c[0].lower() + c[1:], "'%s' is required" % c, "required"))
        if "AvailabilityViewInterval" in vals:
            iv = vals["AvailabilityViewInterval"]
            self.validate_type(iv, "Edm.Int32", "availabilityViewInterval", out)
            if isinstance(iv, int) and not isinstance(iv, bool) and not (5 <= iv <= 1440):
                out.append(Violation("availabilityViewInterval", "availabilityViewInterval must be 5..1440 minutes"))
        if out:
            return out, None
        sch = vals["Schedules"]
        if len(sch) == 0:
            out.append(Violation("schedules", "at least one schedule is required"))
        if len(sch) > self.MAX_SCHEDULES:
            out.append(Violation("schedules", "at most %d schedules per request, got %d" % (self.MAX_SCHEDULES, len(sch))))
        s = self.validate_dttz(vals["StartTime"], "startTime", out)
        e = self.validate_dttz(vals["EndTime"], "endTime", out)
        if s is not None and e is not None:
            if e <= s:
                out.append(Violation("endTime", "endTime must be after startTime"))
            elif e - s >= _dt.timedelta(days=self.MAX_SCHEDULE_DAYS):
                out.append(Violation("endTime", "the requested period must be shorter than 62 days"))
        return out, vals

    BATCH_METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")

    def validate_batch(self, body):
        out = []
        if not isinstance(body, dict):
            return [Violation("", "the batch body must be a JSON object")]
        for k in body:
            if k != "requests":
                out.append(Violation(k, "unknown batch property '%s'" % k))
        reqs = body.get("requests")
        if not isinstance(reqs, list):
            return out + [Violation("requests", "requests must be an array", "required")]
        if len(reqs) > self.MAX_BATCH:
            out.append(Violation("requests", "Number of batch request steps exceeds the maximum of %d (got %d)."
                                 % (self.MAX_BATCH, len(reqs))))
        if len(reqs) == 0:
            out.append(Violation("requests", "a batch needs at least one request"))
        ids = []
        for i, r in enumerate(reqs):
            p = "requests[%d]" % i
            if not isinstance(r, dict):
                out.append(Violation(p, "a request must be an object"))
                continue
            for k in r:
                if k not in ("id", "method", "url", "headers", "body", "dependsOn"):
                    out.append(Violation(p + "." + k, "unknown batch request property '%s'" % k))
            rid = r.get("id")
            if not isinstance(rid, str) or not rid:
                out.append(Violation(p + ".id", "id is required and must be a string", "required"))
            elif rid in ids:
                out.append(Violation(p + ".id", "duplicate request id '%s'" % rid))
            ids.append(rid)
            if r.get("method") not in self.BATCH_METHODS:
                out.append(Violation(p + ".method", "invalid method %r" % (r.get("method"),)))
            url = r.get("url")
            if not isinstance(url, str) or not url:
                out.append(Violation(p + ".url", "url is required", "required"))
            elif re.match(r"^[a-z]+://", url, re.I) or url.startswith("/v1.0") or url.startswith("/beta"):
                out.append(Violation(p + ".url", "url must be relative to the version, e.g. /me/events"))
            h = r.get("headers")
            if h is not None and (not isinstance(h, dict) or not all(isinstance(v, str) for v in h.values())):
                out.append(Violation(p + ".headers", "headers must be an object of strings"))
            if "body" in r:
                if not isinstance(h, dict) or not any(k.lower() == "content-type" for k in h):
                    out.append(Violation(p + ".headers", "a request with a body needs a Content-Type header",
                                         "required"))
            dep = r.get("dependsOn")
            if dep is not None:
                if not isinstance(dep, list) or not all(isinstance(d, str) for d in dep):
                    out.append(Violation(p + ".dependsOn", "dependsOn must be an array of request ids"))
        known = set(i for i in ids if isinstance(i, str))
        for i, r in enumerate(reqs):
            if isinstance(r, dict) and isinstance(r.get("dependsOn"), list):
                for d in r["dependsOn"]:
                    if d not in known:
                        out.append(Violation("requests[%d].dependsOn" % i, "dependsOn names unknown id '%s'" % d))
                    elif d == r.get("id"):
                        out.append(Violation("requests[%d].dependsOn" % i, "a request cannot depend on itself"))
        return out


_google = None
_graph = None


def set_contracts_dir(path):
    global CONTRACTS_DIR, _google, _graph
    CONTRACTS_DIR = path
    _google = _graph = None


def google():
    global _google
    if _google is None:
        _google = GoogleContract()
    return _google


def graph():
    global _graph
    if _graph is None:
        _graph = GraphContract()
    return _graph


def parse_query(qs):
    return urllib.parse.parse_qs(qs, keep_blank_values=True)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="Validate a request body against the Google / Graph contracts.")
    ap.add_argument("kind", choices=["google-event", "graph-event", "google-freebusy",
                                     "graph-getschedule", "graph-batch"])
    ap.add_argument("file", help="JSON file, or - for stdin")
    ap.add_argument("--mode", help="google-event: insert (default) | update | patch; graph-event: create (default) | patch")
    ap.add_argument("--query", help="google-event: the request's query string, e.g. 'conferenceDataVersion=1&sendUpdates=none'; "
                    "when given, the query is validated too and conferenceData requires conferenceDataVersion=1")
    ap.add_argument("--contracts-dir", help="the contracts folder (default: ../shared/contracts beside the checkout)")
    args = ap.parse_args(argv)
    if args.contracts_dir:
        set_contracts_dir(args.contracts_dir)
    try:
        text = sys.stdin.read() if args.file == "-" else open(args.file, encoding="utf-8").read()
        body = json.loads(text)
    except (OSError, ValueError) as e:
        print("%s: cannot read JSON: %s" % (args.file, e))
        return 1
    if args.kind == "google-event":
        mode = args.mode or "insert"
        if mode not in ("insert", "update", "patch"):
            ap.error("--mode must be insert, update or patch")
        q = parse_query(args.query) if args.query is not None else None
        v = google().validate_event(body, mode, q, check_query_rules=q is not None)
        if q is not None:
            v += google().validate_query("calendar.events." + mode, q)
    elif args.kind == "graph-event":
        mode = args.mode or "create"
        if mode not in ("create", "patch"):
            ap.error("--mode must be create or patch")
        v = graph().validate_event(body, mode)
    elif args.kind == "google-freebusy":
        v, limit = google().validate_freebusy(body)
        if limit:
            v = v + [Violation(limit[3], limit[2], limit[1])]
    elif args.kind == "graph-getschedule":
        v, _ = graph().validate_get_schedule(body)
    else:
        v = graph().validate_batch(body)
    for x in v:
        print("%s: %s" % (args.file, x))
    return 1 if v else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
