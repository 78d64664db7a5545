#!/usr/bin/python3
"""Apple CalDAVTester's free-busy golden case (shared/corpus/freebusy/
caldavtester/) against a calendar made with MKCALENDAR: PUT put/1..19.ics
with the template variables filled (next year, fresh UIDs), run the two
free-busy-query REPORTs, and compare every FREEBUSY period, per FBTYPE, with
the expected lists of reports.xml.

Resources 15-17 are stored VFREEBUSY components: calendars here hold VEVENTs
only, so their PUT must be refused with CALDAV:supported-calendar-component.
reports.xml has, for test 2, the expected answer of a server that keeps
those VFREEBUSYs in another calendar ("split-calendars"): the periods the
events alone make. That is the one compared; test 1 involves no VFREEBUSY.

Run by start_server.sh; argv[1] is the shared/ folder.
"""
import base64
import datetime
import os
import re
import sys
import urllib.error
import urllib.request
import uuid

SHARED = sys.argv[1]
D = os.path.join(SHARED, "corpus/freebusy/caldavtester/")
URL = os.environ["CRENEAU_URL"]
LOGIN, PASSWORD = os.environ["EMP_LOGIN"], os.environ["EMP_PASS"]
CAL = "%s/dav/calendars/%s/fbgolden/" % (URL, LOGIN)
AUTH = "Basic " + base64.b64encode(("%s:%s" % (LOGIN, PASSWORD)).encode()).decode()
YEAR = str(datetime.date.today().year + 1)

def request(method, url, body=b"", headers=None):
    h = {"Authorization": AUTH}
    h.update(headers or {})
    r = urllib.request.Request(url, data=body, method=method, headers=h)
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def fill(text):
    text = text.replace("$now.year.1:", YEAR)
    return re.sub(r"\$uid\d+:", lambda m: str(uuid.uuid4()), text)


failures = []
status, body = request("MKCALENDAR", CAL)
if status != 201:
    sys.exit("MKCALENDAR %s: %d %s" % (CAL, status, body))
for name in sorted((f for f in os.listdir(D + "put") if f.endswith(".ics")),
                   key=lambda f: int(f.split(".")[0])):
    text = fill(open(D + "put/" + name).read())
    status, body = request("PUT", CAL + name, text.encode(), {"Content-Type": "text/calendar"})
    if "BEGIN:VFREEBUSY" in text:
        ok = status == 403 and "supported-calendar-component" in body
        print("%s PUT %s (VFREEBUSY) -> %d, refused as expected" % ("PASS" if ok else "FAIL", name, status))
    else:
        ok = status == 201
        print("%s PUT %s -> %d" % ("PASS" if ok else "FAIL", name, status))
    if not ok:
        failures.append("PUT %s: %d %s" % (name, status, body[:200]))

expected_xml = open(D + "free-busy-reports.expected.xml").read()
for n in ("1", "2"):
    query = fill(open(D + "report-bodies/free-busy-query-%s.xml" % n).read())
    status, body = request("REPORT", CAL, query.encode(),
                           {"Depth": "1", "Content-Type": "text/xml; charset=utf-8"})
    if status != 200 or "BEGIN:VFREEBUSY" not in body:
        failures.append("REPORT %s: %d %s" % (n, status, body[:200]))
        continue
    got = {"busy": set(), "tentative": set(), "unavailable": set()}
    kinds = {None: "busy", "BUSY": "busy", "BUSY-TENTATIVE": "tentative",
             "BUSY-UNAVAILABLE": "unavailable"}
    for line in body.replace("\r\n ", "").splitlines():
        m = re.match(r"FREEBUSY(?:;FBTYPE=([A-Z-]+))?:(.*)", line)
        if m:
            for period in m.group(2).split(","):
                got[kinds[m.group(1)]].add(period.strip())
    test = expected_xml.split("<test name='%s'>" % n)[1].split("</test>")[0]
    verifies = test.split("<verify>")[1:]
    # Test 2: the variant for VFREEBUSYs kept in another calendar (events only).
    verify = (next(v for v in verifies if "<require-feature>" in v and "split-calendars" in v)
              if n == "2" else verifies[0])
    for kind in ("busy", "tentative", "unavailable"):
        m = re.search(r"<name>%s</name>(.*?)</arg>" % kind, verify, re.S)
        want = {fill(v) for v in re.findall(r"<value>(.*?)</value>", m.group(1))} if m else set()
        ok = want == got[kind]
        print("%s report %s %-11s %d period(s)%s" % (
            "PASS" if ok else "FAIL", n, kind, len(want),
            "" if ok else " missing=%s extra=%s" % (sorted(want - got[kind]), sorted(got[kind] - want))))
        if not ok:
            failures.append("report %s %s" % (n, kind))

if failures:
    print("caldavtester free-busy: %d failure(s)" % len(failures))
    for f in failures:
        print("  " + f)
    sys.exit(1)
print("caldavtester free-busy: every period from events matches")
