"""Shared machinery of the Google and Graph emulators: HTTP server, control API
(/_emulator/...), fault injection, request log, OAuth token bookkeeping.

Standard library only; run with /usr/bin/python3.
"""

import argparse
import base64
import hashlib
import http.server
import json
import random
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import traceback
import urllib.parse

FAULT_ACTIONS = ("429", "500", "503", "403-rateLimitExceeded", "403-userRateLimitExceeded",
                 "delay", "drop", "drop-after", "expire-tokens", "invalid-grant")


class Response:
    def __init__(self, status, body=None, headers=None, raw=None, content_type="application/json; charset=UTF-8"):
        self.status = status
        self.headers = dict(headers or {})
        if raw is not None:
            self.data = raw
        elif body is None:
            self.data = b""
        else:
            self.data = json.dumps(body, indent=1).encode("utf-8")
        if self.data and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = content_type
        self.violations = []
        self.fault = None
        self.drop = False


class Request:
    """A parsed request (top-level or a part of a batch)."""

    def __init__(self, method, target, headers, body, inner=False):
        self.method = method.upper()
        u = urllib.parse.urlsplit(target)
        self.path = urllib.parse.unquote(u.path)
        self.raw_path = u.path
        self.query_string = u.query
        self.query = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body or b""
        self.inner = inner

    def q1(self, name, default=None):
        v = self.query.get(name)
        return v[-1] if v else default

    def json(self):
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))

    def form(self):
        return {k: v[-1] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def bearer(self):
        h = self.headers.get("authorization", "")
        if h.lower().startswith("bearer "):
            return h[7:].strip()
        return None


class FaultRule:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be an object")
        self.method = (spec.get("method") or "*").upper()
        self.path = re.compile(spec.get("path") or ".*")
        self.action = str(spec.get("action", ""))
        if self.action not in FAULT_ACTIONS:
            raise ValueError("unknown fault action %r (one of %s)" % (self.action, ", ".join(FAULT_ACTIONS)))
        self.count = spec.get("count", 1 if "probability" not in spec else None)  # None = unlimited
        self.probability = float(spec.get("probability", 1.0))
        self.skip = int(spec.get("skip", 0))  # let this many matching requests through first
        self.retry_after = spec.get("retryAfter", 1)
        self.delay_ms = int(spec.get("delayMs", spec.get("ms", 0)))
        self.fired = 0
        self.spec = spec

    def matches(self, req):
        if self.method != "*" and self.method != req.method:
            return False
        return self.path.search(req.path) is not None

    def to_dict(self):
        d = dict(self.spec)
        d["fired"] = self.fired
        d["remaining"] = None if self.count is None else max(0, self.count - self.fired)
        return d


class TokenStore:
    """OAuth codes, access and refresh tokens (shared by both emulators)."""

    def __init__(self):
        self.codes = {}
        self.access = {}
        self.refresh = {}
        self.access_lifetime = 3600
        self.fail_refresh = 0  # >0: that many refresh grants answer invalid_grant

    def new_code(self, **info):
        code = "code-" + secrets.token_urlsafe(24)
        info["used"] = False
        info["issued"] = time.time()
        self.codes[code] = info
        return code

    def issue(self, user, client_id, scope, refresh_token=None):
        at = "at-" + secrets.token_urlsafe(32)
        self.access[at] = {"user": user, "client_id": client_id, "scope": scope,
                           "expires_at": time.time() + self.access_lifetime, "revoked": False}
        if refresh_token is None:
            refresh_token = "rt-" + secrets.token_urlsafe(32)
            self.refresh[refresh_token] = {"user": user, "client_id": client_id, "scope": scope, "revoked": False}
        return at, refresh_token

    def check_access(self, token):
        """Returns (info, problem) where problem is None, 'missing', 'invalid', 'expired'."""
        if not token:
            return None, "missing"
        info = self.access.get(token)
        if info is None or info["revoked"]:
            return None, "invalid"
        if info["expires_at"] <= time.time():
            return None, "expired"
        return info, None

    def expire_all(self):
        for info in self.access.values():
            info["expires_at"] = 0

    @staticmethod
    def pkce_ok(verifier, challenge, method):
        if not verifier or not re.match(r"^[A-Za-z0-9\-._~]{43,128}$", verifier):
            return False
        if method == "S256":
            digest = hashlib.sha256(verifier.encode("ascii")).digest()
            return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii") == challenge
        return verifier == challenge

    def to_dict(self):
        now = time.time()
        return {
            "accessTokens": [{"token": t, "user": i["user"], "clientId": i["client_id"], "scope": i["scope"],
                              "expiresIn": int(i["expires_at"] - now), "expired": i["expires_at"] <= now,
                              "revoked": i["revoked"]} for t, i in self.access.items()],
            "refreshTokens": [{"token": t, "user": i["user"], "clientId": i["client_id"], "scope": i["scope"],
                               "revoked": i["revoked"]} for t, i in self.refresh.items()],
            "codes": len(self.codes),
            "accessTokenLifetime": self.access_lifetime,
        }


def unsigned_jwt(payload):
    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return b64({"alg": "RS256", "kid": "emulator", "typ": "JWT"}) + "." + b64(payload) + "." + \
        base64.urlsafe_b64encode(b"emulator-signature").rstrip(b"=").decode()


class EmulatorBase:
    """Subclasses implement handle_api(req) -> Response, fault_response(rule, req) and the state."""

    name = "emulator"

    def __init__(self, options):
        self.options = options
        self.lock = threading.RLock()
        self.reset()

    # --- to override
    def reset_state(self):
        pass

    def state(self):
        return {}

    def seed(self, body):
        raise ValueError("seed is not supported")

    def handle_api(self, req):
        return Response(404)

    def fault_response(self, rule, req):
        return Response(500)

    def invalid_grant_response(self, req):
        return Response(400, {"error": "invalid_grant"})

    def is_refresh_request(self, req):
        return False

    # --- common
    def reset(self):
        with self.lock:
            self.tokens = TokenStore()
            self.tokens.access_lifetime = getattr(self.options, "token_lifetime", 3600)
            self.faults = []
            self.log = []
            self.violations = []
            self.seq = 0
            self.reset_state()

    def record(self, req, resp, parent=None):
        with self.lock:
            self.seq += 1
            entry = {"seq": self.seq, "time": time.time(), "method": req.method, "path": req.path,
                     "query": req.query_string, "status": resp.status,
                     "violations": [v.to_dict() for v in resp.violations],
                     "fault": resp.fault, "inBatch": parent}
            self.log.append(entry)
            for v in resp.violations:
                d = v.to_dict()
                d.update({"seq": self.seq, "method": req.method, "path": req.path})
                self.violations.append(d)
            return self.seq

    def pick_fault(self, req):
        with self.lock:
            for rule in self.faults:
                if rule.count is not None and rule.fired >= rule.count:
                    continue
                if not rule.matches(req):
                    continue
                if rule.action == "invalid-grant" and not self.is_refresh_request(req):
                    continue  # only refresh-token grants consume this rule
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                if rule.probability < 1.0 and random.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
        return None

    def dispatch(self, req, parent=None):
        """Faults, then the API. Returns a Response (drop=True: close without answering)."""
        rule = self.pick_fault(req)
        pre = None
        if rule is not None:
            if rule.action == "delay":
                time.sleep(rule.delay_ms / 1000.0)
            elif rule.action == "expire-tokens":
                with self.lock:
                    self.tokens.expire_all()
            elif rule.action == "invalid-grant":
                pre = rule
            elif rule.action == "drop-after":
                pass  # handled below, after the API ran
            elif rule.action == "drop":
                if req.inner:  # a batch part cannot drop the connection alone: answer 503
                    r = self.fault_response(FaultRule({"action": "503"}), req)
                else:
                    r = Response(0)
                    r.drop = True
                r.fault = "drop"
                return r
            else:
                r = self.fault_response(rule, req)
                r.fault = rule.action
                return r
        if pre is not None and self.is_refresh_request(req):
            r = self.invalid_grant_response(req)
            r.fault = "invalid-grant"
            return r
        try:
            with self.lock:
                r = self.handle_api(req)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            r = self.fault_response(FaultRule({"action": "500"}), req)
        if rule is not None:
            r.fault = rule.action
            if rule.action == "drop-after":
                # Handled, then the answer is lost: the client cannot know
                # whether its write happened (the exactly-once case). In a
                # batch the part's answer becomes a 503.
                if req.inner:
                    r = self.fault_response(FaultRule({"action": "503"}), req)
                else:
                    r = Response(0)
                    r.drop = True
                r.fault = "drop-after"
        return r

    def control(self, req):
        p = req.path[len("/_emulator"):]
        try:
            if p == "/faults" and req.method == "POST":
                spec = req.json()
                if isinstance(spec, dict):
                    spec = spec.get("rules", [spec])
                rules = [FaultRule(s) for s in spec]
                with self.lock:
                    if req.q1("replace") == "true":
                        self.faults = []
                    self.faults.extend(rules)
                    return Response(200, {"faults": [r.to_dict() for r in self.faults]})
            if p == "/faults" and req.method == "GET":
                with self.lock:
                    return Response(200, {"faults": [r.to_dict() for r in self.faults]})
            if p == "/faults" and req.method == "DELETE":
                with self.lock:
                    self.faults = []
                    return Response(200, {"faults": []})
            if p == "/reset" and req.method == "POST":
                self.reset()
                return Response(200, {"reset": True})
            if p == "/state" and req.method == "GET":
                with self.lock:
                    s = self.state()
                    s["tokens"] = self.tokens.to_dict()
                    s["violations"] = list(self.violations)
                    return Response(200, s)
            if p == "/requests" and req.method == "GET":
                with self.lock:
                    return Response(200, {"requests": list(self.log), "violations": list(self.violations)})
            if p == "/violations" and req.method == "GET":
                with self.lock:
                    return Response(200, {"violations": list(self.violations)})
            if p == "/seed" and req.method == "POST":
                with self.lock:
                    return Response(200, self.seed(req.json()))
            if p == "/config" and req.method == "POST":
                cfg = req.json() or {}
                with self.lock:
                    if "accessTokenLifetime" in cfg:
                        self.tokens.access_lifetime = int(cfg["accessTokenLifetime"])
                    for k in ("client_id", "client_secret"):
                        key = "clientId" if k == "client_id" else "clientSecret"
                        if key in cfg:
                            setattr(self.options, k, cfg[key])
                    return Response(200, {"accessTokenLifetime": self.tokens.access_lifetime,
                                          "clientId": self.options.client_id})
            if p == "/expire-tokens" and req.method == "POST":
                with self.lock:
                    self.tokens.expire_all()
                return Response(200, {"expired": True})
        except (ValueError, KeyError, TypeError) as e:
            return Response(400, {"error": str(e)})
        return Response(404, {"error": "unknown control endpoint %s %s" % (req.method, req.path)})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY every
    # answer on a kept-alive connection waits for the client's delayed ACK.
    disable_nagle_algorithm = True
    emulator = None  # set per server class

    def log_message(self, fmt, *args):
        if getattr(self.emulator.options, "verbose", False):
            sys.stderr.write("%s: %s\n" % (self.emulator.name, fmt % args))

    def _read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _handle(self):
        body = self._read_body()
        n = self.headers.get("Content-Length")
        if n is not None and n.isdigit() and len(body) < int(n):
            # The client went away in the middle of its request (killed, or
            # its connection dropped): like a real server, do not act on it.
            self.close_connection = True
            return
        req = Request(self.command, self.path, dict(self.headers.items()), body)
        if req.path.startswith("/_emulator/"):
            resp = self.emulator.control(req)
        else:
            resp = self.emulator.dispatch(req)
            self.emulator.record(req, resp)
        if resp.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(resp.data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    verbose = False

    def handle_error(self, request, client_address):
        # Clients that hang up, or speak plain HTTP to the TLS port, are normal in fault tests.
        if self.verbose:
            super().handle_error(request, client_address)


def common_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    ap.add_argument("--tls-key", help="PEM private key for --tls-cert")
    ap.add_argument("--client-id", default="", help="accepted OAuth client id (empty: any)")
    ap.add_argument("--client-secret", default="", help="required client secret (empty: not checked)")
    ap.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime, seconds")
    ap.add_argument("--user", default=None, help="e-mail of the signed-in user")
    ap.add_argument("--contracts-dir", help="shared/contracts folder (default: ../shared/contracts beside the "
                    "checkout, or $CRENEAU_CONTRACTS_DIR, or $CRENEAU_SHARED_DIR/contracts)")
    ap.add_argument("--verbose", action="store_true")
    return ap


def parse_options(ap):
    options = ap.parse_args()
    if options.contracts_dir:
        import contracts
        contracts.set_contracts_dir(options.contracts_dir)
    return options


def serve(emulator, options):
    handler = type("BoundHandler", (Handler,), {"emulator": emulator})
    server = Server((options.host, options.port), handler)
    server.verbose = options.verbose
    if options.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(options.tls_cert, options.tls_key)
        # The handshake happens on the first read, in the handler's thread, so a client
        # that never speaks TLS cannot block accept().
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    sys.stdout.write("LISTENING %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def now_rfc3339():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)
