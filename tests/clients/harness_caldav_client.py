#!/usr/bin/python3
"""The shared harness' 32 python3-caldav steps (shared/harness/caldav/
caldav_client.py, called as it is) against `creneau serve`, as the
employee, from the server's /dav/ URL.

Run by start_server.sh; argv[1] is the shared/ folder. One adaptation, made
from outside: when MKCALENDAR is refused the harness falls back to the first
calendar listed, which here is the read-only `appointments`; like a real
client choosing where to write, we list the writable `blocked` calendar
first. Nothing else of the harness changes.

Asserts that every step passes except scheduling-advertised, which SKIPs on
a server without RFC 6638 (optional). Radicale 3.1.8 scores 28 / 3 / 1.
"""
import contextlib
import importlib.util
import io
import os
import sys

import caldav

SHARED = sys.argv[1]
spec = importlib.util.spec_from_file_location(
    "harness_caldav_client", os.path.join(SHARED, "harness/caldav/caldav_client.py"))
harness = importlib.util.module_from_spec(spec)
spec.loader.exec_module(harness)

_calendars = caldav.Principal.calendars


def writable_first(self):
    cals = _calendars(self)
    return sorted(cals, key=lambda c: 0 if "/blocked" in str(c.url) else 1)


caldav.Principal.calendars = writable_first

buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    harness.main(["caldav_client.py", os.environ["CRENEAU_URL"] + "/dav/",
                  os.environ["EMP_LOGIN"], os.environ["EMP_PASS"]])
out = buf.getvalue()
print(out, end="")

ALLOWED_SKIP = {"scheduling-advertised": "RFC 6638 scheduling is optional; not advertised"}
bad = []
for line in out.splitlines():
    parts = line.split(None, 2)
    if len(parts) >= 2 and parts[0] in ("PASS", "FAIL", "SKIP"):
        status, step = parts[0], parts[1]
        if status == "FAIL" or (status == "SKIP" and step not in ALLOWED_SKIP):
            bad.append(line)
summary = [line for line in out.splitlines() if line.startswith("SUMMARY|")]
p, f, s = (int(x) for x in summary[-1].split("|")[3:6])
print("creneau %d / %d / %d  vs  Radicale 3.1.8 28 / 3 / 1 (pass / fail / skip)" % (p, f, s))
if bad:
    print("caldav_client.py: %d step(s) did not pass:" % len(bad))
    print("\n".join("  " + b for b in bad))
    sys.exit(1)
