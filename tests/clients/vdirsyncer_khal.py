#!/usr/bin/python3
"""vdirsyncer (Debian 12: 0.19) and khal (0.10) against `creneau serve`.

Run by start_server.sh. Two vdirsyncer pairs, configured in CLIENT_SCRATCH:

  blocked       two-way, local filesystem <-> the employee's `blocked`
                calendar (URL given directly): creations, edits and
                deletions travel both ways;
  appointments  one-way: the server storage is read_only, discovered from
                the server's root URL (collections "from a"), conflict
                resolution "a wins"; a local edit is reverted by the next sync.

Then khal reads the synced appointments directory and `khal list` shows the
fixture's titles for a day and for a week.

One line per step (PASS|FAIL|SKIP); exit status 0 only if every step passed.
"""
import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from urllib.parse import urljoin
from xml.etree import ElementTree

import requests

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_expect  # noqa: E402

URL = os.environ["CRENEAU_URL"]
LOGIN, PASSWORD, EMP = os.environ["EMP_LOGIN"], os.environ["EMP_PASS"], os.environ["EMP_ID"]
WORK = os.environ["CLIENT_SCRATCH"]
DEMO = demo_expect.Demo(os.path.join(os.environ["CRENEAU_SOURCE"], "fixtures/demo/demo.json"))
BLOCKED_URL = "%s/dav/calendars/%s/blocked/" % (URL, LOGIN)
LOCAL_BLOCKED = os.path.join(WORK, "blocked")
LOCAL_CALS = os.path.join(WORK, "calendars")
RUN = uuid.uuid4().hex[:8]
ENV = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="Europe/Paris",
           VDIRSYNCER_CONFIG=os.path.join(WORK, "vdirsyncer.conf"), HOME=WORK)
NS = {"D": "DAV:"}
http = requests.Session()
http.auth = (LOGIN, PASSWORD)
results = []
passed = set()


def step(name, needs=()):
    def wrap(fn):
        missing = [n for n in needs if n not in passed]
        if missing:
            results.append("SKIP")
            print("SKIP  %-44s needs %s" % (name, ", ".join(missing)), flush=True)
            return fn
        try:
            detail = fn() or ""
            passed.add(name)
            results.append("PASS")
            print("PASS  %-44s %s" % (name, detail), flush=True)
        except Exception as e:
            results.append("FAIL")
            msg = str(e).replace("\n", " | ")[:1500] or type(e).__name__
            print("FAIL  %-44s %s" % (name, msg), flush=True)
        return fn
    return wrap


def run(*args, stdin=None):
    p = subprocess.run(list(args), input=stdin, capture_output=True, text=True, env=ENV,
                       cwd=WORK, timeout=180)
    if p.returncode != 0:
        raise AssertionError("%s -> %d: %s %s" % (" ".join(args[:3]), p.returncode,
                                                   p.stdout[-800:], p.stderr[-800:]))
    return p.stdout + p.stderr


def vdirsyncer(*args):
    return run("vdirsyncer", *args, stdin="y\n" * 10)


def ics(uid, summary, start, end):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//creneau tests//vdirsyncer//EN\r\n"
            "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261124T120000Z\r\nSUMMARY:%s\r\n"
            "DTSTART:%s\r\nDTEND:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" % (uid, summary, start, end))


def unfold(text):
    return re.sub(r"\r?\n[ \t]", "", text)


def prop(text, name):
    m = re.search(r"^%s[;:][^\r\n]*" % name, unfold(text), re.M)
    return m.group(0).split(":", 1)[1] if m else None


def server_objects(collection_url):
    """{UID: (href, etag, SUMMARY)} of a collection, by PROPFIND + GET."""
    r = http.request("PROPFIND", collection_url, headers={"Depth": "1"},
                     data='<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>'
                          '<D:getetag/></D:prop></D:propfind>', timeout=30)
    assert r.status_code == 207, "PROPFIND %s -> %d" % (collection_url, r.status_code)
    out = {}
    for resp in ElementTree.fromstring(r.content).findall("D:response", NS):
        href = resp.findtext("D:href", namespaces=NS)
        if href.endswith("/"):
            continue
        g = http.get(urljoin(collection_url, href), timeout=30)
        assert g.status_code == 200, "GET %s -> %d" % (href, g.status_code)
        out[prop(g.text, "UID")] = (urljoin(collection_url, href), g.headers.get("ETag"),
                                    prop(g.text, "SUMMARY"))
    return out


def local_objects(directory):
    """{UID: (path, SUMMARY)} of a vdir."""
    out = {}
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if name.endswith(".ics"):
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            out[prop(text, "UID")] = (path, prop(text, "SUMMARY"))
    return out


def write_configs():
    os.makedirs(LOCAL_BLOCKED, exist_ok=True)
    os.makedirs(LOCAL_CALS, exist_ok=True)
    with open(ENV["VDIRSYNCER_CONFIG"], "w", encoding="utf-8") as f:
        f.write("""[general]
status_path = "{work}/vdirsyncer-status/"

[pair blocked]
a = "blocked_local"
b = "blocked_remote"
collections = null
conflict_resolution = "b wins"

[storage blocked_local]
type = "filesystem"
path = "{local_blocked}"
fileext = ".ics"

[storage blocked_remote]
type = "caldav"
url = "{blocked_url}"
username = "{login}"
password = "{password}"

[pair appointments]
a = "appointments_remote"
b = "appointments_local"
collections = ["from a"]
conflict_resolution = "a wins"

[storage appointments_remote]
type = "caldav"
url = "{url}/"
username = "{login}"
password = "{password}"
read_only = true

[storage appointments_local]
type = "filesystem"
path = "{local_cals}"
fileext = ".ics"
""".format(work=WORK, local_blocked=LOCAL_BLOCKED, blocked_url=BLOCKED_URL, url=URL,
           login=LOGIN, password=PASSWORD, local_cals=LOCAL_CALS))
    with open(os.path.join(WORK, "khal.conf"), "w", encoding="utf-8") as f:
        f.write("""[calendars]
[[appointments]]
path = {local_cals}/appointments/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = Europe/Paris
default_timezone = Europe/Paris

[sqlite]
path = {work}/khal.db
""".format(local_cals=LOCAL_CALS, work=WORK))


write_configs()
st = {}


# ---- two-way: blocked --------------------------------------------------
@step("blocked-discover-and-first-sync")
def _():
    # vdirsyncer refuses to sync a side that became completely empty (a
    # safety net), so one event stays on both sides throughout.
    keeper = "vdir-keeper-%s@example.org" % RUN
    r = http.put(BLOCKED_URL + "keeper-%s.ics" % RUN,
                 data=ics(keeper, "Keeper", "20261201T080000Z", "20261201T090000Z").encode(),
                 headers={"Content-Type": "text/calendar; charset=utf-8"}, timeout=30)
    assert r.status_code == 201, "PUT keeper -> %d" % r.status_code
    vdirsyncer("discover", "blocked")
    vdirsyncer("sync", "blocked")
    local = local_objects(LOCAL_BLOCKED)
    assert list(local) == [keeper], "local after first sync: %s" % sorted(local)
    st["keeper"] = keeper
    return "server's one event downloaded"


@step("blocked-local-create-reaches-server", needs=["blocked-discover-and-first-sync"])
def _():
    uid = "vdir-local-%s@example.org" % RUN
    with open(os.path.join(LOCAL_BLOCKED, "local-%s.ics" % RUN), "w", encoding="utf-8") as f:
        f.write(ics(uid, "Yoga class", "20261126T170000Z", "20261126T180000Z"))
    vdirsyncer("sync", "blocked")
    objs = server_objects(BLOCKED_URL)
    assert uid in objs and objs[uid][2] == "Yoga class", "server has %s" % objs
    st["local_uid"] = uid
    return "uploaded as %s" % objs[uid][0].rsplit("/", 1)[1]


@step("blocked-server-edit-reaches-local", needs=["blocked-local-create-reaches-server"])
def _():
    uid = st["local_uid"]
    href, etag, _ = server_objects(BLOCKED_URL)[uid]
    r = http.put(href, data=ics(uid, "Yoga class (moved)", "20261126T180000Z", "20261126T190000Z").encode(),
                 headers={"Content-Type": "text/calendar; charset=utf-8", "If-Match": etag}, timeout=30)
    assert r.status_code in (200, 204), "PUT If-Match -> %d" % r.status_code
    vdirsyncer("sync", "blocked")
    local = local_objects(LOCAL_BLOCKED)
    assert local.get(uid, (None, None))[1] == "Yoga class (moved)", "local has %s" % local
    return "local file now says 'Yoga class (moved)'"


@step("blocked-server-create-reaches-local", needs=["blocked-discover-and-first-sync"])
def _():
    uid = "vdir-server-%s@example.org" % RUN
    r = http.put(BLOCKED_URL + "server-%s.ics" % RUN,
                 data=ics(uid, "Doctor", "20261127T080000Z", "20261127T090000Z").encode(),
                 headers={"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}, timeout=30)
    assert r.status_code == 201, "PUT new -> %d" % r.status_code
    vdirsyncer("sync", "blocked")
    local = local_objects(LOCAL_BLOCKED)
    assert uid in local and local[uid][1] == "Doctor", "local has %s" % sorted(local)
    st["server_uid"] = uid
    return "downloaded to %s" % os.path.basename(local[uid][0])


@step("blocked-local-delete-reaches-server", needs=["blocked-server-edit-reaches-local"])
def _():
    uid = st["local_uid"]
    os.unlink(local_objects(LOCAL_BLOCKED)[uid][0])
    vdirsyncer("sync", "blocked")
    objs = server_objects(BLOCKED_URL)
    assert uid not in objs, "still on the server: %s" % objs[uid][0]
    return "gone from the server"


@step("blocked-server-delete-reaches-local", needs=["blocked-server-create-reaches-local"])
def _():
    uid = st["server_uid"]
    href, etag, _ = server_objects(BLOCKED_URL)[uid]
    r = http.delete(href, headers={"If-Match": etag}, timeout=30)
    assert r.status_code in (200, 204), "DELETE -> %d" % r.status_code
    vdirsyncer("sync", "blocked")
    local = local_objects(LOCAL_BLOCKED)
    assert uid not in local, "still local: %s" % local[uid][0]
    assert list(local) == [st["keeper"]], "left locally: %s" % sorted(local)
    assert list(server_objects(BLOCKED_URL)) == [st["keeper"]], "server not back to the keeper"
    return "gone locally; both sides hold only the first event"


# ---- one-way: appointments ---------------------------------------------
@step("appointments-discover-from-root")
def _():
    out = vdirsyncer("discover", "appointments")
    assert os.path.isdir(os.path.join(LOCAL_CALS, "appointments")), \
        "no local 'appointments' collection after discover: %s" % out[-500:]
    return "local collections: %s" % ", ".join(sorted(os.listdir(LOCAL_CALS)))


@step("appointments-one-way-sync", needs=["appointments-discover-from-root"])
def _():
    vdirsyncer("sync", "appointments")
    local = local_objects(os.path.join(LOCAL_CALS, "appointments"))
    want = {"appointment-%s@creneau" % a[0]: a[4] for a in DEMO.appointments(EMP)}
    got = {uid: v[1] for uid, v in local.items()}
    assert got == want, "local %s want %s" % (sorted(got.items()), sorted(want.items()))
    return "%d appointments with the fixture's titles" % len(got)


@step("appointments-local-edit-kept-off-server-then-reverted", needs=["appointments-one-way-sync"])
def _():
    # vdirsyncer's partial_sync = "revert" (default) never writes to the
    # read_only side and takes the server's copy again once it changes.
    directory = os.path.join(LOCAL_CALS, "appointments")
    path, title = local_objects(directory)["appointment-1021@creneau"]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("SUMMARY:", "SUMMARY:EDITED ", 1))
    vdirsyncer("sync", "appointments")
    server_url = "%s/dav/calendars/%s/appointments/appointment-1021.ics" % (URL, LOGIN)
    assert "EDITED" not in http.get(server_url, timeout=30).text, "the read-only server copy changed"
    # the booking system changes the appointment: new notes, same title
    data = json.loads(json.dumps(DEMO.data))
    note = "Bring the patch test results %s" % RUN
    for a in data["appointments"]:
        if str(a["id"]) == "1021":
            a["notes"] = note
    fixture = os.path.join(WORK, "demo-1021-notes.json")
    with open(fixture, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    run(os.environ["CRENEAU_BIN"], "import", fixture, "--db", os.environ["CRENEAU_DB"])
    vdirsyncer("sync", "appointments")
    path, after = local_objects(directory)["appointment-1021@creneau"]
    with open(path, encoding="utf-8") as f:
        text = unfold(f.read())
    assert after == title, "local edit not reverted after the server changed: %r" % after
    assert note in text, "the server's new notes did not reach the local copy"
    return "edit never uploaded; server's update replaced it"


# ---- khal on the synced appointments -----------------------------------
def khal_titles(start, end):
    """The fixture's titles of the employee's appointments, by local day."""
    paris = demo_expect.ZoneInfo("Europe/Paris")
    return [a[4] for a in DEMO.appointments(EMP)
            if start <= a[1].astimezone(paris).date() <= end]


@step("khal-list-one-day", needs=["appointments-one-way-sync"])
def _():
    day = dt.date(2026, 11, 24)
    out = run("khal", "-c", os.path.join(WORK, "khal.conf"), "list", "--format",
              "{start-time}-{end-time} {title}", day.isoformat(), day.isoformat())
    want = khal_titles(day, day)
    assert want, "fixture has nothing that day"
    missing = [t for t in want if t not in out]
    assert not missing, "khal list lacks %s; output:\n%s" % (missing, out)
    assert "10:00-11:30 " + want[0] in out, "not at 10:00-11:30 Paris: %s" % out
    return "%r" % out.strip().splitlines()[-1]


@step("khal-list-one-week", needs=["appointments-one-way-sync"])
def _():
    start, end = dt.date(2026, 11, 16), dt.date(2026, 11, 22)
    out = run("khal", "-c", os.path.join(WORK, "khal.conf"), "list", "--format", "{title}",
              start.isoformat(), end.isoformat())
    want = khal_titles(start, end)
    lines = [line for line in out.splitlines() if line.strip()]
    missing = [t for t in want if t not in lines]
    assert len(want) >= 2 and not missing, "khal lacks %s; output:\n%s" % (missing, out)
    others = [t for t in khal_titles(dt.date(2026, 1, 1), dt.date(2027, 12, 31)) if t not in want]
    extra = [t for t in others if t in lines and t not in want]
    assert not extra, "khal shows other weeks' %s" % extra
    return "%d titles" % len(want)


n_fail = results.count("FAIL") + results.count("SKIP")
print("SUMMARY|vdirsyncer-khal|steps|%d|%d|%d" % (results.count("PASS"), results.count("FAIL"),
                                                   results.count("SKIP")))
sys.exit(1 if n_fail else 0)
