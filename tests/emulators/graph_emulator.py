#!/usr/bin/python3
"""Microsoft Graph v1.0 (calendar) + Microsoft identity platform v2 emulator for Créneau's tests.

Start: /usr/bin/python3 graph_emulator.py --port 0  -> prints "LISTENING <port>".
Every request is checked against shared/contracts/graph (see contracts.py); a violation
is answered with 400 in Graph's error format and recorded (GET /_emulator/requests).
See README.md beside this file.
"""

import base64
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
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import contracts  # noqa: E402
from contracts import Violation, graph_format_dttz, graph_parse_dttz, graph_zone  # noqa: E402
from emulator_base import (EmulatorBase, Request, Response, common_args, parse_options,  # noqa: E402
                           serve, unsigned_jwt)

GRAPH_RES = "https://graph.microsoft.com/"
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
KNOWN_PERMISSIONS = ("User.Read", "Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared",
                     "Calendars.ReadWrite.Shared", "Calendars.ReadBasic", "MailboxSettings.Read",
                     "MailboxSettings.ReadWrite", "OnlineMeetings.ReadWrite", ".default")
TENANT_RE = re.compile(r"^(common|organizations|consumers|[0-9a-fA-F-]{36}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$")
FREEBUSY_DIGIT = {"free": "0", "workingElsewhere": "0", "tentative": "1", "busy": "2", "oof": "3", "unknown": "0"}


def _now_z():
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _scope_names(scope):
    out = set()
    for s in scope.split():
        out.add(s[len(GRAPH_RES):] if s.startswith(GRAPH_RES) else s)
    return out


class GraphEmulator(EmulatorBase):
    name = "graph-emulator"

    def __init__(self, options):
        self.contract = contracts.graph()
        super().__init__(options)

    # ------------------------------------------------------------------ state
    def reset_state(self):
        self.users = {}  # mail -> {id, mail, displayName, timeZone, calendars{id: {...}}, default}
        self.transactions = {}  # (mail, transactionId) -> event id
        self.deleted = set()
        self.default_user = self.options.user or "employee@example.onmicrosoft.com"
        self.changes = 0

    def ensure_user(self, mail, display_name=None, time_zone="UTC"):
        key = mail.lower()
        if key not in self.users:
            cal_id = "AAMkAGCal" + hashlib.sha1(key.encode()).hexdigest()[:24] + "="
            self.users[key] = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, "mailto:" + key)), "mail": mail,
                               "displayName": display_name or mail.split("@")[0], "timeZone": time_zone,
                               "calendars": {cal_id: {"id": cal_id, "name": "Calendar", "isDefaultCalendar": True,
                                                      "events": {}}},
                               "default": cal_id}
        return self.users[key]

    def state(self):
        out = {"users": {}}
        for key, u in self.users.items():
            out["users"][u["mail"]] = {
                "id": u["id"], "timeZone": u["timeZone"],
                "calendars": {cid: {"name": c["name"], "isDefaultCalendar": c["isDefaultCalendar"],
                                    "events": [self._public(e) for e in c["events"].values()]}
                              for cid, c in u["calendars"].items()}}
        out["transactions"] = {"%s|%s" % k: v for k, v in self.transactions.items()}
        return out

    def seed(self, body):
        if not isinstance(body, dict):
            raise ValueError("seed body must be an object {users:[...], calendars:[...], events:[...]}")
        for u in body.get("users", []):
            uu = self.ensure_user(u["mail"], u.get("displayName"), u.get("timeZone", "UTC"))
            if "workingHours" in u:
                uu["workingHours"] = u["workingHours"]
        created_cals = []
        for c in body.get("calendars", []):
            u = self.ensure_user(c.get("user") or self.default_user)
            cid = c.get("id") or "AAMkAGCal" + secrets.token_hex(12) + "="
            u["calendars"][cid] = {"id": cid, "name": c.get("name", "Calendar"), "isDefaultCalendar": False,
                                   "events": {}}
            created_cals.append(cid)
        inserted = []
        for e in body.get("events", []):
            e = dict(e)
            user = self.ensure_user(e.pop("user", None) or self.default_user)
            cid = e.pop("calendarId", None) or user["default"]
            if cid not in user["calendars"]:
                raise ValueError("unknown calendarId %s" % cid)
            extra = {k: e.pop(k) for k in ("isCancelled", "responseStatus", "type") if k in e}
            v = self.contract.validate_event(e, "create")
            if v:
                raise ValueError("seed event invalid: " + "; ".join(map(str, v)))
            ev = self._create(user, cid, e)
            ev.update(extra)
            inserted.append({"user": user["mail"], "calendarId": cid, "id": ev["id"]})
        return {"inserted": inserted, "calendars": created_cals}

    # ------------------------------------------------------------------ helpers
    def gerr(self, status, code, message):
        return Response(status, self.contract.error_body(code, message, str(uuid.uuid4())))

    def violation(self, violations):
        r = Response(400, self.contract.violation_body(violations))
        r.violations = violations
        return r

    def fault_response(self, rule, req):
        a = rule.action
        if a == "429":
            r = self.gerr(429, "TooManyRequests", "Too many requests. Please retry later.")
            r.headers["Retry-After"] = str(rule.retry_after)
            return r
        if a == "503":
            r = self.gerr(503, "ServiceNotAvailable", "The service is temporarily unavailable.")
            r.headers["Retry-After"] = str(rule.retry_after)
            return r
        if a.startswith("403"):
            return self.gerr(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return self.gerr(500, "generalException", "An unexpected error occurred.")

    def is_refresh_request(self, req):
        if req.method != "POST" or not req.path.endswith("/oauth2/v2.0/token"):
            return False
        try:
            return req.form().get("grant_type") == "refresh_token"
        except Exception:
            return False

    def invalid_grant_response(self, req):
        return self._aad_error(400, "invalid_grant", 700082,
                               "The refresh token has expired due to inactivity.")

    @staticmethod
    def _public(e):
        return {k: copy.deepcopy(v) for k, v in e.items() if not k.startswith("_")}

    # ------------------------------------------------------------------ dispatch
    def handle_api(self, req):
        p = req.path
        m = re.match(r"^/([^/]+)/oauth2/v2\.0/(authorize|token)$", p)
        if m:
            if not TENANT_RE.match(m.group(1)):
                return self._aad_error(400, "invalid_request", 90002, "Tenant '%s' not found." % m.group(1))
            return self.oauth_authorize(req) if m.group(2) == "authorize" else self.oauth_token(req)
        if p == "/v1.0/$batch" and req.method == "POST":
            return self.batch(req)
        if p.startswith("/v1.0/"):
            return self.graph_api(req, p[len("/v1.0"):])
        return self.gerr(404, "BadRequest" if p.startswith("/beta") else "NotFound",
                         "Resource not found for the segment '%s'." % p.strip("/").split("/")[0])

    # ------------------------------------------------------------------ identity platform
    def _aad_error(self, status, error, code, text, violation=None):
        trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
        ts = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        r = Response(status, {"error": error,
                              "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
                              % (code, text, trace, corr, ts),
                              "error_codes": [code], "timestamp": ts, "trace_id": trace, "correlation_id": corr,
                              "error_uri": "https://login.microsoftonline.com/error?code=%d" % code})
        if violation:
            r.violations = [violation]
        return r

    def _client_ok(self, cid):
        return bool(cid) and (not self.options.client_id or cid == self.options.client_id)

    def _check_scopes(self, scope, problems):
        names = _scope_names(scope or "")
        if not names:
            problems.append(Violation("scope", "scope is required", "invalid_request", "parameter"))
        for s in names:
            if s not in OIDC_SCOPES and s not in KNOWN_PERMISSIONS:
                problems.append(Violation("scope", "unknown scope '%s'" % s, "invalid_scope", "parameter"))
        return names

    def oauth_authorize(self, req):
        q = {k: v[-1] for k, v in req.query.items()}
        if not self._client_ok(q.get("client_id")):
            return self._aad_error(400, "unauthorized_client", 700016,
                                   "Application with identifier '%s' was not found in the directory." % q.get("client_id"),
                                   Violation("client_id", "unknown client id", "invalid_client", "parameter"))
        redirect_uri = q.get("redirect_uri")
        if not redirect_uri or not re.match(r"^https?://", redirect_uri):
            return self._aad_error(400, "invalid_request", 50011, "The redirect URI specified in the request "
                                   "does not match the redirect URIs configured for the application.",
                                   Violation("redirect_uri", "missing or invalid redirect_uri", "invalid_request", "parameter"))
        problems = []
        if q.get("response_type") != "code":
            problems.append(Violation("response_type", "response_type must be 'code'", "invalid_request", "parameter"))
        if not q.get("code_challenge") or not re.match(r"^[A-Za-z0-9_-]{43}$", q.get("code_challenge", "")):
            problems.append(Violation("code_challenge", "a 43-character S256 PKCE code_challenge is required",
                                      "invalid_request", "parameter"))
        if q.get("code_challenge_method") != "S256":
            problems.append(Violation("code_challenge_method", "code_challenge_method must be S256",
                                      "invalid_request", "parameter"))
        names = self._check_scopes(q.get("scope"), problems)
        if "offline_access" not in names:
            problems.append(Violation("scope", "offline_access is needed to get a refresh token",
                                      "invalid_request", "parameter"))
        if q.get("response_mode", "query") not in ("query", "form_post", "fragment"):
            problems.append(Violation("response_mode", "invalid response_mode", "invalid_request", "parameter"))
        allowed = {"client_id", "response_type", "redirect_uri", "scope", "response_mode", "state", "prompt",
                   "login_hint", "domain_hint", "code_challenge", "code_challenge_method", "nonce"}
        for k in q:
            if k not in allowed:
                problems.append(Violation(k, "unknown authorization parameter '%s'" % k, "invalid_request", "parameter"))
        sep = "&" if "?" in redirect_uri else "?"
        if problems:
            params = {"error": "invalid_scope" if any(v.reason == "invalid_scope" for v in problems) else "invalid_request",
                      "error_description": "AADSTS900144: " + str(problems[0])}
            if "state" in q:
                params["state"] = q["state"]
            r = Response(302, headers={"Location": redirect_uri + sep + urllib.parse.urlencode(params)})
            r.violations = problems
            return r
        user = q.get("login_hint") if "@" in q.get("login_hint", "") else self.default_user
        self.ensure_user(user)
        code = self.tokens.new_code(client_id=q["client_id"], redirect_uri=redirect_uri, scope=q["scope"],
                                    challenge=q["code_challenge"], method="S256", user=user.lower())
        params = {"code": code}
        if "state" in q:
            params["state"] = q["state"]
        params["session_state"] = str(uuid.uuid4())
        return Response(302, headers={"Location": redirect_uri + sep + urllib.parse.urlencode(params)})

    def _token_body(self, user_key, client_id, scope, at, rt):
        u = self.users[user_key]
        now = int(time.time())
        names = _scope_names(scope)
        granted = " ".join(sorted(n for n in names if n not in ("openid", "offline_access", "profile", "email"))
                           ) or "User.Read"
        body = {"token_type": "Bearer", "scope": granted + " profile openid email",
                "expires_in": self.tokens.access_lifetime, "ext_expires_in": self.tokens.access_lifetime,
                "access_token": at}
        if "offline_access" in names:
            body["refresh_token"] = rt
        if "openid" in names:
            body["id_token"] = unsigned_jwt({"aud": client_id, "iss": "https://login.microsoftonline.com/emulator/v2.0",
                                             "iat": now, "nbf": now, "exp": now + 3600, "oid": u["id"],
                                             "preferred_username": u["mail"], "email": u["mail"],
                                             "name": u["displayName"], "sub": u["id"], "tid": "emulator", "ver": "2.0"})
        return Response(200, body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def oauth_token(self, req):
        if req.method != "POST":
            return self._aad_error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.")
        if not req.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return self._aad_error(400, "invalid_request", 900144, "The request body must be form-encoded.",
                                   Violation("Content-Type", "token requests are form-encoded", "invalid_request", "header"))
        f = req.form()
        cid = f.get("client_id")
        if not self._client_ok(cid):
            return self._aad_error(400, "unauthorized_client", 700016,
                                   "Application with identifier '%s' was not found in the directory." % cid,
                                   Violation("client_id", "unknown or missing client_id", "invalid_client", "parameter"))
        if self.options.client_secret and f.get("client_secret") != self.options.client_secret:
            return self._aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        gt = f.get("grant_type")
        if gt == "authorization_code":
            for k in ("code", "redirect_uri", "code_verifier"):
                if not f.get(k):
                    return self._aad_error(400, "invalid_request", 900144,
                                           "The request body must contain the following parameter: '%s'." % k,
                                           Violation(k, "missing %s" % k, "invalid_request", "parameter"))
            info = self.tokens.codes.get(f["code"])
            if info is None or info["client_id"] != cid:
                return self._aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
            if info["used"]:
                return self._aad_error(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, "
                                       "please retry with a new valid code or use an existing refresh token.")
            if time.time() - info["issued"] > 600:
                return self._aad_error(400, "invalid_grant", 70008, "The provided authorization code or refresh "
                                       "token has expired due to inactivity.")
            if info["redirect_uri"] != f["redirect_uri"]:
                return self._aad_error(400, "invalid_grant", 70002, "The redirect URI does not match the one of "
                                       "the authorization request.",
                                       Violation("redirect_uri", "redirect_uri differs from the authorization request",
                                                 "invalid_request", "parameter"))
            if not self.tokens.pkce_ok(f["code_verifier"], info["challenge"], info["method"]):
                return self._aad_error(400, "invalid_grant", 501481,
                                       "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
            info["used"] = True
            at, rt = self.tokens.issue(info["user"], cid, info["scope"])
            return self._token_body(info["user"], cid, info["scope"], at, rt)
        if gt == "refresh_token":
            old = f.get("refresh_token", "")
            info = self.tokens.refresh.get(old)
            if info is None or info["revoked"] or info["client_id"] != cid:
                return self.invalid_grant_response(req)
            scope = f.get("scope") or info["scope"]
            problems = []
            self._check_scopes(scope, problems)
            if problems:
                return self._aad_error(400, "invalid_scope", 70011, str(problems[0]), problems[0])
            info["revoked"] = True  # refresh tokens rotate
            at, rt = self.tokens.issue(info["user"], cid, info["scope"])
            return self._token_body(info["user"], cid, info["scope"], at, rt)
        return self._aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % gt,
                               Violation("grant_type", "unsupported grant_type %r" % gt, "invalid_request", "parameter"))

    # ------------------------------------------------------------------ Graph API
    def _auth(self, req):
        token = req.bearer()
        info, problem = self.tokens.check_access(token)
        if problem:
            msg = {"missing": "Access token is empty.", "expired": "Access token has expired or is not yet valid.",
                   "invalid": "IDX14100: JWT is not well formed, there are no dots (.)."}[problem]
            r = self.gerr(401, "InvalidAuthenticationToken", msg)
            r.headers["WWW-Authenticate"] = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"'
            return None, r
        return info, None

    def _tz_pref(self, req):
        prefer = req.headers.get("prefer", "")
        m = re.search(r'outlook\.timezone\s*=\s*"([^"]+)"', prefer)
        return m.group(1) if m else None

    def graph_api(self, req, p):
        info, r = self._auth(req)
        if r:
            return r
        user = self.ensure_user(info["user"])
        perms = _scope_names(info["scope"])
        # /users/{id|upn}/... is the same as /me/... for the signed-in user
        m = re.match(r"^/users/([^/]+)(/.*)?$", p)
        if m:
            who = urllib.parse.unquote(m.group(1))
            if who.lower() not in (user["mail"].lower(), user["id"]):
                return self.gerr(404 if "@" in who else 400, "ErrorItemNotFound" if "@" in who else "Request_BadRequest",
                                 "The specified object was not found in the store.")
            p = "/me" + (m.group(2) or "")
        pref_tz = self._tz_pref(req)
        violations = self.contract.validate_query(p, req.query)
        if pref_tz is not None and graph_zone(pref_tz) is None:
            violations.append(Violation("Prefer", "outlook.timezone '%s' is not a supported time zone" % pref_tz,
                                        "invalid", "header"))
        body = None
        if req.method in ("POST", "PATCH", "PUT"):
            if not req.headers.get("content-type", "").startswith("application/json"):
                violations.append(Violation("Content-Type", "request bodies must be application/json", "invalid", "header"))
            try:
                body = req.json()
            except ValueError as e:
                return self.violation(violations + [Violation("", "Unable to read JSON request payload: %s" % e)])
        read = {"Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "Calendars.ReadWrite.Shared", ".default"}
        write = {"Calendars.ReadWrite", "Calendars.ReadWrite.Shared", ".default"}
        denied = self.gerr(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")

        if p == "/me" and req.method == "GET":
            if violations:
                return self.violation(violations)
            out = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
                   "id": user["id"], "displayName": user["displayName"], "mail": user["mail"],
                   "userPrincipalName": user["mail"], "businessPhones": [], "givenName": None, "surname": None,
                   "jobTitle": None, "mobilePhone": None, "officeLocation": None, "preferredLanguage": None}
            sel = req.q1("$select")
            if sel:
                out = {k: v for k, v in out.items() if k.startswith("@") or k in sel.split(",")}
            return Response(200, out)
        if not (perms & read):
            return denied
        if p == "/me/calendars" and req.method == "GET":
            return violations and self.violation(violations) or Response(200, {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('%s')/calendars" % user["id"],
                "value": [self._calendar(user, c) for c in user["calendars"].values()]})
        if p == "/me/calendar" and req.method == "GET":
            return violations and self.violation(violations) or Response(200, self._calendar(user, user["calendars"][user["default"]]))
        m = re.match(r"^/me/calendars/([^/]+)$", p)
        if m and req.method == "GET":
            c = user["calendars"].get(m.group(1))
            if violations:
                return self.violation(violations)
            return Response(200, self._calendar(user, c)) if c else self.gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        m = re.match(r"^/me/(?:calendar|calendars/([^/]+))/getSchedule$", p)
        if m and req.method == "POST":
            gv, vals = self.contract.validate_get_schedule(body)
            violations += gv
            if violations:
                return self.violation(violations)
            return self.get_schedule(vals, pref_tz)
        m = re.match(r"^/me/(?:events|calendar/events|calendars/([^/]+)/events)$", p)
        if m:
            cal_id = m.group(1) or (user["default"] if "/calendar" in p or req.method == "POST" else None)
            if cal_id is not None and cal_id not in user["calendars"]:
                return self.gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            if req.method == "POST":
                if not (perms & write):
                    return denied
                violations += self.contract.validate_event(body, "create")
                if violations:
                    return self.violation(violations)
                return self.create_event(user, cal_id, body, req, pref_tz)
            if req.method == "GET":
                if violations:
                    return self.violation(violations)
                return self.list_events(user, cal_id, req, pref_tz)
            return self.gerr(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        m = re.match(r"^/me/(?:calendar/|calendars/([^/]+)/)?calendarView$", p)
        if m and req.method == "GET":
            if violations:
                return self.violation(violations)
            cal_id = m.group(1) or user["default"]
            return self.list_events(user, cal_id, req, pref_tz, view=True)
        m = re.match(r"^/me/(?:events|calendar/events|calendars/([^/]+)/events)/([^/]+)$", p)
        if m:
            eid = m.group(2)
            ev, cal = self._find(user, eid, m.group(1))
            if req.method == "PATCH":
                if not (perms & write):
                    return denied
                violations += self.contract.validate_event(body, "patch")
                if isinstance(body, dict) and ev is not None:
                    if "transactionId" in body and body["transactionId"] != ev.get("transactionId"):
                        violations.append(Violation("transactionId", "transactionId is immutable after creation"))
                    if ev.get("isOnlineMeeting") and body.get("isOnlineMeeting") is False:
                        violations.append(Violation("isOnlineMeeting", "an online meeting cannot be turned off"))
                    if ev.get("isOnlineMeeting") and body.get("onlineMeetingProvider") not in (None, ev.get("onlineMeetingProvider")):
                        violations.append(Violation("onlineMeetingProvider", "the provider cannot change once the meeting is online"))
            if violations:
                return self.violation(violations)
            if ev is None:
                return self.gerr(404, "ErrorItemNotFound", "The specified object was not found in the store.")
            if req.method == "GET":
                return Response(200, self._out(user, ev, req, pref_tz, "GET"))
            if req.method == "DELETE":
                if not (perms & write):
                    return denied
                del cal["events"][eid]
                self.deleted.add(eid)
                return Response(204)
            if req.method == "PATCH":
                self._patch(user, ev, body)
                return Response(200, self._out(user, ev, req, pref_tz, "PATCH"))
            return self.gerr(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
        if violations:
            return self.violation(violations)
        return self.gerr(400, "BadRequest", "Resource not found for the segment '%s'." % p.strip("/").split("/")[-1])

    def _calendar(self, user, c):
        return {"id": c["id"], "name": c["name"], "color": "auto", "hexColor": "", "isDefaultCalendar": c["isDefaultCalendar"],
                "changeKey": "ck%d" % self.changes, "canShare": True, "canViewPrivateItems": True, "canEdit": True,
                "allowedOnlineMeetingProviders": ["teamsForBusiness"], "defaultOnlineMeetingProvider": "teamsForBusiness",
                "isTallyingResponses": True, "isRemovable": not c["isDefaultCalendar"],
                "owner": {"name": user["displayName"], "address": user["mail"]}}

    def _find(self, user, eid, cal_id=None):
        for cid, c in user["calendars"].items():
            if cal_id and cid != cal_id:
                continue
            if eid in c["events"]:
                return c["events"][eid], c
        return None, None

    def _stamp(self, ev):
        self.changes += 1
        ck = base64.b64encode(hashlib.sha1(("%s%d" % (ev["id"], self.changes)).encode()).digest()[:15]).decode()
        ev["changeKey"] = ck
        ev["@odata.etag"] = 'W/"%s"' % ck
        ev["lastModifiedDateTime"] = _now_z()
        ev["_change"] = self.changes

    def _create(self, user, cal_id, body):
        eid = "AAMkAD" + secrets.token_urlsafe(48).replace("-", "A").replace("_", "B") + "="
        now = _now_z()
        s_utc, e_utc = graph_parse_dttz(body.get("start")), graph_parse_dttz(body.get("end"))
        ev = {"@odata.etag": "", "id": eid, "createdDateTime": now, "lastModifiedDateTime": now, "changeKey": "",
              "categories": [], "transactionId": None,
              "originalStartTimeZone": (body.get("start") or {}).get("timeZone", "UTC"),
              "originalEndTimeZone": (body.get("end") or {}).get("timeZone", "UTC"),
              "iCalUId": "040000008200E00074C5B7101A82E008" + secrets.token_hex(40).upper(),
              "reminderMinutesBeforeStart": 15, "isReminderOn": True, "hasAttachments": False,
              "subject": "", "bodyPreview": "", "importance": "normal", "sensitivity": "normal", "isAllDay": False,
              "isCancelled": False, "isOrganizer": True, "responseRequested": True, "seriesMasterId": None,
              "showAs": "busy", "type": "singleInstance",
              "webLink": "https://outlook.office365.com/owa/?itemid=%s&exvsurl=1&path=/calendar/item" % urllib.parse.quote(eid),
              "onlineMeetingUrl": None, "isOnlineMeeting": False, "onlineMeetingProvider": "unknown",
              "allowNewTimeProposals": True, "isDraft": False, "hideAttendees": False, "recurrence": None,
              "onlineMeeting": None,
              "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
              "body": {"contentType": "text", "content": ""},
              "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown",
                           "address": {}, "coordinates": {}},
              "locations": [], "attendees": [],
              "organizer": {"emailAddress": {"name": user["displayName"], "address": user["mail"]}},
              "_singleValueExtendedProperties": [], "_calendar": cal_id}
        for k, v in body.items():
            if k == "singleValueExtendedProperties":
                ev["_singleValueExtendedProperties"] = copy.deepcopy(v)
            elif k in ("multiValueExtendedProperties", "extensions", "attachments") or k.startswith("@"):
                ev["_" + k.lstrip("@")] = copy.deepcopy(v)
            else:
                ev[k] = copy.deepcopy(v)
        ev["_start"], ev["_end"] = s_utc, e_utc
        self._normalise(ev)
        if ev.get("transactionId") is None:
            del ev["transactionId"]
        self._stamp(ev)
        user["calendars"][cal_id]["events"][eid] = ev
        return ev

    def _normalise(self, ev):
        b = ev.get("body") or {}
        ev["body"] = {"contentType": (b.get("contentType") or "text").lower(), "content": b.get("content", "")}
        text = re.sub(r"<[^>]+>", "", ev["body"]["content"])
        ev["bodyPreview"] = text[:255]
        if isinstance(ev.get("location"), dict):
            loc = ev["location"]
            loc.setdefault("locationType", "default")
            loc.setdefault("uniqueIdType", "unknown" if not loc.get("displayName") else "private")
            if loc.get("displayName") and not ev.get("locations"):
                ev["locations"] = [dict(loc, uniqueId=loc.get("displayName"))]
        atts = []
        for a in ev.get("attendees") or []:
            a = dict(a)
            a.setdefault("type", "required")
            a.setdefault("status", {"response": "none", "time": "0001-01-01T00:00:00Z"})
            atts.append(a)
        ev["attendees"] = atts
        for enum_key in ("showAs", "importance", "sensitivity", "onlineMeetingProvider"):
            v = ev.get(enum_key)
            if isinstance(v, str):
                short = {"showAs": "freeBusyStatus", "onlineMeetingProvider": "onlineMeetingProviderType"}.get(enum_key, enum_key)
                for name in self.contract.enums.get(short, []):
                    if name.lower() == v.lower():
                        ev[enum_key] = name
        if ev.get("isOnlineMeeting") and ev.get("onlineMeetingProvider") == "teamsForBusiness" and not ev.get("onlineMeeting"):
            conf = "%09d" % (int(hashlib.sha1(ev["id"].encode()).hexdigest()[:8], 16) % 10**9)
            ev["onlineMeeting"] = {
                "joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + ev["id"][6:30] +
                           "%40thread.v2/0?context=%7b%22Tid%22%3a%22emulator%22%7d",
                "conferenceId": conf, "tollNumber": "+1 555-0100", "phones": [], "quickDial": None,
                "tollFreeNumbers": []}
            ev["body"]["content"] += "\r\n________________\r\nJoin Microsoft Teams Meeting"

    def _patch(self, user, ev, body):
        for k, v in body.items():
            if k == "singleValueExtendedProperties":
                cur = {p["id"]: p for p in ev["_singleValueExtendedProperties"]}
                for pnew in v or []:
                    cur[pnew["id"]] = copy.deepcopy(pnew)
                ev["_singleValueExtendedProperties"] = list(cur.values())
            elif k.startswith("@") or k in ("multiValueExtendedProperties", "extensions", "attachments"):
                continue
            else:
                ev[k] = copy.deepcopy(v)
        if "start" in body:
            ev["_start"] = graph_parse_dttz(body["start"])
            ev["originalStartTimeZone"] = body["start"].get("timeZone", ev["originalStartTimeZone"])
        if "end" in body:
            ev["_end"] = graph_parse_dttz(body["end"])
            ev["originalEndTimeZone"] = body["end"].get("timeZone", ev["originalEndTimeZone"])
        self._normalise(ev)
        self._stamp(ev)

    def _out(self, user, ev, req, pref_tz, op):
        out = self._public(ev)
        tz_s = pref_tz or (ev["originalStartTimeZone"] if op in ("POST", "PATCH") else "UTC")
        tz_e = pref_tz or (ev["originalEndTimeZone"] if op in ("POST", "PATCH") else "UTC")
        if ev.get("_start"):
            out["start"] = graph_format_dttz(ev["_start"], tz_s)
        if ev.get("_end"):
            out["end"] = graph_format_dttz(ev["_end"], tz_e)
        out["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users('%s')/events/$entity" % user["id"]
        exp = req.q1("$expand") or ""
        m = re.search(r"singleValueExtendedProperties(?:\(\$filter=id eq '([^']*)'\))?", exp)
        if m:
            props = ev["_singleValueExtendedProperties"]
            if m.group(1):
                props = [p for p in props if p["id"].lower() == m.group(1).lower()]
            out["singleValueExtendedProperties"] = copy.deepcopy(props)
        sel = req.q1("$select")
        if sel:
            keep = set(sel.split(",")) | {"id", "singleValueExtendedProperties"}
            out = {k: v for k, v in out.items() if k.startswith("@") or k in keep}
        return out

    def create_event(self, user, cal_id, body, req, pref_tz):
        tid = body.get("transactionId")
        if tid:
            existing = self.transactions.get((user["mail"].lower(), tid))
            if existing:
                ev, _ = self._find(user, existing)
                if ev is not None:
                    return Response(201, self._out(user, ev, req, pref_tz, "POST"))
        ev = self._create(user, cal_id, body)
        if tid:
            self.transactions[(user["mail"].lower(), tid)] = ev["id"]
        return Response(201, self._out(user, ev, req, pref_tz, "POST"),
                        headers={"Location": "https://graph.microsoft.com/v1.0/users('%s')/events('%s')" % (user["id"], ev["id"])})

    # --- $filter: a small OData subset
    _ANY_RE = re.compile(r"^singleValueExtendedProperties/any\((\w+):\s*(.*)\)$", re.I | re.S)
    _CMP_RE = re.compile(r"^([\w/]+)\s+(eq|ne|ge|gt|le|lt)\s+('(?:[^']|'')*'|true|false|null|[\d.:TZ+-]+)$", re.I)

    def _compile_filter(self, text):
        """Returns a predicate(event) or raises ValueError."""
        text = text.strip()
        m = self._ANY_RE.match(text)
        if m:
            var, inner = m.group(1), m.group(2)
            conds = [c.strip() for c in re.split(r"\s+and\s+", inner)]
            preds = []
            for c in conds:
                cm = re.match(r"^%s/(id|value)\s+eq\s+'((?:[^']|'')*)'$" % re.escape(var), c, re.I)
                if not cm:
                    raise ValueError("Invalid filter clause: %s" % c)
                preds.append((cm.group(1).lower(), cm.group(2).replace("''", "'")))

            def any_pred(ev):
                for p in ev["_singleValueExtendedProperties"]:
                    if all((p.get("id", "").lower() == v.lower()) if k == "id" else (p.get("value") == v)
                           for k, v in preds):
                        return True
                return False
            return any_pred
        parts = [c.strip() for c in re.split(r"\s+and\s+", text)]
        preds = []
        for c in parts:
            cm = self._CMP_RE.match(c)
            if not cm:
                raise ValueError("Invalid filter clause: %s" % c)
            path, op, lit = cm.group(1), cm.group(2).lower(), cm.group(3)
            if lit.startswith("'"):
                lit = lit[1:-1].replace("''", "'")
            elif lit in ("true", "false"):
                lit = lit == "true"
            elif lit == "null":
                lit = None
            preds.append((path, op, lit))

        def get(ev, path):
            if path == "start/dateTime":
                return ev["_start"].strftime("%Y-%m-%dT%H:%M:%S") if ev.get("_start") else None
            if path == "end/dateTime":
                return ev["_end"].strftime("%Y-%m-%dT%H:%M:%S") if ev.get("_end") else None
            cur = ev
            for seg in path.split("/"):
                if not isinstance(cur, dict) or seg not in cur:
                    raise ValueError("Could not find a property named '%s' on type 'microsoft.graph.event'." % seg)
                cur = cur[seg]
            return cur

        def cmp_pred(ev):
            for path, op, lit in preds:
                v = get(ev, path)
                if isinstance(v, str) and isinstance(lit, str) and path.endswith("dateTime"):
                    lit = lit[:19]
                try:
                    ok = {"eq": v == lit, "ne": v != lit, "ge": v is not None and v >= lit, "gt": v is not None and v > lit,
                          "le": v is not None and v <= lit, "lt": v is not None and v < lit}[op]
                except TypeError:
                    ok = False
                if not ok:
                    return False
            return True
        return cmp_pred

    def list_events(self, user, cal_id, req, pref_tz, view=False):
        evs = []
        for cid, c in user["calendars"].items():
            if cal_id is None and not c["isDefaultCalendar"]:
                continue
            if cal_id is not None and cid != cal_id:
                continue
            evs.extend(c["events"].values())
        if view:
            s = graph_parse_dttz({"dateTime": req.q1("startDateTime", ""), "timeZone": "UTC"})
            e = graph_parse_dttz({"dateTime": req.q1("endDateTime", ""), "timeZone": "UTC"})
            if s is None or e is None:
                return self.violation([Violation("startDateTime", "startDateTime and endDateTime must be ISO 8601 date-times",
                                                 "invalid", "parameter")])
            evs = [x for x in evs if x.get("_start") and x["_start"] < e and x["_end"] > s]
        f = req.q1("$filter")
        if f:
            try:
                pred = self._compile_filter(f)
                evs = [x for x in evs if pred(x)]
            except ValueError as ex:
                return self.violation([Violation("$filter", str(ex), "invalid", "parameter")])
        ob = req.q1("$orderby")
        if ob:
            key = ob.split()[0]
            if key not in ("start/dateTime", "end/dateTime", "lastModifiedDateTime", "createdDateTime", "subject"):
                return self.violation([Violation("$orderby", "cannot order by '%s'" % key, "invalid", "parameter")])
            evs.sort(key=lambda x: (x["_start"] if key == "start/dateTime" else x["_end"] if key == "end/dateTime" else x.get(key)) or "",
                     reverse=ob.strip().lower().endswith(" desc"))
        top = int(req.q1("$top", "10"))
        skip = int(req.q1("$skip", "0"))
        page = evs[skip:skip + top]
        out = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('%s')/events" % user["id"],
               "value": [self._out(user, x, req, pref_tz, "GET") for x in page]}
        for x in out["value"]:
            x.pop("@odata.context", None)
        if skip + top < len(evs):
            q = dict((k, v[-1]) for k, v in req.query.items())
            q["$skip"] = str(skip + top)
            q["$top"] = str(top)
            out["@odata.nextLink"] = "https://graph.microsoft.com/v1.0" + req.path[len("/v1.0"):] + "?" + urllib.parse.urlencode(q)
        return Response(200, out)

    # --- getSchedule
    def get_schedule(self, vals, pref_tz):
        start, end = graph_parse_dttz(vals["StartTime"]), graph_parse_dttz(vals["EndTime"])
        interval = vals.get("AvailabilityViewInterval") or 30
        out_tz = pref_tz or "UTC"
        results = []
        for sid in vals["Schedules"]:
            u = self.users.get(sid.lower())
            if u is None:
                results.append({"scheduleId": sid, "availabilityView": "",
                                "error": {"message": "The specified object was not found in the store., "
                                                     "The process failed to get the correct properties.",
                                          "responseCode": "ErrorMailRecipientNotFound"}})
                continue
            items = []
            for ev in u["calendars"][u["default"]]["events"].values():
                if ev.get("isCancelled") or not ev.get("_start") or ev["_start"] >= end or ev["_end"] <= start:
                    continue
                status = ev.get("showAs", "busy")
                if status == "free":
                    continue
                items.append((ev, status))
            items.sort(key=lambda x: x[0]["_start"])
            view = []
            t = start
            while t < end:
                t2 = t + dt.timedelta(minutes=interval)
                digit = "0"
                for ev, status in items:
                    if ev["_start"] < t2 and ev["_end"] > t:
                        d = FREEBUSY_DIGIT.get(status, "2")
                        digit = max(digit, d)
                view.append(digit)
                t = t2
            wh = u.get("workingHours") or {"daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                                          "startTime": "08:00:00.0000000", "endTime": "17:00:00.0000000",
                                          "timeZone": {"name": u["timeZone"]}}
            results.append({"scheduleId": sid, "availabilityView": "".join(view),
                            "scheduleItems": [{"isPrivate": ev.get("sensitivity") in ("private", "confidential"),
                                               "status": status, "subject": ev.get("subject", ""),
                                               "location": (ev.get("location") or {}).get("displayName", ""),
                                               "start": graph_format_dttz(ev["_start"], out_tz),
                                               "end": graph_format_dttz(ev["_end"], out_tz)} for ev, status in items],
                            "workingHours": wh})
        return Response(200, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)",
                              "value": results})

    # ------------------------------------------------------------------ $batch
    def batch(self, req):
        info, r = self._auth(req)
        if r:
            return r
        try:
            body = req.json()
        except ValueError as e:
            return self.violation([Violation("", "Unable to read JSON request payload: %s" % e)])
        v = self.contract.validate_batch(body)
        if not req.headers.get("content-type", "").startswith("application/json"):
            v.append(Violation("Content-Type", "a $batch body is application/json", "invalid", "header"))
        if v:
            return self.violation(v)
        results = {}
        order = []
        pending = list(body["requests"])
        # Run in dependency order (ids without dependsOn in document order).
        while pending:
            progressed = False
            for r_ in list(pending):
                deps = r_.get("dependsOn") or []
                if all(d in results for d in deps):
                    pending.remove(r_)
                    progressed = True
                    if any(results[d]["status"] >= 400 for d in deps):
                        results[r_["id"]] = {"id": r_["id"], "status": 424, "headers": {"Content-Type": "application/json"},
                                             "body": self.contract.error_body("FailedDependency",
                                                                              "The request's dependency failed.")}
                    else:
                        results[r_["id"]] = self._batch_item(r_, req)
                    order.append(r_["id"])
            if not progressed:
                return self.violation([Violation("requests", "dependsOn forms a cycle")])
        return Response(200, {"responses": [results[i] for i in order]})

    def _batch_item(self, item, outer):
        url = item["url"]
        if not url.startswith("/"):
            url = "/" + url
        headers = {"authorization": outer.headers.get("authorization", "")}
        for k, v in (item.get("headers") or {}).items():
            headers[k.lower()] = v
        raw = b""
        if "body" in item:
            b = item["body"]
            if isinstance(b, str) and not headers.get("content-type", "").startswith("application/json"):
                raw = base64.b64decode(b)
            else:
                raw = json.dumps(b).encode("utf-8")
        inner = Request(item["method"], "/v1.0" + url, headers, raw, inner=True)
        resp = self.dispatch(inner)
        self.record(inner, resp, parent="$batch")
        out = {"id": item["id"], "status": resp.status, "headers": dict(resp.headers)}
        if resp.data:
            try:
                out["body"] = json.loads(resp.data)
            except ValueError:
                out["body"] = base64.b64encode(resp.data).decode()
        return out


def main():
    ap = common_args("Microsoft Graph v1.0 calendar + identity platform emulator")
    options = parse_options(ap)
    serve(GraphEmulator(options), options)


if __name__ == "__main__":
    main()
