"""Shared set-up of the end-to-end export tests: emulators, a creneau store
with connected Google and Microsoft accounts (through the real OAuth routes
of `creneau serve`), and helpers to read what the emulators hold."""

import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
EMULATORS = os.path.join(SRC, "tests", "emulators")
PY = "/usr/bin/python3"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http(method, url, body=None, headers=None, follow=True):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Emulator:
    def __init__(self, script, shared):
        self.proc = subprocess.Popen(
            [PY, os.path.join(EMULATORS, script), "--port", "0",
             "--contracts-dir", os.path.join(shared, "contracts")],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("LISTENING "):
            raise RuntimeError(script + " did not start: " + line)
        self.base = "http://127.0.0.1:" + line.split()[1]

    def get(self, path):
        return json.loads(http("GET", self.base + path)[2])

    def post(self, path, obj):
        return http("POST", self.base + path, json.dumps(obj).encode(),
                    {"Content-Type": "application/json"})

    def violations(self):
        return self.get("/_emulator/violations")["violations"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Env:
    """A scratch store with employee e1 connected to Google and the
    admin-wide calendar connected to Microsoft."""

    def __init__(self, creneau, scratch, shared):
        self.creneau = creneau
        self.dir = scratch
        os.makedirs(scratch, exist_ok=True)
        self.db = os.path.join(scratch, "creneau.db")
        for f in os.listdir(scratch):
            os.remove(os.path.join(scratch, f))
        self.google = Emulator("google_emulator.py", shared)
        self.graph = Emulator("graph_emulator.py", shared)
        self.env = dict(os.environ)
        self.env.update({
            "CRENEAU_DB": self.db,
            "CRENEAU_SECRET_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "CRENEAU_GOOGLE_AUTH_URL": self.google.base + "/o/oauth2/v2/auth",
            "CRENEAU_GOOGLE_TOKEN_URL": self.google.base + "/token",
            "CRENEAU_GOOGLE_API_URL": self.google.base,
            "CRENEAU_MS_LOGIN_URL": self.graph.base,
            "CRENEAU_GRAPH_URL": self.graph.base,
            "CRENEAU_SYNC_INTERVAL": "1h",
        })

    def run(self, *args, stdin=None, check=True):
        p = subprocess.run([self.creneau, *args], env=self.env, input=stdin, text=True,
                           capture_output=True, timeout=600)
        if check and p.returncode != 0:
            raise RuntimeError("creneau %s: exit %d\n%s%s" % (" ".join(args), p.returncode,
                                                           p.stdout, p.stderr))
        return p

    def popen(self, *args):
        return subprocess.Popen([self.creneau, *args], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def import_json(self, text):
        path = os.path.join(self.dir, "import.json")
        with open(path, "w") as f:
            f.write(text)
        self.run("import", path)

    def connect(self):
        """Runs the OAuth routes of a real `creneau serve` for both providers."""
        self.run("user", "add", "admin", "--admin", stdin="admin-password-1\n")
        serve = subprocess.Popen([self.creneau, "serve", "--listen", "127.0.0.1:0"],
                                 env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True)
        try:
            line = serve.stdout.readline()
            base = line.split("listening on ")[1].strip()
            self.run("settings", "set", "google.client_id", "creneau-test.apps.googleusercontent.com")
            self.run("settings", "set", "google.client_secret", "google-secret")
            self.run("settings", "set", "google.redirect_uri", base + "/oauth/google/callback")
            self.run("settings", "set", "microsoft.client_id", "11111111-2222-3333-4444-555555555555")
            self.run("settings", "set", "microsoft.client_secret", "ms-secret")
            self.run("settings", "set", "microsoft.redirect_uri", base + "/oauth/microsoft/callback")
            auth = "Basic " + base64.b64encode(b"admin:admin-password-1").decode()
            for start in ("/oauth/google/start?employee=e1", "/oauth/microsoft/start?admin=1"):
                status, headers, body = http("GET", base + start, headers={"Authorization": auth},
                                             follow=False)
                assert status == 302, (start, status, body)
                status, headers, body = http("GET", headers["Location"], follow=False)
                assert status == 302, ("consent", status, body)
                status, headers, body = http("GET", headers["Location"], follow=False)
                assert status == 200, ("callback", status, body)
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=30)

    # ---- what the providers hold
    def google_events(self, user="e1@example.com"):
        cal = self.google.get("/_emulator/state")["calendars"].get(user, {"events": []})
        return [e for e in cal["events"] if e.get("status") != "cancelled"]

    def graph_events(self, user):
        u = self.graph.get("/_emulator/state")["users"].get(user)
        if not u:
            return []
        out = []
        for cal in u["calendars"].values():
            out.extend(cal["events"])
        return out

    def graph_user(self):
        users = self.graph.get("/_emulator/state")["users"]
        return next(iter(users)) if users else None

    def drain(self, rounds=10):
        """`sync run` until nothing is queued (retrying what waits for a backoff)."""
        for _ in range(rounds):
            self.run("sync", "retry")
            p = self.run("sync", "run", check=False)
            status = json.loads(self.run("sync", "status", "--json", check=False).stdout)
            if status["pending"] == 0 and status["failed"] == 0:
                return status
        raise RuntimeError("the queue does not drain: " + json.dumps(status)[:2000])

    def stop(self):
        self.google.stop()
        self.graph.stop()


def appointments_json(count, status="approved", shift_min=0):
    start0 = 1803978000  # 2027-03-02T09:00:00Z
    def iso(t):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    doc = {
        "version": 1,
        "employees": [{"id": "e1", "firstName": "Emma", "lastName": "One",
                       "email": "e1@example.com", "timeZone": "Europe/Paris"}],
        "services": [{"id": "s1", "name": "Consultation", "duration": 30}],
        "customers": [{"id": "c%d" % i, "firstName": "Cus", "lastName": "N%d" % i,
                       "email": "c%d@example.org" % i} for i in range(count)],
        "appointments": [{"id": "a%d" % i, "service": "s1", "employee": "e1",
                          "start": iso(start0 + 3600 * i + 60 * shift_min),
                          "end": iso(start0 + 3600 * i + 60 * shift_min + 1800),
                          "status": status,
                          "bookings": [{"id": "b%d" % i, "customer": "c%d" % i, "persons": 1,
                                        "status": status}]} for i in range(count)],
    }
    return json.dumps(doc)


def expected_starts(count, shift_min=0):
    start0 = 1803978000
    return {time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start0 + 3600 * i + 60 * shift_min))
            for i in range(count)}
