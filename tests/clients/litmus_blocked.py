#!/usr/bin/python3
"""litmus 0.13 (Debian) groups basic, http and props against the employee's
writable `blocked` calendar, through the shared harness' litmus.sh.

Run by start_server.sh; argv[1] is the shared/ folder. litmus works in a
sub-collection it creates with MKCOL (<blocked>/litmus/); RFC 4791 4.2 (a)
allows plain (non-calendar) collections inside a calendar collection.

MUST_PASS is every test of the groups (Radicale's baseline, in
shared/harness/caldav/README.md, passes fewer): all of them must pass.
KNOWN_FAIL lists the tests allowed to fail, each with its reason; a test in
neither list that fails (or is not reached) fails this check, and a known
failure that starts passing is reported so that it moves to MUST_PASS.
"""
import os
import re
import subprocess
import sys

SHARED = sys.argv[1]
URL = os.environ["CRENEAU_URL"]
LOGIN, PASSWORD = os.environ["EMP_LOGIN"], os.environ["EMP_PASS"]
TARGET = "%s/dav/calendars/%s/blocked/" % (URL, LOGIN)
GROUPS = ("basic", "http", "props")

# Every test of the three groups must pass (Radicale 3.1.8 passes 11 of 16
# in basic, 4 of 4 in http and 9 of 30 in props; it fails the rest because it
# refuses non-calendar bodies, which we keep in plain folders, RFC 4791 4.2).
MUST_PASS = {
    "basic": ["init", "begin", "options", "put_get", "put_get_utf8_segment", "put_no_parent",
              "mkcol_over_plain", "delete", "delete_null", "delete_fragment", "mkcol",
              "mkcol_again", "delete_coll", "mkcol_no_parent", "mkcol_with_body", "finish"],
    "http": ["init", "begin", "expect100", "finish"],
    "props": ["init", "begin", "propfind_invalid", "propfind_invalid2", "propfind_d0",
              "propinit", "propset", "propget", "propextended", "propmove", "propdeletes",
              "propreplace", "propnullns", "prophighunicode", "propremoveset", "propsetremove",
              "propvalnspace", "propwformed", "propmanyns", "propcleanup", "finish"],
}

# Allowed to fail, with the reason ("group:test"). None today.
KNOWN_FAIL = {}

env = dict(os.environ, LITMUS_TESTS=" ".join(GROUPS), TMPDIR=os.environ["CLIENT_SCRATCH"])
p = subprocess.run(["sh", os.path.join(SHARED, "harness/caldav/litmus.sh"), URL + "/dav/",
                    LOGIN, PASSWORD, TARGET], capture_output=True, text=True, env=env, timeout=600)
out = p.stdout + p.stderr

# litmus draws each line twice (progress, then result):
#  " 5. propinit..............  5. propinit.............. FAIL (PUT of ...)"
results = {g: [] for g in GROUPS}
group = None
for line in out.splitlines():
    m = re.match(r"-> running `(\w+)'", line)
    if m:
        group = m.group(1)
        continue
    hits = re.findall(r"\s*(\d+)\. (\w+)\.+ (pass|FAIL|SKIPPED|WARNING)(.*)", line)
    if group in results and hits:
        _, name, status, rest = hits[-1]
        results[group].append((name, status, rest.strip()))

bad, fixed = [], []
summary = []
for g in GROUPS:
    seen = {}
    for name, status, rest in results[g]:
        # a test run twice (propget, propinit) counts as failed if any run failed
        if seen.get(name) in (None, "pass", "WARNING"):
            seen[name] = status
    counts = [sum(1 for _, s, _ in results[g] if s in ("pass", "WARNING")),
              sum(1 for _, s, _ in results[g] if s == "FAIL"),
              sum(1 for _, s, _ in results[g] if s == "SKIPPED")]
    summary.append("SUMMARY|litmus|%s|%d|%d|%d" % (g, *counts))
    for name, status, rest in results[g]:
        key = "%s:%s" % (g, name)
        ok = status in ("pass", "WARNING")
        tag = "PASS" if ok else ("KNOWN" if key in KNOWN_FAIL else "FAIL")
        why = KNOWN_FAIL.get(key, "") if not ok else ""
        print("%-5s %-28s %s %s%s" % (tag, key, status, rest, ("  [known: %s]" % why) if why else ""))
        if ok and key in KNOWN_FAIL and name not in MUST_PASS[g]:
            fixed.append(key)
        if not ok and key not in KNOWN_FAIL:
            bad.append("%s %s %s" % (key, status, rest))
    for name in MUST_PASS[g]:
        if name not in seen:
            bad.append("%s:%s not reached" % (g, name))

print("\n".join(summary))
if fixed:
    print("NOTE: known failures now passing, move them to MUST_PASS: %s" % ", ".join(sorted(set(fixed))))
if bad:
    print("litmus: %d unexpected result(s):" % len(bad))
    for b in bad:
        print("  " + b)
    # litmus.sh keeps its logs (debug.log has every request and response)
    print([line for line in out.splitlines() if line.startswith("logs:")])
    sys.exit(1)
print("litmus: every test passes; known failures: %d" % len(KNOWN_FAIL))
