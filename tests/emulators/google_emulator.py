#!/usr/bin/python3
"""Google Calendar API v3 + Google OAuth 2.0 emulator for Créneau's tests.

Start: /usr/bin/python3 google_emulator.py --port 0  -> prints "LISTENING <port>".
Every request is checked against shared/contracts/google (see contracts.py); a violation
is answered with 400 in Google's error format and recorded (GET /_emulator/requests).
See README.md beside this file.
"""

import copy
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sys
import time
import urllib.parse
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import contracts  # noqa: E402
from contracts import Violation, parse_rfc3339, parse_date  # noqa: E402
from emulator_base import (EmulatorBase, Request, Response, common_args, parse_options, now_rfc3339,  # noqa: E402
                           serve, unsigned_jwt)

AUTH = "https://www.googleapis.com/auth/"
OPENID_SCOPES = ("openid", "email", "profile", "https://www.googleapis.com/auth/userinfo.email",
                 "https://www.googleapis.com/auth/userinfo.profile")
EXTRA_METHOD_SCOPES = {
    "calendar.events.insert": [AUTH + "calendar.events.owned", AUTH + "calendar.app.created"],
    "calendar.events.update": [AUTH + "calendar.events.owned", AUTH + "calendar.app.created"],
    "calendar.events.delete": [AUTH + "calendar.events.owned", AUTH + "calendar.app.created"],
    "calendar.events.get": [AUTH + "calendar.events.owned", AUTH + "calendar.app.created",
                            AUTH + "calendar.events.owned.readonly"],
    "calendar.events.list": [AUTH + "calendar.events.owned", AUTH + "calendar.app.created",
                             AUTH + "calendar.events.owned.readonly"],
    "calendar.calendarList.list": [AUTH + "calendar.calendarlist", AUTH + "calendar.calendarlist.readonly"],
}
MAX_BATCH_PARTS = 1000
MAX_FREEBUSY_DAYS = 90


def _fmt_utc(d):
    return d.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class GoogleEmulator(EmulatorBase):
    name = "google-emulator"

    def __init__(self, options):
        self.contract = contracts.google()
        with open(os.path.join(contracts.CONTRACTS_DIR, "google", "scopes-current.json"), encoding="utf-8") as f:
            sc = json.load(f)
        self.known_scopes = set(sc["scopes"]) | set(self.contract.doc["auth"]["oauth2"]["scopes"]) | set(OPENID_SCOPES)
        self.method_scopes = {}
        for mid, m in self.contract.methods.items():
            s = set(m.get("scopes", []))
            short = mid[len("calendar."):]
            s |= set(sc.get("methodScopesFromCurrentReferenceDocs", {}).get(short, []))
            s |= set(EXTRA_METHOD_SCOPES.get(mid, []))
            self.method_scopes[mid] = s
        super().__init__(options)

    # ------------------------------------------------------------------ state
    def reset_state(self):
        self.calendars = {}  # id -> {"owner", "summary", "timeZone", "events": {id: event}}
        self.changes = 0
        self.notifications = []  # {op, calendarId, eventId, sendUpdates}
        self.conference_requests = {}  # requestId -> conferenceData
        self.default_user = self.options.user or "employee@example.com"
        self.users = {}

    def ensure_user(self, email):
        self.users.setdefault(email, {"email": email, "sub": str(int(hashlib.sha1(email.encode()).hexdigest()[:15], 16))})
        if email not in self.calendars:
            self.calendars[email] = {"owner": email, "summary": email, "timeZone": "UTC", "primary": True,
                                     "events": {}}
        return self.users[email]

    def state(self):
        out = {"calendars": {}, "notifications": list(self.notifications), "users": list(self.users)}
        for cid, c in self.calendars.items():
            out["calendars"][cid] = {"owner": c["owner"], "summary": c["summary"], "timeZone": c["timeZone"],
                                     "events": [self._public(e) for e in c["events"].values()]}
        return out

    def seed(self, body):
        if not isinstance(body, dict):
            raise ValueError("seed body must be an object {calendars:[...], events:[...]}")
        for c in body.get("calendars", []):
            owner = c.get("owner") or self.default_user
            self.ensure_user(owner)
            self.calendars.setdefault(c["id"], {"owner": owner, "summary": c.get("summary", c["id"]),
                                                "timeZone": c.get("timeZone", "UTC"), "events": {}})
            self.calendars[c["id"]].update({k: c[k] for k in ("summary", "timeZone") if k in c})
        inserted = []
        for e in body.get("events", []):
            e = dict(e)
            user = e.pop("user", None) or self.default_user
            cal_id = e.pop("calendarId", "primary")
            self.ensure_user(user)
            cal_id = user if cal_id == "primary" else cal_id
            if cal_id not in self.calendars:
                self.calendars[cal_id] = {"owner": user, "summary": cal_id, "timeZone": "UTC", "events": {}}
            v = self.contract.validate_event(e, "insert", None, check_query_rules=False)
            v = [x for x in v if x.location != "iCalUID"]
            if v:
                raise ValueError("seed event invalid: " + "; ".join(map(str, v)))
            ev = self._new_event(cal_id, e, user)
            inserted.append({"calendarId": cal_id, "id": ev["id"]})
        return {"inserted": inserted}

    # ------------------------------------------------------------------ helpers
    def err(self, status, reason, message=None, location=None, location_type=None):
        return Response(status, self.contract.error_body(status, reason, message, location, location_type))

    def violation(self, violations):
        r = Response(400, self.contract.violation_body(violations))
        r.violations = violations
        return r

    def fault_response(self, rule, req):
        a = rule.action
        if a == "429":
            r = self.err(429, "rateLimitExceeded")
            r.headers["Retry-After"] = str(rule.retry_after)
            return r
        if a == "403-rateLimitExceeded":
            return self.err(403, "rateLimitExceeded")
        if a == "403-userRateLimitExceeded":
            return self.err(403, "userRateLimitExceeded")
        if a == "503":
            r = Response(503, {"error": {"errors": [{"domain": "global", "reason": "backendError",
                                                     "message": "Service Unavailable"}],
                                         "code": 503, "message": "Service Unavailable"}})
            if "retryAfter" in rule.spec:
                r.headers["Retry-After"] = str(rule.retry_after)
            return r
        return self.err(500, "backendError")

    def is_refresh_request(self, req):
        if req.method != "POST" or req.path != "/token":
            return False
        try:
            return req.form().get("grant_type") == "refresh_token"
        except Exception:
            return False

    def invalid_grant_response(self, req):
        return Response(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})

    @staticmethod
    def _public(e):
        return {k: copy.deepcopy(v) for k, v in e.items() if not k.startswith("_")}

    def _etag(self):
        self.changes += 1
        return '"%d"' % (3000000000000000 + self.changes), self.changes

    # ------------------------------------------------------------------ dispatch
    def handle_api(self, req):
        p = req.path
        if p == "/o/oauth2/v2/auth" or p == "/o/oauth2/auth":
            return self.oauth_authorize(req)
        if p == "/token" or p == "/oauth2/v4/token":
            return self.oauth_token(req)
        if p == "/revoke" or p == "/o/oauth2/revoke":
            return self.oauth_revoke(req)
        if p in ("/oauth2/v3/userinfo", "/oauth2/v2/userinfo", "/v1/userinfo"):
            return self.userinfo(req)
        if p == "/batch/calendar/v3" and req.method == "POST":
            return self.batch(req)
        if p.startswith("/calendar/v3/"):
            return self.calendar_api(req)
        return self.err(404, "notFound")

    # ------------------------------------------------------------------ OAuth
    def _client_ok(self, client_id):
        return bool(client_id) and (not self.options.client_id or client_id == self.options.client_id)

    def oauth_authorize(self, req):
        q = {k: v[-1] for k, v in req.query.items()}
        problems = []
        client_id, redirect_uri = q.get("client_id"), q.get("redirect_uri")
        if not self._client_ok(client_id):
            r = Response(401, {"error": "invalid_client", "error_description": "The OAuth client was not found."})
            r.violations = [Violation("client_id", "unknown OAuth client %r" % client_id, "invalid_client", "parameter")]
            return r
        if not redirect_uri or not re.match(r"^https?://", redirect_uri):
            r = Response(400, {"error": "redirect_uri_mismatch",
                               "error_description": "redirect_uri is missing or not an absolute http(s) URI"})
            r.violations = [Violation("redirect_uri", "missing or invalid redirect_uri", "invalid_request", "parameter")]
            return r
        if q.get("response_type") != "code":
            problems.append(Violation("response_type", "response_type must be 'code'", "invalid_request", "parameter"))
        if not q.get("code_challenge"):
            problems.append(Violation("code_challenge", "PKCE code_challenge is required", "invalid_request", "parameter"))
        elif not re.match(r"^[A-Za-z0-9_-]{43}$", q["code_challenge"]):
            problems.append(Violation("code_challenge", "an S256 code_challenge is 43 base64url characters",
                                      "invalid_request", "parameter"))
        if q.get("code_challenge_method") != "S256":
            problems.append(Violation("code_challenge_method", "code_challenge_method must be S256",
                                      "invalid_request", "parameter"))
        if q.get("access_type") != "offline":
            problems.append(Violation("access_type", "access_type=offline is needed to get a refresh token",
                                      "invalid_request", "parameter"))
        scopes = (q.get("scope") or "").split()
        if not scopes:
            problems.append(Violation("scope", "scope is required", "invalid_request", "parameter"))
        for s in scopes:
            if s not in self.known_scopes:
                problems.append(Violation("scope", "unknown scope '%s'" % s, "invalid_scope", "parameter"))
        allowed = {"client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge",
                   "code_challenge_method", "access_type", "prompt", "login_hint", "include_granted_scopes",
                   "hd", "nonce", "enable_granular_consent"}
        for k in q:
            if k not in allowed:
                problems.append(Violation(k, "unknown authorization parameter '%s'" % k, "invalid_request", "parameter"))
        if q.get("prompt") and any(x not in ("none", "consent", "select_account") for x in q["prompt"].split()):
            problems.append(Violation("prompt", "invalid prompt value", "invalid_request", "parameter"))
        sep = "&" if "?" in redirect_uri else "?"
        if problems:
            err = "invalid_scope" if any(v.reason == "invalid_scope" for v in problems) else "invalid_request"
            params = {"error": err, "error_description": str(problems[0])}
            if "state" in q:
                params["state"] = q["state"]
            r = Response(302, headers={"Location": redirect_uri + sep + urllib.parse.urlencode(params)})
            r.violations = problems
            return r
        user = q.get("login_hint") if q.get("login_hint") and "@" in q.get("login_hint", "") else self.default_user
        self.ensure_user(user)
        code = self.tokens.new_code(client_id=client_id, redirect_uri=redirect_uri, scope=" ".join(scopes),
                                    challenge=q["code_challenge"], method="S256", user=user)
        params = {"code": code, "scope": " ".join(scopes)}
        if "state" in q:
            params = {"state": q["state"], **params}
        return Response(302, headers={"Location": redirect_uri + sep + urllib.parse.urlencode(params)})

    def _token_error(self, status, error, desc, violation=None):
        r = Response(status, {"error": error, "error_description": desc})
        if violation:
            r.violations = [violation]
        return r

    def _token_body(self, user, client_id, scope, at, rt=None):
        now = int(time.time())
        body = {"access_token": at, "expires_in": self.tokens.access_lifetime, "scope": scope,
                "token_type": "Bearer",
                "id_token": unsigned_jwt({"iss": "https://accounts.google.com", "azp": client_id, "aud": client_id,
                                          "sub": self.users[user]["sub"], "email": user, "email_verified": True,
                                          "iat": now, "exp": now + 3600})}
        if rt:
            body["refresh_token"] = rt
        return Response(200, body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def oauth_token(self, req):
        if req.method != "POST":
            return self._token_error(405, "invalid_request", "POST required")
        ctype = req.headers.get("content-type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return self._token_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded",
                                     Violation("Content-Type", "token requests are form-encoded", "invalid_request", "header"))
        f = req.form()
        client_id = f.get("client_id")
        if not client_id and req.headers.get("authorization", "").lower().startswith("basic "):
            import base64
            try:
                cid, _, sec = base64.b64decode(req.headers["authorization"][6:]).decode().partition(":")
                client_id, f["client_secret"] = urllib.parse.unquote(cid), urllib.parse.unquote(sec)
            except Exception:
                pass
        if not self._client_ok(client_id) or (self.options.client_secret and f.get("client_secret") != self.options.client_secret):
            return self._token_error(401, "invalid_client", "Unauthorized",
                                     Violation("client_id", "wrong client id or secret", "invalid_client", "parameter"))
        gt = f.get("grant_type")
        if gt == "authorization_code":
            for k in ("code", "redirect_uri", "code_verifier"):
                if not f.get(k):
                    return self._token_error(400, "invalid_request", "Missing required parameter: %s" % k,
                                             Violation(k, "missing %s" % k, "invalid_request", "parameter"))
            info = self.tokens.codes.get(f["code"])
            if info is None or info["used"] or info["client_id"] != client_id or time.time() - info["issued"] > 600:
                return self._token_error(400, "invalid_grant", "Bad Request")
            if info["redirect_uri"] != f["redirect_uri"]:
                return self._token_error(400, "redirect_uri_mismatch", "Bad Request",
                                         Violation("redirect_uri", "redirect_uri differs from the authorization request",
                                                   "invalid_request", "parameter"))
            if not self.tokens.pkce_ok(f["code_verifier"], info["challenge"], info["method"]):
                return self._token_error(400, "invalid_grant", "Invalid code verifier.")
            info["used"] = True
            at, rt = self.tokens.issue(info["user"], client_id, info["scope"])
            return self._token_body(info["user"], client_id, info["scope"], at, rt)
        if gt == "refresh_token":
            rt = f.get("refresh_token")
            info = self.tokens.refresh.get(rt or "")
            if self.tokens.fail_refresh > 0:
                self.tokens.fail_refresh -= 1
                info = None
            if info is None or info["revoked"] or info["client_id"] != client_id:
                return self._token_error(400, "invalid_grant", "Token has been expired or revoked.")
            at, _ = self.tokens.issue(info["user"], client_id, info["scope"], refresh_token=rt)
            return self._token_body(info["user"], client_id, info["scope"], at)
        return self._token_error(400, "unsupported_grant_type", "Invalid grant_type: %s" % gt,
                                 Violation("grant_type", "unsupported grant_type %r" % gt, "invalid_request", "parameter"))

    def oauth_revoke(self, req):
        if req.method != "POST":
            return self._token_error(405, "invalid_request", "POST required")
        token = req.q1("token")
        if token is None and req.body:
            token = req.form().get("token")
        if token in self.tokens.refresh:
            self.tokens.refresh[token]["revoked"] = True
            for a in self.tokens.access.values():
                if a["user"] == self.tokens.refresh[token]["user"] and a["client_id"] == self.tokens.refresh[token]["client_id"]:
                    a["revoked"] = True
            return Response(200, {})
        if token in self.tokens.access:
            self.tokens.access[token]["revoked"] = True
            return Response(200, {})
        return self._token_error(400, "invalid_token", "Token expired or revoked")

    def _auth(self, req):
        token = req.bearer() or req.q1("access_token")
        info, problem = self.tokens.check_access(token)
        if problem:
            r = self.err(401, "authError")
            r.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
            return None, r
        return info, None

    def userinfo(self, req):
        info, r = self._auth(req)
        if r:
            return Response(401, {"error": "invalid_request", "error_description": "Invalid Credentials"})
        u = self.users[info["user"]]
        return Response(200, {"sub": u["sub"], "email": u["email"], "email_verified": True,
                              "name": u["email"].split("@")[0]})

    # ------------------------------------------------------------------ Calendar API
    def calendar_api(self, req):
        info, r = self._auth(req)
        if r:
            return r
        user = info["user"]
        self.ensure_user(user)
        p = req.path[len("/calendar/v3/"):]
        route = None
        m = re.match(r"^calendars/([^/]+)/events(?:/([^/]+))?$", p)
        if p == "users/me/calendarList" and req.method == "GET":
            route = ("calendar.calendarList.list", {})
        elif p == "freeBusy" and req.method == "POST":
            route = ("calendar.freebusy.query", {})
        elif m:
            cal, eid = m.group(1), m.group(2)
            table = {(False, "GET"): "list", (False, "POST"): "insert", (True, "GET"): "get",
                     (True, "PATCH"): "patch", (True, "PUT"): "update", (True, "DELETE"): "delete"}
            name = table.get((eid is not None, req.method))
            if name is None:
                return Response(405, self.contract.error_body(405, "httpMethodNotAllowed", "Method Not Allowed"))
            route = ("calendar.events." + name, {"calendarId": cal, "eventId": eid})
        if route is None:
            return self.err(404, "notFound")
        method_id, pp = route
        if not (set(info["scope"].split()) & self.method_scopes[method_id]):
            return Response(403, {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                                            "errors": [{"message": "Insufficient Permission", "domain": "global",
                                                        "reason": "insufficientPermissions"}],
                                            "status": "PERMISSION_DENIED"}})
        violations = self.contract.validate_query(method_id, req.query, pp)
        body = None
        if req.method in ("POST", "PUT", "PATCH"):
            ctype = req.headers.get("content-type", "")
            if not ctype.startswith("application/json"):
                violations.append(Violation("Content-Type", "request bodies must be application/json, got %r" % ctype,
                                            "invalid", "header"))
            try:
                body = req.json()
            except ValueError as e:
                return self.violation(violations + [Violation("", "Parse Error: %s" % e, "parseError")])
            if body is None:
                violations.append(Violation("", "the request body is empty", "required"))
        if method_id == "calendar.calendarList.list":
            return violations and self.violation(violations) or self.calendar_list(user)
        if method_id == "calendar.freebusy.query":
            fv, limit = self.contract.validate_freebusy(body)
            violations += fv
            if violations:
                return self.violation(violations)
            if limit:
                return self.err(limit[0], limit[1], limit[2], limit[3], "parameter")
            return self.freebusy(user, body)
        cal_id = user if pp["calendarId"] == "primary" else pp["calendarId"]
        eid = pp["eventId"]
        short = method_id.split(".")[-1]
        if short in ("insert", "update", "patch"):
            violations += self.contract.validate_event(body, short, req.query)
            if isinstance(body, dict) and short != "insert" and body.get("id") not in (None, eid):
                violations.append(Violation("id", "the id in the body differs from the id in the URL"))
        if short == "list" and "syncToken" in req.query:
            for bad in ("iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty",
                        "timeMin", "timeMax", "updatedMin"):
                if bad in req.query:
                    violations.append(Violation(bad, "%s cannot be used together with syncToken" % bad,
                                                "invalid", "parameter"))
        for prop_param in ("privateExtendedProperty", "sharedExtendedProperty"):
            for cond in req.query.get(prop_param, []) if short == "list" else []:
                if not re.match(r"^[^=]+=", cond):
                    violations.append(Violation(prop_param, "%s must be propertyName=value, got %r" % (prop_param, cond),
                                                "invalid", "parameter"))
        if short == "list" and req.q1("orderBy") == "startTime" and req.q1("singleEvents") != "true":
            violations.append(Violation("orderBy", "orderBy=startTime needs singleEvents=true", "invalid", "parameter"))
        if eid is not None and not contracts.GOOGLE_EVENT_ID_RE.match(eid) and short != "insert":
            # ids of events Google created itself are base32hex too; anything else cannot exist.
            violations.append(Violation("eventId", "'%s' is not a valid event id" % eid, "invalid", "parameter"))
        if violations:
            return self.violation(violations)
        cal = self.calendars.get(cal_id)
        if cal is None or cal["owner"] != user:
            return self.err(404, "notFound")
        if short == "list":
            return self.list_events(cal_id, cal, req)
        if short == "insert":
            return self.insert_event(cal_id, cal, body, req, user)
        ev = cal["events"].get(eid)
        if ev is None:
            return self.err(404, "notFound")
        im = req.headers.get("if-match")
        if im and im != "*" and im != ev["etag"]:
            return self.err(412, "conditionNotMet")
        if short == "get":
            return Response(200, self._public(ev), headers={"ETag": ev["etag"]})
        if short == "delete":
            if ev.get("status") == "cancelled":
                return self.err(410, "deleted")
            ev["status"] = "cancelled"
            self._touch(ev)
            self.notifications.append({"op": "delete", "calendarId": cal_id, "eventId": eid,
                                       "sendUpdates": req.q1("sendUpdates")})
            return Response(204)
        # patch / update
        if short == "patch":
            merged = copy.deepcopy(self._public(ev))
            self._merge(merged, body)
        else:
            merged = copy.deepcopy(body)
            for keep in ("id", "created", "iCalUID", "creator", "organizer", "htmlLink", "kind"):
                merged[keep] = ev[keep]
            merged.setdefault("status", "confirmed")
            merged.setdefault("reminders", {"useDefault": True})
            merged.setdefault("eventType", ev.get("eventType", "default"))
            merged.setdefault("sequence", ev.get("sequence", 0))
            if "conferenceData" not in body and "conferenceData" in ev and req.q1("conferenceDataVersion") != "1":
                merged["conferenceData"] = ev["conferenceData"]
        merged.pop("etag", None)
        merged.pop("updated", None)
        self._apply_conference(merged, req)
        if "hangoutLink" in ev and "conferenceData" in merged:
            merged["hangoutLink"] = ev["hangoutLink"]
        if merged.get("start") != ev.get("start") or merged.get("end") != ev.get("end"):
            if "sequence" not in body:
                merged["sequence"] = ev.get("sequence", 0) + 1
        new = {k: v for k, v in ev.items() if k.startswith("_")}
        new.update(merged)
        new["id"] = eid
        self._touch(new)
        cal["events"][eid] = new
        self.notifications.append({"op": short, "calendarId": cal_id, "eventId": eid,
                                   "sendUpdates": req.q1("sendUpdates")})
        return Response(200, self._public(new), headers={"ETag": new["etag"]})

    @staticmethod
    def _merge(dst, src):
        for k, v in src.items():
            if v is None:
                dst.pop(k, None)
            elif isinstance(v, dict) and isinstance(dst.get(k), dict):
                GoogleEmulator._merge(dst[k], v)
            else:
                dst[k] = copy.deepcopy(v)

    def _touch(self, ev):
        ev["etag"], ev["_change"] = self._etag()
        ev["updated"] = now_rfc3339()

    def calendar_list(self, user):
        items = []
        for cid, c in self.calendars.items():
            if c["owner"] != user:
                continue
            e = {"kind": "calendar#calendarListEntry", "etag": '"%d"' % (hash(cid) & 0xffffff), "id": cid,
                 "summary": c["summary"], "timeZone": c["timeZone"], "accessRole": "owner",
                 "defaultReminders": [], "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}}
            if cid == user:
                e["primary"] = True
            items.append(e)
        return Response(200, {"kind": "calendar#calendarList", "etag": '"%d"' % self.changes,
                              "nextSyncToken": "cl%d" % self.changes, "items": items})

    def _apply_conference(self, ev, req):
        cd = ev.get("conferenceData")
        if not isinstance(cd, dict):
            return
        if req.q1("conferenceDataVersion") != "1":
            ev.pop("conferenceData", None)
            return
        cr = cd.get("createRequest")
        if isinstance(cr, dict) and not cd.get("entryPoints"):
            rid = cr.get("requestId", "")
            if rid in self.conference_requests:
                ev["conferenceData"] = copy.deepcopy(self.conference_requests[rid])
            else:
                h = hashlib.sha256(rid.encode()).hexdigest()
                letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in h[:10])
                code = "%s-%s-%s" % (letters[:3], letters[3:7], letters[7:10])
                typ = (cr.get("conferenceSolutionKey") or {}).get("type", "hangoutsMeet")
                ev["conferenceData"] = {
                    "createRequest": {"requestId": rid, "conferenceSolutionKey": {"type": typ},
                                      "status": {"statusCode": "success"}},
                    "entryPoints": [{"entryPointType": "video", "uri": "https://meet.google.com/" + code,
                                     "label": "meet.google.com/" + code}],
                    "conferenceSolution": {"key": {"type": typ}, "name": "Google Meet",
                                           "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"},
                    "conferenceId": code}
                self.conference_requests[rid] = copy.deepcopy(ev["conferenceData"])
        for ep in ev["conferenceData"].get("entryPoints", []):
            if ep.get("entryPointType") == "video":
                ev["hangoutLink"] = ep["uri"]
                break

    def _new_event(self, cal_id, body, user):
        ev = copy.deepcopy(body)
        eid = ev.get("id") or "".join(secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26))
        now = now_rfc3339()
        out = {"kind": "calendar#event", "etag": "", "id": eid, "status": ev.pop("status", "confirmed"),
               "htmlLink": "https://www.google.com/calendar/event?eid=" + eid, "created": now, "updated": now}
        out.update({k: v for k, v in ev.items() if v is not None})
        out["id"] = eid
        out.setdefault("iCalUID", eid + "@google.com")
        out.setdefault("sequence", 0)
        out.setdefault("creator", {"email": user, "self": True})
        out.setdefault("organizer", {"email": cal_id, "self": True})
        out.setdefault("reminders", {"useDefault": True})
        out.setdefault("eventType", "default")
        self._touch(out)
        self.calendars[cal_id]["events"][eid] = out
        return out

    def insert_event(self, cal_id, cal, body, req, user):
        eid = body.get("id")
        if eid and eid in cal["events"]:
            return self.err(409, "duplicate")
        body = copy.deepcopy(body)
        self._apply_conference(body, req)
        ev = self._new_event(cal_id, body, user)
        self.notifications.append({"op": "insert", "calendarId": cal_id, "eventId": ev["id"],
                                   "sendUpdates": req.q1("sendUpdates")})
        return Response(200, self._public(ev), headers={"ETag": ev["etag"]})

    # ------------------------------------------------------------------ time helpers
    @staticmethod
    def _instant(edt, cal_tz):
        """EventDateTime -> aware UTC datetime."""
        if not isinstance(edt, dict):
            return None
        if edt.get("date"):
            d = parse_date(edt["date"])
            if d is None:
                return None
            tz = zoneinfo.ZoneInfo(edt.get("timeZone") or cal_tz or "UTC")
            return dt.datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(dt.timezone.utc)
        d = parse_rfc3339(edt.get("dateTime"), need_offset=False)
        if d is None:
            return None
        if d.tzinfo is None:
            d = d.replace(tzinfo=zoneinfo.ZoneInfo(edt.get("timeZone") or cal_tz or "UTC"))
        return d.astimezone(dt.timezone.utc)

    def list_events(self, cal_id, cal, req):
        q = req.q1
        evs = list(cal["events"].values())
        sync = q("syncToken")
        incremental = False
        if sync is not None:
            m = re.match(r"^s(\d+)$", sync)
            if not m or int(m.group(1)) > self.changes:
                return self.err(410, "fullSyncRequired")
            evs = [e for e in evs if e["_change"] > int(m.group(1))]
            incremental = True
        if q("updatedMin"):
            um = parse_rfc3339(q("updatedMin"))
            evs = [e for e in evs if parse_rfc3339(e["updated"]) >= um]
            incremental = True
        if not incremental and q("showDeleted") != "true":
            evs = [e for e in evs if e.get("status") != "cancelled"]
        tmin, tmax = parse_rfc3339(q("timeMin")) if q("timeMin") else None, parse_rfc3339(q("timeMax")) if q("timeMax") else None
        if tmin and tmax and tmax <= tmin:
            return self.err(400, "timeRangeEmpty")
        res = []
        for e in evs:
            s, en = self._instant(e.get("start"), cal["timeZone"]), self._instant(e.get("end"), cal["timeZone"])
            if tmin and en is not None and en <= tmin:
                continue
            if tmax and s is not None and s >= tmax:
                continue
            ok = True
            for scope, param in (("private", "privateExtendedProperty"), ("shared", "sharedExtendedProperty")):
                props = (e.get("extendedProperties") or {}).get(scope) or {}
                for cond in req.query.get(param, []):
                    name, _, value = cond.partition("=")
                    if props.get(name) != value:
                        ok = False
            if q("iCalUID") and e.get("iCalUID") != q("iCalUID"):
                ok = False
            if q("q"):
                text = " ".join(str(e.get(k, "")) for k in ("summary", "description", "location")).lower()
                ok = ok and q("q").lower() in text
            if ok:
                res.append(e)
        if q("orderBy") == "startTime":
            res.sort(key=lambda e: self._instant(e.get("start"), cal["timeZone"]) or dt.datetime.min.replace(tzinfo=dt.timezone.utc))
        elif q("orderBy") == "updated":
            res.sort(key=lambda e: e["updated"])
        max_results = min(int(q("maxResults", "250")), 2500)
        start = 0
        if q("pageToken"):
            m = re.match(r"^p(\d+)$", q("pageToken"))
            if not m:
                return self.err(400, "invalid", "Invalid page token", "pageToken", "parameter")
            start = int(m.group(1))
        page = res[start:start + max_results]
        body = {"kind": "calendar#events", "etag": '"%d"' % self.changes, "summary": cal["summary"],
                "updated": now_rfc3339(), "timeZone": cal["timeZone"], "accessRole": "owner",
                "defaultReminders": [], "items": [self._list_item(e) for e in page]}
        if start + max_results < len(res):
            body["nextPageToken"] = "p%d" % (start + max_results)
        else:
            body["nextSyncToken"] = "s%d" % self.changes
        return Response(200, body)

    def _list_item(self, e):
        if e.get("status") == "cancelled":
            return {"kind": "calendar#event", "etag": e["etag"], "id": e["id"], "status": "cancelled"}
        return self._public(e)

    # ------------------------------------------------------------------ freeBusy
    def freebusy(self, user, body):
        tmin, tmax = parse_rfc3339(body["timeMin"]), parse_rfc3339(body["timeMax"])
        if tmax - tmin > dt.timedelta(days=MAX_FREEBUSY_DAYS):
            return self.err(400, "timeRangeTooLong", "The requested time range is too long.", "timeMax", "parameter")
        tzname = body.get("timeZone") or "UTC"
        zone = zoneinfo.ZoneInfo(tzname) if tzname != "UTC" else dt.timezone.utc
        limit = body.get("calendarExpansionMax", contracts.GoogleContract.MAX_FREEBUSY_CALENDARS)
        cals = {}
        for i, item in enumerate(body.get("items", [])):
            cid = user if item["id"] == "primary" else item["id"]
            if i >= limit:
                cals[item["id"]] = {"errors": [{"domain": "global", "reason": "tooManyCalendarsRequested"}], "busy": []}
                continue
            cal = self.calendars.get(cid)
            if cal is None or cal["owner"] != user:
                cals[item["id"]] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                continue
            spans = []
            for e in cal["events"].values():
                if e.get("status") == "cancelled" or e.get("transparency") == "transparent":
                    continue
                me = [a for a in e.get("attendees", []) if a.get("self") or a.get("email") == user]
                if me and me[0].get("responseStatus") == "declined":
                    continue
                s, en = self._instant(e.get("start"), cal["timeZone"]), self._instant(e.get("end"), cal["timeZone"])
                if s is None or en is None or en <= tmin or s >= tmax:
                    continue
                spans.append([max(s, tmin), min(en, tmax)])
            spans.sort()
            merged = []
            for s, en in spans:
                if merged and s <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], en)
                else:
                    merged.append([s, en])

            def fmt(d):
                if tzname == "UTC":
                    return _fmt_utc(d)
                return d.astimezone(zone).isoformat()
            cals[item["id"]] = {"busy": [{"start": fmt(s), "end": fmt(en)} for s, en in merged]}
        return Response(200, {"kind": "calendar#freeBusy", "timeMin": _fmt_utc(tmin), "timeMax": _fmt_utc(tmax),
                              "calendars": cals})

    # ------------------------------------------------------------------ batch
    def batch(self, req):
        ctype = req.headers.get("content-type", "")
        m = re.match(r'^multipart/mixed\s*;.*boundary="?([^";]+)"?', ctype, re.I)
        if not m:
            return self.violation([Violation("Content-Type", "a batch is multipart/mixed with a boundary, got %r" % ctype,
                                             "invalid", "header")])
        boundary = m.group(1)
        text = req.body.decode("utf-8", errors="replace")
        delim = "--" + boundary
        if delim + "--" not in text:
            return self.violation([Violation("", "the multipart body has no closing boundary", "parseError")])
        chunks = text.split(delim)
        parts = []
        for c in chunks[1:]:
            if c.startswith("--"):
                break
            parts.append(c)
        if len(parts) == 0:
            return self.violation([Violation("", "empty batch", "invalid")])
        if len(parts) > MAX_BATCH_PARTS:
            return self.violation([Violation("", "You're limited to 1000 calls in a single batch request.", "invalid")])
        out_boundary = "batch_" + secrets.token_hex(12)
        out = []
        outer_headers = {k: v for k, v in req.headers.items() if not k.startswith("content-")}
        for part in parts:
            head, rest = self._split_head(part)
            ph = self._headers(head)
            cid = ph.get("content-id")
            resp, inner_req = self._batch_part(ph, rest, outer_headers)
            if inner_req is not None:
                self.record(inner_req, resp, parent="batch")
            lines = ["Content-Type: application/http"]
            if cid:
                cm = re.match(r"^<(.*)>$", cid.strip())
                lines.append("Content-ID: <response-%s>" % (cm.group(1) if cm else cid.strip()))
            lines.append("")
            lines.append("HTTP/1.1 %d %s" % (resp.status, _reason(resp.status)))
            for k, v in resp.headers.items():
                lines.append("%s: %s" % (k, v))
            lines.append("Content-Length: %d" % len(resp.data))
            lines.append("")
            lines.append(resp.data.decode("utf-8"))
            out.append("\r\n".join(lines))
        body = "".join("--%s\r\n%s\r\n" % (out_boundary, p) for p in out) + "--%s--\r\n" % out_boundary
        return Response(200, raw=body.encode("utf-8"),
                        headers={"Content-Type": "multipart/mixed; boundary=" + out_boundary})

    @staticmethod
    def _split_head(block):
        block = re.sub(r"^\r?\n", "", block)
        m = re.search(r"\r?\n\r?\n", block)
        if not m:
            return block, ""
        return block[:m.start()], block[m.end():]

    @staticmethod
    def _headers(text):
        h = {}
        for line in re.split(r"\r?\n", text):
            if ":" in line:
                k, _, v = line.partition(":")
                h[k.strip().lower()] = v.strip()
        return h

    def _batch_part(self, ph, rest, outer_headers):
        if ph.get("content-type", "").split(";")[0].strip().lower() != "application/http":
            r = self.violation([Violation("Content-Type", "each batch part must be Content-Type: application/http",
                                          "invalid", "header")])
            return r, None
        head, body = self._split_head(rest)
        lines = re.split(r"\r?\n", head)
        rl = lines[0].split()
        if len(rl) < 2:
            return self.violation([Violation("", "bad request line in batch part: %r" % lines[0], "parseError")]), None
        method, target = rl[0], rl[1]
        headers = dict(outer_headers)
        for k, v in self._headers("\n".join(lines[1:])).items():
            headers[k] = v
        body = re.sub(r"\r?\n$", "", body)
        inner = Request(method, target, headers, body.encode("utf-8"), inner=True)
        if re.match(r"^[a-z]+://", target, re.I):
            return self.violation([Violation("url", "batch parts must contain only the path, not a full URL (%s)" % target,
                                             "invalid")]), inner
        if not inner.path.startswith("/calendar/v3/"):
            return self.violation([Violation("url", "all requests of a batch must go to /calendar/v3 (%s)" % inner.path,
                                             "invalid")]), inner
        return self.dispatch(inner), inner


def _reason(status):
    import http
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def main():
    ap = common_args("Google Calendar v3 + OAuth emulator")
    options = parse_options(ap)
    serve(GoogleEmulator(options), options)


if __name__ == "__main__":
    main()
