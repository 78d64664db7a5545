#!/usr/bin/python3
"""Self-test of google_emulator.py, graph_emulator.py and contracts.py (unittest, stdlib only)."""

import base64
import hashlib
import http.client
import json
import os
import secrets
import subprocess
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


def start(script, *args):
    proc = subprocess.Popen([PY, os.path.join(HERE, script), "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=None, text=True)
    line = proc.stdout.readline()
    if not line.startswith("LISTENING "):
        proc.kill()
        raise RuntimeError("%s did not start: %r" % (script, line))
    return proc, int(line.split()[1])


class Client:
    def __init__(self, port):
        self.port = port
        self.token = None

    def call(self, method, path, body=None, headers=None, raw=None, auth=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if auth and self.token and "Authorization" not in h:
            h["Authorization"] = "Bearer " + self.token
        conn.request(method, path, data, h)
        r = conn.getresponse()
        d = r.read()
        conn.close()
        try:
            parsed = json.loads(d) if d else None
        except ValueError:
            parsed = d.decode("utf-8", "replace")
        return r.status, dict(r.getheaders()), parsed

    def control(self, method, what, body=None):
        return self.call(method, "/_emulator/" + what, body, auth=False)[2]

    def violations(self):
        return self.control("GET", "violations")["violations"]


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def form(d):
    return urllib.parse.urlencode(d).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
G_SCOPE = "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy openid email"


def ev_google(eid="abcdef0123", **kw):
    e = {"id": eid, "summary": "Haircut", "start": {"dateTime": "2026-03-02T10:00:00+01:00"},
         "end": {"dateTime": "2026-03-02T11:00:00+01:00"},
         "extendedProperties": {"private": {"creneauAppointmentId": "42"}}}
    e.update(kw)
    return e


class GoogleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, port = start("google_emulator.py", "--client-id", "cid", "--client-secret", "secret")
        cls.c = Client(port)

    @classmethod
    def tearDownClass(cls):
        cls.proc.kill()
        cls.proc.wait()
        cls.proc.stdout.close()

    def setUp(self):
        self.c.control("POST", "reset", {})
        self.c.token = None

    def login(self, user="anna@example.com", scope=G_SCOPE):
        verifier, challenge = pkce()
        q = urllib.parse.urlencode({"client_id": "cid", "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
                                    "scope": scope, "code_challenge": challenge, "code_challenge_method": "S256",
                                    "access_type": "offline", "state": "st8", "login_hint": user, "prompt": "consent"})
        s, h, _ = self.c.call("GET", "/o/oauth2/v2/auth?" + q)
        self.assertEqual(s, 302)
        loc = urllib.parse.urlsplit(h["Location"])
        params = urllib.parse.parse_qs(loc.query)
        self.assertEqual(params["state"], ["st8"])
        code = params["code"][0]
        base = {"client_id": "cid", "client_secret": "secret", "redirect_uri": "http://127.0.0.1:9/cb", "code": code}
        s, _, b = self.c.call("POST", "/token", raw=form(dict(base, grant_type="authorization_code",
                                                                code_verifier="x" * 43)), headers=FORM)
        self.assertEqual((s, b["error"]), (400, "invalid_grant"))
        s, _, b = self.c.call("POST", "/token", raw=form(dict(base, grant_type="authorization_code",
                                                                code_verifier=verifier)), headers=FORM)
        self.assertEqual(s, 200, b)
        payload = b["id_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        self.assertEqual(claims["email"], user)
        self.c.token = b["access_token"]
        return b

    def test_oauth_round_trip_refresh_revoke_userinfo(self):
        tok = self.login()
        self.assertIn("refresh_token", tok)
        s, _, b = self.c.call("GET", "/oauth2/v3/userinfo")
        self.assertEqual((s, b["email"]), (200, "anna@example.com"))
        s, _, b = self.c.call("POST", "/token", raw=form({"grant_type": "refresh_token", "client_id": "cid",
                                                         "client_secret": "secret",
                                                         "refresh_token": tok["refresh_token"]}), headers=FORM)
        self.assertEqual(s, 200)
        self.assertNotIn("refresh_token", b)
        s, _, _ = self.c.call("POST", "/revoke", raw=form({"token": tok["refresh_token"]}), headers=FORM)
        self.assertEqual(s, 200)
        s, _, b = self.c.call("POST", "/token", raw=form({"grant_type": "refresh_token", "client_id": "cid",
                                                         "client_secret": "secret",
                                                         "refresh_token": tok["refresh_token"]}), headers=FORM)
        self.assertEqual((s, b["error"]), (400, "invalid_grant"))
        self.assertEqual(self.c.violations(), [])

    def test_authorize_checks_pkce_and_offline(self):
        q = urllib.parse.urlencode({"client_id": "cid", "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
                                    "scope": G_SCOPE, "state": "s"})
        s, h, _ = self.c.call("GET", "/o/oauth2/v2/auth?" + q)
        self.assertEqual(s, 302)
        self.assertIn("error=invalid_request", h["Location"])
        locs = {v["location"] for v in self.c.violations()}
        self.assertTrue({"code_challenge", "code_challenge_method", "access_type"} <= locs, locs)
        s, _, b = self.c.call("GET", "/o/oauth2/v2/auth?client_id=other&redirect_uri=http://x/")
        self.assertEqual((s, b["error"]), (401, "invalid_client"))

    def test_insert_duplicate_patch_delete(self):
        self.login()
        path = "/calendar/v3/calendars/primary/events?sendUpdates=none"
        s, _, b = self.c.call("POST", path, ev_google())
        self.assertEqual(s, 200, b)
        self.assertEqual(b["id"], "abcdef0123")
        s, _, b = self.c.call("POST", path, ev_google())
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (409, "duplicate"))
        s, _, b = self.c.call("PATCH", "/calendar/v3/calendars/primary/events/abcdef0123?sendUpdates=all",
                              {"summary": "Beard trim", "transparency": "transparent"})
        self.assertEqual((s, b["summary"], b["start"]["dateTime"]), (200, "Beard trim", "2026-03-02T10:00:00+01:00"))
        s, _, b = self.c.call("GET", "/calendar/v3/calendars/primary/events?privateExtendedProperty=creneauAppointmentId%3D42")
        self.assertEqual([e["id"] for e in b["items"]], ["abcdef0123"])
        s, _, _ = self.c.call("DELETE", "/calendar/v3/calendars/primary/events/abcdef0123?sendUpdates=none")
        self.assertEqual(s, 204)
        s, _, b = self.c.call("GET", "/calendar/v3/calendars/primary/events/abcdef0123")
        self.assertEqual((s, b["status"]), (200, "cancelled"))
        s, _, b = self.c.call("DELETE", "/calendar/v3/calendars/primary/events/abcdef0123")
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (410, "deleted"))
        s, _, b = self.c.call("GET", "/calendar/v3/calendars/primary/events")
        self.assertEqual(b["items"], [])
        s, _, b = self.c.call("GET", "/calendar/v3/calendars/primary/events?showDeleted=true")
        self.assertEqual(b["items"][0]["status"], "cancelled")
        state = self.c.control("GET", "state")
        self.assertEqual([n["sendUpdates"] for n in state["notifications"]], ["none", "all", "none"])
        self.assertEqual(self.c.violations(), [])

    def test_parallel_inserts_of_one_id(self):
        import concurrent.futures
        self.login()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            statuses = sorted(pool.map(lambda _: self.c.call("POST", "/calendar/v3/calendars/primary/events",
                                                             ev_google())[0], range(16)))
        self.assertEqual(statuses, [200] + [409] * 15)

    def test_conference_needs_version_1(self):
        self.login()
        cd = {"createRequest": {"requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
        s, _, b = self.c.call("POST", "/calendar/v3/calendars/primary/events", ev_google(conferenceData=cd))
        self.assertEqual(s, 400)
        self.assertEqual(b["error"]["errors"][0]["location"], "conferenceDataVersion")
        s, _, b = self.c.call("POST", "/calendar/v3/calendars/primary/events?conferenceDataVersion=1",
                              ev_google(conferenceData=cd))
        self.assertEqual(s, 200, b)
        self.assertTrue(b["hangoutLink"].startswith("https://meet.google.com/"))
        self.assertEqual(b["conferenceData"]["entryPoints"][0]["uri"], b["hangoutLink"])
        self.assertEqual(len(self.c.violations()), 1)

    def test_contract_violations_detected(self):
        self.login()
        bad = [
            (ev_google(eid="Not-Base32"), "id"),
            (ev_google(colour="red"), "colour"),
            (ev_google(status="done"), "status"),
            (ev_google(guestsCanSeeOtherGuests="no"), "guestsCanSeeOtherGuests"),
            (ev_google(start={"dateTime": "2026-03-02T10:00:00"}), "start.dateTime"),
        ]
        for body, loc in bad:
            s, _, b = self.c.call("POST", "/calendar/v3/calendars/primary/events", body)
            self.assertEqual(s, 400, body)
            self.assertIn(loc, [e.get("location") for e in b["error"]["errors"]], b)
        s, _, b = self.c.call("POST", "/calendar/v3/calendars/primary/events?sendUpdates=yes", ev_google())
        self.assertEqual((s, b["error"]["errors"][0]["location"]), (400, "sendUpdates"))
        self.assertEqual(len(self.c.violations()), 6)
        log = self.c.control("GET", "requests")["requests"]
        self.assertTrue(all(r["violations"] for r in log if r["path"].endswith("/events")))

    def test_freebusy_and_limits(self):
        self.login()
        seed = {"events": [
            {"user": "anna@example.com", **ev_google("b00000001", start={"dateTime": "2026-03-02T09:00:00Z"},
                                                     end={"dateTime": "2026-03-02T10:00:00Z"})},
            {"user": "anna@example.com", **ev_google("f00000001", transparency="transparent",
                                                     start={"dateTime": "2026-03-02T11:00:00Z"},
                                                     end={"dateTime": "2026-03-02T12:00:00Z"})},
            {"user": "anna@example.com", **ev_google("t00000001", status="tentative",
                                                     start={"dateTime": "2026-03-02T13:00:00Z"},
                                                     end={"dateTime": "2026-03-02T14:00:00Z"})},
            {"user": "anna@example.com", **ev_google("d00000001", attendees=[
                {"email": "anna@example.com", "self": True, "responseStatus": "declined"}],
                start={"dateTime": "2026-03-02T15:00:00Z"}, end={"dateTime": "2026-03-02T16:00:00Z"})},
            {"user": "anna@example.com", **ev_google("a00000001", start={"date": "2026-03-03"},
                                                     end={"date": "2026-03-04"})},
        ]}
        self.assertIn("inserted", self.c.control("POST", "seed", seed))
        body = {"timeMin": "2026-03-02T00:00:00Z", "timeMax": "2026-03-05T00:00:00Z",
                "items": [{"id": "primary"}, {"id": "stranger@example.com"}]}
        s, _, b = self.c.call("POST", "/calendar/v3/freeBusy", body)
        self.assertEqual(s, 200, b)
        busy = b["calendars"]["primary"]["busy"]
        self.assertEqual(busy, [{"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"},
                                {"start": "2026-03-02T13:00:00Z", "end": "2026-03-02T14:00:00Z"},
                                {"start": "2026-03-03T00:00:00Z", "end": "2026-03-04T00:00:00Z"}])
        self.assertEqual(b["calendars"]["stranger@example.com"]["errors"][0]["reason"], "notFound")
        s, _, b = self.c.call("POST", "/calendar/v3/freeBusy", dict(body, timeMax="2026-07-01T00:00:00Z"))
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (400, "timeRangeTooLong"))
        s, _, b = self.c.call("POST", "/calendar/v3/freeBusy", dict(body, timeMax="2026-03-01T00:00:00Z"))
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (400, "timeRangeEmpty"))
        many = dict(body, items=[{"id": "c%d@example.com" % i} for i in range(51)])
        s, _, b = self.c.call("POST", "/calendar/v3/freeBusy", many)
        self.assertEqual(b["calendars"]["c50@example.com"]["errors"][0]["reason"], "tooManyCalendarsRequested")
        s, _, b = self.c.call("POST", "/calendar/v3/freeBusy", {"timeMin": "2026-03-02T00:00:00Z", "items": []})
        self.assertEqual(s, 400)
        self.assertEqual(len(self.c.violations()), 1)

    def test_batch(self):
        self.login()
        self.c.call("POST", "/calendar/v3/calendars/primary/events", ev_google())
        parts = [
            ("item1", "GET /calendar/v3/calendars/primary/events/abcdef0123\r\n\r\n"),
            ("item2", "PATCH /calendar/v3/calendars/primary/events/abcdef0123?sendUpdates=none\r\n"
                      "Content-Type: application/json\r\n\r\n{\"summary\": \"Batched\"}\r\n"),
            ("item3", "POST /calendar/v3/calendars/primary/events\r\nContent-Type: application/json\r\n\r\n"
                      + json.dumps(ev_google()) + "\r\n"),
            ("item4", "POST /calendar/v3/calendars/primary/events\r\nContent-Type: application/json\r\n\r\n"
                      + json.dumps(ev_google("bad id")) + "\r\n"),
        ]
        raw = "".join("--xyz\r\nContent-Type: application/http\r\nContent-ID: <%s>\r\n\r\n%s" % p for p in parts)
        raw += "--xyz--\r\n"
        s, h, b = self.c.call("POST", "/batch/calendar/v3", raw=raw.encode(),
                              headers={"Content-Type": "multipart/mixed; boundary=xyz"})
        self.assertEqual(s, 200)
        self.assertTrue(h["Content-Type"].startswith("multipart/mixed; boundary="))
        self.assertIn("Content-ID: <response-item1>", b)
        statuses = [int(x.split()[1]) for x in b.split("\r\n") if x.startswith("HTTP/1.1 ")]
        self.assertEqual(statuses, [200, 200, 409, 400])
        self.assertEqual(len(self.c.violations()), 1)
        s, _, b = self.c.call("POST", "/batch/calendar/v3", raw=b"{}", headers={"Content-Type": "application/json"})
        self.assertEqual(s, 400)

    def test_faults(self):
        self.login()
        p = "/calendar/v3/calendars/primary/events"
        rules = [{"method": "POST", "path": "/events$", "action": "429", "retryAfter": 7},
                 {"method": "POST", "path": "/events$", "action": "403-rateLimitExceeded"},
                 {"method": "POST", "path": "/events$", "action": "403-userRateLimitExceeded"},
                 {"method": "POST", "path": "/events$", "action": "500"},
                 {"method": "POST", "path": "/events$", "action": "503"},
                 {"method": "POST", "path": "/events$", "action": "delay", "delayMs": 300}]
        self.c.control("POST", "faults", rules)
        s, h, b = self.c.call("POST", p, ev_google())
        self.assertEqual((s, h.get("Retry-After"), b["error"]["errors"][0]["reason"]), (429, "7", "rateLimitExceeded"))
        s, _, b = self.c.call("POST", p, ev_google())
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (403, "rateLimitExceeded"))
        s, _, b = self.c.call("POST", p, ev_google())
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (403, "userRateLimitExceeded"))
        s, _, b = self.c.call("POST", p, ev_google())
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (500, "backendError"))
        s, _, _ = self.c.call("POST", p, ev_google())
        self.assertEqual(s, 503)
        t = time.time()
        s, _, _ = self.c.call("POST", p, ev_google())
        self.assertEqual(s, 200)
        self.assertGreaterEqual(time.time() - t, 0.3)
        # drop: the connection closes without an answer
        self.c.control("POST", "faults", [{"path": "/events/", "action": "drop"}])
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.c.call("GET", p + "/abcdef0123")
        s, _, _ = self.c.call("GET", p + "/abcdef0123")
        self.assertEqual(s, 200)
        # expire tokens: 401, then a refresh works; invalid-grant on refresh
        tok = self.c.control("GET", "state")["tokens"]["refreshTokens"][0]["token"]
        self.c.control("POST", "faults", [{"path": "/events", "action": "expire-tokens"},
                                          {"path": "^/token$", "action": "invalid-grant"}])
        s, _, b = self.c.call("GET", p)
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (401, "authError"))
        refresh = form({"grant_type": "refresh_token", "client_id": "cid", "client_secret": "secret",
                        "refresh_token": tok})
        s, _, b = self.c.call("POST", "/token", raw=refresh, headers=FORM)
        self.assertEqual((s, b["error"]), (400, "invalid_grant"))
        s, _, b = self.c.call("POST", "/token", raw=refresh, headers=FORM)
        self.assertEqual(s, 200)
        self.c.token = b["access_token"]
        s, _, _ = self.c.call("GET", p)
        self.assertEqual(s, 200)
        # probability 0 never fires
        self.c.control("POST", "faults", [{"path": ".*", "action": "500", "probability": 0.0}])
        self.assertEqual(self.c.call("GET", p)[0], 200)
        self.assertEqual(self.c.violations(), [])

    def test_update_list_sync_and_paging(self):
        self.login()
        base = "/calendar/v3/calendars/primary/events"
        for i in range(3):
            day = "2026-03-0%d" % (i + 2)
            s, _, b = self.c.call("POST", base, ev_google("evt0000%d" % i, start={"dateTime": day + "T10:00:00Z"},
                                                           end={"dateTime": day + "T11:00:00Z"}))
            self.assertEqual(s, 200, b)
        s, _, b = self.c.call("GET", base + "?maxResults=2")
        self.assertEqual(len(b["items"]), 2)
        s, _, b = self.c.call("GET", base + "?maxResults=2&pageToken=" + b["nextPageToken"])
        self.assertEqual(len(b["items"]), 1)
        sync = b["nextSyncToken"]
        s, _, b = self.c.call("GET", base + "?timeMin=2026-03-03T00:00:00Z&timeMax=2026-03-04T00:00:00Z")
        self.assertEqual([e["id"] for e in b["items"]], ["evt00001"])
        s, _, b = self.c.call("PUT", base + "/evt00000", ev_google("evt00000", summary="Replaced",
                                                                    start={"dateTime": "2026-03-02T12:00:00Z"},
                                                                    end={"dateTime": "2026-03-02T13:00:00Z"}))
        self.assertEqual((s, b["summary"], b["sequence"]), (200, "Replaced", 1))
        self.c.call("DELETE", base + "/evt00002")
        s, _, b = self.c.call("GET", base + "?syncToken=" + sync)
        self.assertEqual(sorted((e["id"], e["status"]) for e in b["items"]),
                         [("evt00000", "confirmed"), ("evt00002", "cancelled")])
        s, _, b = self.c.call("GET", base + "?syncToken=s999999")
        self.assertEqual((s, b["error"]["errors"][0]["reason"]), (410, "fullSyncRequired"))
        s, _, b = self.c.call("GET", base + "?syncToken=" + sync + "&timeMin=2026-03-03T00:00:00Z")
        self.assertEqual(s, 400)
        self.assertEqual(self.c.call("PATCH", base + "/missing00", {"summary": "x"})[0], 404)
        self.assertEqual(len(self.c.violations()), 1)

    def test_token_lifetime_and_bearer(self):
        self.c.control("POST", "config", {"accessTokenLifetime": 1})
        self.login()
        self.assertEqual(self.c.call("GET", "/calendar/v3/calendars/primary/events")[0], 200)
        time.sleep(1.2)
        self.assertEqual(self.c.call("GET", "/calendar/v3/calendars/primary/events")[0], 401)
        self.assertEqual(self.c.call("GET", "/calendar/v3/calendars/primary/events", auth=False)[0], 401)


def ev_graph(**kw):
    e = {"subject": "Haircut", "body": {"contentType": "HTML", "content": "<p>hi</p>"},
         "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Paris"},
         "end": {"dateTime": "2026-03-02T11:00:00", "timeZone": "Europe/Paris"},
         "transactionId": "tx-42",
         "singleValueExtendedProperties": [{"id": "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name creneauAppointmentId",
                                            "value": "42"}]}
    e.update(kw)
    return e


class GraphTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, port = start("graph_emulator.py", "--client-id", "app-id")
        cls.c = Client(port)

    @classmethod
    def tearDownClass(cls):
        cls.proc.kill()
        cls.proc.wait()
        cls.proc.stdout.close()

    def setUp(self):
        self.c.control("POST", "reset", {})
        self.c.token = None

    def login(self, user="bob@contoso.example", scope="offline_access openid User.Read Calendars.ReadWrite"):
        verifier, challenge = pkce()
        q = urllib.parse.urlencode({"client_id": "app-id", "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
                                    "scope": scope, "code_challenge": challenge, "code_challenge_method": "S256",
                                    "state": "st", "login_hint": user, "response_mode": "query"})
        s, h, _ = self.c.call("GET", "/common/oauth2/v2.0/authorize?" + q)
        self.assertEqual(s, 302)
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(h["Location"]).query)
        code = params["code"][0]
        base = {"client_id": "app-id", "redirect_uri": "http://127.0.0.1:9/cb", "code": code,
                "grant_type": "authorization_code", "scope": scope}
        s, _, b = self.c.call("POST", "/common/oauth2/v2.0/token", raw=form(dict(base, code_verifier=pkce()[0])),
                              headers=FORM)
        self.assertEqual((s, b["error"]), (400, "invalid_grant"))
        self.assertTrue(b["error_description"].startswith("AADSTS501481"))
        s, _, b = self.c.call("POST", "/common/oauth2/v2.0/token", raw=form(dict(base, code_verifier=verifier)),
                              headers=FORM)
        self.assertEqual(s, 200, b)
        self.c.token = b["access_token"]
        return b

    def test_oauth_me_refresh(self):
        tok = self.login()
        s, _, b = self.c.call("GET", "/v1.0/me")
        self.assertEqual((s, b["mail"], b["userPrincipalName"]), (200, "bob@contoso.example", "bob@contoso.example"))
        refresh = form({"grant_type": "refresh_token", "client_id": "app-id", "refresh_token": tok["refresh_token"]})
        s, _, b = self.c.call("POST", "/common/oauth2/v2.0/token", raw=refresh, headers=FORM)
        self.assertEqual(s, 200)
        s, _, b = self.c.call("POST", "/common/oauth2/v2.0/token", raw=refresh, headers=FORM)
        self.assertEqual((s, b["error"]), (400, "invalid_grant"))
        self.assertEqual(b["error_codes"], [700082])
        s, _, b = self.c.call("GET", "/v1.0/me/calendars")
        self.assertTrue(b["value"][0]["isDefaultCalendar"])
        self.assertEqual(self.c.violations(), [])

    def test_create_transaction_dedupe_filter_patch_delete(self):
        self.login()
        s, _, a = self.c.call("POST", "/v1.0/me/events", ev_graph())
        self.assertEqual(s, 201, a)
        s, _, b = self.c.call("POST", "/v1.0/me/events", ev_graph())
        self.assertEqual((s, b["id"]), (201, a["id"]))
        state = self.c.control("GET", "state")
        cal = list(state["users"]["bob@contoso.example"]["calendars"].values())[0]
        self.assertEqual(len(cal["events"]), 1)
        flt = ("singleValueExtendedProperties/Any(ep: ep/id eq 'String {66f5a359-4659-4830-9070-00047ec6ac6e} "
               "Name creneauAppointmentId' and ep/value eq '42')")
        s, _, b = self.c.call("GET", "/v1.0/me/events?" + urllib.parse.urlencode({"$filter": flt}))
        self.assertEqual([e["id"] for e in b["value"]], [a["id"]])
        s, _, b = self.c.call("GET", "/v1.0/me/events?" + urllib.parse.urlencode({"$filter": flt.replace("'42'", "'43'")}))
        self.assertEqual(b["value"], [])
        eid = urllib.parse.quote(a["id"])
        s, _, b = self.c.call("PATCH", "/v1.0/me/events/" + eid, {"subject": "Beard", "showAs": "tentative"})
        self.assertEqual((s, b["subject"], b["showAs"]), (200, "Beard", "tentative"))
        s, _, b = self.c.call("GET", "/v1.0/me/events/" + eid, headers={"Prefer": 'outlook.timezone="Europe/Paris"'})
        self.assertEqual(b["start"], {"dateTime": "2026-03-02T10:00:00.0000000", "timeZone": "Europe/Paris"})
        s, _, b = self.c.call("GET", "/v1.0/me/events/" + eid)
        self.assertEqual(b["start"]["dateTime"], "2026-03-02T09:00:00.0000000")
        self.assertEqual(self.c.call("DELETE", "/v1.0/me/events/" + eid)[0], 204)
        s, _, b = self.c.call("GET", "/v1.0/me/events/" + eid)
        self.assertEqual((s, b["error"]["code"]), (404, "ErrorItemNotFound"))
        self.assertEqual(self.c.violations(), [])

    def test_parallel_retries_create_one_event(self):
        import concurrent.futures
        self.login()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda _: self.c.call("POST", "/v1.0/me/events", ev_graph()), range(16)))
        self.assertEqual({r[0] for r in results}, {201})
        self.assertEqual(len({r[2]["id"] for r in results}), 1)
        cal = list(self.c.control("GET", "state")["users"]["bob@contoso.example"]["calendars"].values())[0]
        self.assertEqual(len(cal["events"]), 1)

    def test_teams_meeting(self):
        self.login()
        s, _, b = self.c.call("POST", "/v1.0/me/calendar/events",
                              ev_graph(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness"))
        self.assertEqual(s, 201)
        self.assertTrue(b["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/l/meetup-join/"))

    def test_contract_violations(self):
        self.login()
        bad = [
            (ev_graph(subjct="x"), "subjct"),
            (ev_graph(showAs="away"), "showAs"),
            (ev_graph(start={"dateTime": "2026-03-02T10:00:00+01:00", "timeZone": "Europe/Paris"}), "start.dateTime"),
            (ev_graph(start={"dateTime": "2026-03-02T10:00:00"}), "start.timeZone"),
            (ev_graph(isAllDay="yes"), "isAllDay"),
            (ev_graph(singleValueExtendedProperties=[{"id": "creneau", "value": "42"}]),
             "singleValueExtendedProperties[0].id"),
        ]
        for body, loc in bad:
            s, _, b = self.c.call("POST", "/v1.0/me/events", body)
            self.assertEqual(s, 400, body)
            self.assertEqual(b["error"]["code"], "BadRequest")
            self.assertIn(loc, b["error"]["message"])
        self.assertEqual(len(self.c.violations()), len(bad))

    def test_batch(self):
        self.login()
        reqs = [{"id": "1", "method": "POST", "url": "/me/events", "body": ev_graph(),
                 "headers": {"Content-Type": "application/json"}},
                {"id": "2", "dependsOn": ["1"], "method": "GET", "url": "/me/events?$top=5"},
                {"id": "3", "method": "GET", "url": "/me/events/AAMkADnope="},
                {"id": "4", "dependsOn": ["3"], "method": "GET", "url": "/me"}]
        s, _, b = self.c.call("POST", "/v1.0/$batch", {"requests": reqs})
        self.assertEqual(s, 200, b)
        st = {r["id"]: r["status"] for r in b["responses"]}
        self.assertEqual(st, {"1": 201, "2": 200, "3": 404, "4": 424})
        self.assertEqual(self.c.violations(), [])
        many = [{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]
        s, _, b = self.c.call("POST", "/v1.0/$batch", {"requests": many})
        self.assertEqual(s, 400)
        self.assertIn("maximum of 20", b["error"]["message"])
        s, _, b = self.c.call("POST", "/v1.0/$batch", {"requests": [{"id": "1", "method": "GET", "url": "/me"},
                                                                     {"id": "1", "method": "GET", "url": "/me"}]})
        self.assertEqual(s, 400)
        self.assertEqual(len(self.c.violations()), 2)

    def test_get_schedule_and_limits(self):
        self.login()
        seed = {"users": [{"mail": "carol@contoso.example", "timeZone": "Europe/Paris"}], "events": []}
        for i, show in enumerate(["busy", "tentative", "oof", "free", "workingElsewhere"]):
            seed["events"].append({"user": "carol@contoso.example", "subject": show, "showAs": show,
                                   "start": {"dateTime": "2026-03-02T%02d:00:00" % (8 + i), "timeZone": "UTC"},
                                   "end": {"dateTime": "2026-03-02T%02d:00:00" % (9 + i), "timeZone": "UTC"}})
        seed["events"].append({"user": "carol@contoso.example", "subject": "cancelled", "isCancelled": True,
                               "start": {"dateTime": "2026-03-02T14:00:00", "timeZone": "UTC"},
                               "end": {"dateTime": "2026-03-02T15:00:00", "timeZone": "UTC"}})
        self.assertIn("inserted", self.c.control("POST", "seed", seed))
        body = {"schedules": ["carol@contoso.example", "nobody@contoso.example"],
                "startTime": {"dateTime": "2026-03-02T08:00:00", "timeZone": "UTC"},
                "endTime": {"dateTime": "2026-03-02T16:00:00", "timeZone": "UTC"},
                "availabilityViewInterval": 60}
        s, _, b = self.c.call("POST", "/v1.0/me/calendar/getSchedule", body)
        self.assertEqual(s, 200, b)
        carol = b["value"][0]
        self.assertEqual(carol["availabilityView"], "21300000")
        self.assertEqual([i["status"] for i in carol["scheduleItems"]], ["busy", "tentative", "oof", "workingElsewhere"])
        self.assertIn("error", b["value"][1])
        s, _, b = self.c.call("POST", "/v1.0/me/calendar/getSchedule",
                              dict(body, schedules=["u%d@contoso.example" % i for i in range(21)]))
        self.assertEqual(s, 400)
        s, _, b = self.c.call("POST", "/v1.0/me/calendar/getSchedule",
                              dict(body, endTime={"dateTime": "2026-05-03T08:00:00", "timeZone": "UTC"}))
        self.assertEqual(s, 400)
        s, _, b = self.c.call("POST", "/v1.0/me/calendar/getSchedule", dict(body, availabilityViewInterval=2))
        self.assertEqual(s, 400)
        self.assertEqual(len(self.c.violations()), 3)

    def test_users_path_calendar_view_expand_filter(self):
        self.login()
        s, _, a = self.c.call("POST", "/v1.0/users/bob@contoso.example/events", ev_graph())
        self.assertEqual(s, 201, a)
        cal = self.c.call("GET", "/v1.0/me/calendars")[2]["value"][0]["id"]
        s, _, b = self.c.call("GET", "/v1.0/me/calendars/%s/events?$top=1" % urllib.parse.quote(cal))
        self.assertEqual([e["id"] for e in b["value"]], [a["id"]])
        self.assertNotIn("singleValueExtendedProperties", b["value"][0])
        pid = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name creneauAppointmentId"
        q = urllib.parse.urlencode({"$expand": "singleValueExtendedProperties($filter=id eq '%s')" % pid})
        s, _, b = self.c.call("GET", "/v1.0/me/events/%s?%s" % (urllib.parse.quote(a["id"]), q))
        self.assertEqual(b["singleValueExtendedProperties"], [{"id": pid, "value": "42"}])
        q = urllib.parse.urlencode({"startDateTime": "2026-03-02T00:00:00", "endDateTime": "2026-03-03T00:00:00"})
        s, _, b = self.c.call("GET", "/v1.0/me/calendarView?" + q)
        self.assertEqual((s, len(b["value"])), (200, 1))
        s, _, b = self.c.call("GET", "/v1.0/me/calendarView")
        self.assertEqual(s, 400)
        s, _, b = self.c.call("POST", "/v1.0/users/bob@contoso.example/calendar/getSchedule",
                              {"schedules": ["bob@contoso.example"],
                               "startTime": {"dateTime": "2026-03-02T00:00:00", "timeZone": "Europe/Paris"},
                               "endTime": {"dateTime": "2026-03-03T00:00:00", "timeZone": "Europe/Paris"}},
                              headers={"Prefer": 'outlook.timezone="Europe/Paris"'})
        self.assertEqual(s, 200, b)
        self.assertEqual(b["value"][0]["scheduleItems"][0]["start"],
                         {"dateTime": "2026-03-02T10:00:00.0000000", "timeZone": "Europe/Paris"})
        self.assertEqual(len(b["value"][0]["availabilityView"]), 48)
        s, _, b = self.c.call("GET", "/v1.0/me/events?$filter=" + urllib.parse.quote("contains(subject,'x')"))
        self.assertEqual(s, 400)
        self.assertEqual(len(self.c.violations()), 3, self.c.violations())  # one per problem

    def test_faults(self):
        self.login()
        self.c.control("POST", "faults", [{"path": "/me/events$", "action": "429", "retryAfter": 3},
                                          {"path": "/me/events$", "action": "503"},
                                          {"path": "/me/events$", "action": "500"}])
        s, h, b = self.c.call("GET", "/v1.0/me/events")
        self.assertEqual((s, h["Retry-After"], b["error"]["code"]), (429, "3", "TooManyRequests"))
        self.assertEqual(self.c.call("GET", "/v1.0/me/events")[0], 503)
        self.assertEqual(self.c.call("GET", "/v1.0/me/events")[0], 500)
        self.assertEqual(self.c.call("GET", "/v1.0/me/events")[0], 200)
        # per-item 429 inside $batch
        self.c.control("POST", "faults", [{"path": "/me$", "action": "429"}])
        s, _, b = self.c.call("POST", "/v1.0/$batch", {"requests": [{"id": "a", "method": "GET", "url": "/me"}]})
        self.assertEqual((s, b["responses"][0]["status"]), (200, 429))
        self.c.control("POST", "faults", [{"path": "/me$", "action": "expire-tokens"},
                                          {"action": "invalid-grant"}])
        s, _, b = self.c.call("GET", "/v1.0/me")
        self.assertEqual((s, b["error"]["code"]), (401, "InvalidAuthenticationToken"))
        rt = [t for t in self.c.control("GET", "state")["tokens"]["refreshTokens"] if not t["revoked"]][0]["token"]
        refresh = form({"grant_type": "refresh_token", "client_id": "app-id", "refresh_token": rt})
        s, _, b = self.c.call("POST", "/common/oauth2/v2.0/token", raw=refresh, headers=FORM)
        self.assertEqual((s, b["error"], b["error_codes"]), (400, "invalid_grant", [700082]))
        s, _, b = self.c.call("POST", "/common/oauth2/v2.0/token", raw=refresh, headers=FORM)
        self.assertEqual(s, 200, b)
        self.c.token = b["access_token"]
        self.c.control("POST", "faults", [{"method": "GET", "path": "/me$", "action": "drop"}])
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.c.call("GET", "/v1.0/me")
        self.assertEqual(self.c.call("GET", "/v1.0/me")[0], 200)
        self.assertEqual(self.c.violations(), [])


@unittest.skipUnless(os.path.exists("/usr/bin/openssl"), "needs openssl to make a certificate")
class TlsTest(unittest.TestCase):
    def test_https(self):
        import ssl
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
            subprocess.run(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                            "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
            for script in ("google_emulator.py", "graph_emulator.py"):
                proc, port = start(script, "--tls-cert", cert, "--tls-key", key)
                try:
                    # a plain-HTTP client must not block the server
                    plain = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    try:
                        plain.request("GET", "/_emulator/state")
                        plain.getresponse()
                    except (OSError, http.client.HTTPException):
                        pass
                    plain.close()
                    ctx = ssl.create_default_context(cafile=cert)
                    ctx.check_hostname = False
                    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
                    conn.request("GET", "/_emulator/state")
                    self.assertEqual(conn.getresponse().status, 200)
                    conn.close()
                finally:
                    proc.kill()
                    proc.wait()
                    proc.stdout.close()


class ContractsCliTest(unittest.TestCase):
    def run_cli(self, kind, body, *extra):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(body, f)
        try:
            return subprocess.run([PY, os.path.join(HERE, "contracts.py"), kind, f.name, *extra],
                                  capture_output=True, text=True)
        finally:
            os.unlink(f.name)

    def test_cli(self):
        self.assertEqual(self.run_cli("google-event", ev_google()).returncode, 0)
        r = self.run_cli("google-event", ev_google(eid="UPPER"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("id:", r.stdout)
        cd = {"createRequest": {"requestId": "r", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
        self.assertEqual(self.run_cli("google-event", ev_google(conferenceData=cd)).returncode, 0)
        self.assertEqual(self.run_cli("google-event", ev_google(conferenceData=cd), "--query", "sendUpdates=all").returncode, 1)
        self.assertEqual(self.run_cli("google-event", ev_google(conferenceData=cd), "--query",
                                      "conferenceDataVersion=1&sendUpdates=all").returncode, 0)
        self.assertEqual(self.run_cli("graph-event", ev_graph()).returncode, 0)
        self.assertEqual(self.run_cli("graph-event", ev_graph(showAs="away")).returncode, 1)
        self.assertEqual(self.run_cli("google-event", {"summary": "x"}, "--mode", "patch").returncode, 0)

    def test_official_samples_pass(self):
        samples = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared", "contracts",
                               "graph", "samples")
        samples = os.path.join(os.environ["CRENEAU_SHARED_DIR"], "contracts", "graph", "samples") \
            if os.environ.get("CRENEAU_SHARED_DIR") else samples
        for name in ("event-create.request.json", "event-create-online-meeting.request.json",
                     "event-create-recurring.request.json"):
            r = subprocess.run([PY, os.path.join(HERE, "contracts.py"), "graph-event", os.path.join(samples, name)],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = subprocess.run([PY, os.path.join(HERE, "contracts.py"), "graph-getschedule",
                            os.path.join(samples, "getSchedule.request.json")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
