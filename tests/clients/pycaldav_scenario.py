#!/usr/bin/python3
"""An employee's phone-like client session with python3-caldav (Debian 12, 0.11).

Run by start_server.sh (which provides CRENEAU_URL, the logins, CRENEAU_BIN
and CRENEAU_DB). Every step runs even when an earlier one failed (unless it
needs that step's result); one line per step:

    PASS|FAIL|SKIP  <step>  <detail>

Exit status 0 only if every step passed (none failed or skipped). Expected contents come from
fixtures/demo/demo.json (demo_expect.py), never from the server itself.
"""
import copy
import datetime as dt
import json
import os
import subprocess
import sys
import traceback
import uuid
from urllib.parse import unquote, urljoin, urlparse

import caldav
import icalendar
import requests
from caldav.lib import error
from lxml import etree

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_expect  # noqa: E402

UTC = dt.timezone.utc
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
URL = os.environ["CRENEAU_URL"]
LOGIN, PASSWORD, EMP = os.environ["EMP_LOGIN"], os.environ["EMP_PASS"], os.environ["EMP_ID"]
SOURCE = os.environ["CRENEAU_SOURCE"]
DEMO = demo_expect.Demo(os.path.join(SOURCE, "fixtures/demo/demo.json"))
# The window searched: November 2026 (UTC), and the fixture's ids in it.
WIN = (dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC))
RUN = uuid.uuid4().hex[:8]

results = []
state = {}


class Skip(Exception):
    pass


def step(name, needs=()):
    def wrap(fn):
        missing = [n for n in needs if n not in state.get("passed", set())]
        if missing:
            results.append(("SKIP", name))
            print("SKIP  %-40s needs %s" % (name, ", ".join(missing)), flush=True)
            return fn
        try:
            detail = fn() or ""
            state.setdefault("passed", set()).add(name)
            results.append(("PASS", name))
            print("PASS  %-40s %s" % (name, detail), flush=True)
        except Skip as e:
            results.append(("SKIP", name))
            print("SKIP  %-40s %s" % (name, e), flush=True)
        except Exception as e:  # assertion, library or server error
            results.append(("FAIL", name))
            msg = str(e).replace("\n", " ")[:400] or type(e).__name__
            if not isinstance(e, AssertionError):
                msg = "%s: %s" % (type(e).__name__, msg)
            print("FAIL  %-40s %s" % (name, msg), flush=True)
            if os.environ.get("VERBOSE"):
                traceback.print_exc()
        return fn
    return wrap


session = requests.Session()


def raw(method, url, body=None, headers=None, auth=(LOGIN, PASSWORD)):
    h = dict(headers or {})
    if body is not None and "Content-Type" not in h:
        h["Content-Type"] = "application/xml; charset=utf-8"
    return session.request(method, str(url), data=body.encode() if isinstance(body, str) else body,
                           headers=h, auth=auth, allow_redirects=False, timeout=30)


def uids(objs):
    out = set()
    for o in objs:
        for c in icalendar.Calendar.from_ical(o.data).walk("VEVENT"):
            out.add(str(c["UID"]))
    return out


def appt_uid(i):
    return "appointment-%s@creneau" % i


def name_of(url):
    return unquote(urlparse(str(url)).path.rstrip("/").rsplit("/", 1)[-1])


def event_ics(uid, summary, start, end):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//creneau tests//pycaldav//EN\r\n"
            "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261124T120000Z\r\nSUMMARY:%s\r\n"
            "DTSTART:%s\r\nDTEND:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            % (uid, summary, start, end))


# ---- discovery from the server's root URL (RFC 6764) -------------------
@step("discovery-well-known-from-root")
def _():
    url = urljoin(URL + "/", "/.well-known/caldav")
    body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>'
            '<D:current-user-principal/></D:prop></D:propfind>')
    hops = []
    for _ in range(5):  # follow by hand: requests turns a 30x PROPFIND into GET
        r = raw("PROPFIND", url, body, {"Depth": "0"})
        if r.status_code in (301, 302, 303, 307, 308):
            url = urljoin(url, r.headers["Location"])
            hops.append("%d %s" % (r.status_code, urlparse(url).path))
            continue
        break
    assert hops, "/.well-known/caldav did not redirect (got %d)" % r.status_code
    assert r.status_code == 207, "PROPFIND %s -> %d" % (url, r.status_code)
    href = etree.fromstring(r.content).find(".//D:current-user-principal/D:href", NS)
    assert href is not None, "no DAV:current-user-principal"
    state["dav_url"] = url
    state["principal_url"] = urljoin(url, href.text.strip())
    return "%s -> principal %s" % (" -> ".join(hops), urlparse(state["principal_url"]).path)


@step("principal-and-calendar-home", needs=["discovery-well-known-from-root"])
def _():
    client = caldav.DAVClient(url=state["dav_url"], username=LOGIN, password=PASSWORD, timeout=30)
    state["client"] = client
    p = client.principal()
    assert str(p.url) == state["principal_url"], "principal %s != %s" % (p.url, state["principal_url"])
    state["principal"] = p
    home = p.calendar_home_set
    assert urlparse(str(home.url)).path == "/dav/calendars/%s/" % LOGIN, "home %s" % home.url
    return "home %s" % urlparse(str(home.url)).path


@step("list-calendars-appointments-and-blocked", needs=["principal-and-calendar-home"])
def _():
    cals = {name_of(c.url): c for c in state["principal"].calendars()}
    assert set(cals) == {"appointments", "blocked"}, "calendars %s" % sorted(cals)
    state["appts"], state["blocked"] = cals["appointments"], cals["blocked"]
    names = {k: c.get_display_name() for k, c in cals.items()}
    assert all(names.values()), "missing displayname: %s" % names
    return ", ".join("%s (%s)" % kv for kv in sorted(names.items()))


# ---- appointments: what the booking system holds -----------------------
@step("appointments-all-objects-listed", needs=["list-calendars-appointments-and-blocked"])
def _():
    objs = state["appts"].events()
    want = {appt_uid(a[0]) for a in DEMO.appointments(EMP)}
    got = uids(objs)
    assert got == want, "missing %s, extra %s" % (sorted(want - got), sorted(got - want))
    return "%d objects = the fixture's %d appointments of %s" % (len(objs), len(want), EMP)


@step("appointments-date-search-window", needs=["list-calendars-appointments-and-blocked"])
def _():
    found = state["appts"].date_search(start=WIN[0], end=WIN[1], expand=False)
    want = {appt_uid(a[0]) for a in DEMO.in_range(EMP, *WIN)}
    got = uids(found)
    assert len(found) == len(want) and got == want, \
        "date_search Nov 2026: %d found, want %d; missing %s, extra %s" % (
            len(found), len(want), sorted(want - got), sorted(got - want))
    state["window_objs"] = found
    return "%d appointments in November 2026 (fixture: %d)" % (len(found), len(want))


@step("appointments-search-one-day-end-exclusive", needs=["list-calendars-appointments-and-blocked"])
def _():
    # 2026-11-24 in Paris; 1021 runs 09:00-10:30Z. A range starting exactly
    # at its end must not return it; one ending at its start must not either.
    day = (dt.datetime(2026, 11, 23, 23, tzinfo=UTC), dt.datetime(2026, 11, 24, 23, tzinfo=UTC))
    got = uids(state["appts"].search(start=day[0], end=day[1], event=True))
    want = {appt_uid(a[0]) for a in DEMO.in_range(EMP, *day)}
    assert got == want, "day: got %s want %s" % (sorted(got), sorted(want))
    for s, e in ((dt.datetime(2026, 11, 24, 10, 30, tzinfo=UTC), dt.datetime(2026, 11, 24, 12, tzinfo=UTC)),
                 (dt.datetime(2026, 11, 24, 8, tzinfo=UTC), dt.datetime(2026, 11, 24, 9, tzinfo=UTC))):
        edge = uids(state["appts"].search(start=s, end=e, event=True))
        want_edge = {appt_uid(a[0]) for a in DEMO.in_range(EMP, s, e)}
        assert edge == want_edge, "range %s..%s: got %s want %s" % (s, e, sorted(edge), sorted(want_edge))
    return "%d on 2026-11-24; touching ranges excluded" % len(got)


@step("appointments-multiget", needs=["appointments-date-search-window"])
def _():
    urls = [o.url for o in state["window_objs"]]
    got = state["appts"].calendar_multiget(urls)
    assert len(got) == len(urls), "multiget %d hrefs -> %d objects" % (len(urls), len(got))
    assert uids(got) == uids(state["window_objs"]), "multiget returned other objects"
    for o in got:
        ev = icalendar.Calendar.from_ical(o.data).walk("VEVENT")[0]
        i = str(ev["UID"]).split("-", 1)[1].split("@")[0]
        want = [a for a in DEMO.appointments(EMP) if a[0] == i][0]
        assert ev.decoded("DTSTART").astimezone(UTC) == want[1], "DTSTART of %s" % i
        assert str(ev["SUMMARY"]) == want[4], "SUMMARY of %s: %r != %r" % (i, str(ev["SUMMARY"]), want[4])
    return "%d hrefs -> %d objects, DTSTART and SUMMARY as in the fixture" % (len(urls), len(got))


@step("appointments-free-busy-query", needs=["list-calendars-appointments-and-blocked"])
def _():
    fb = state["appts"].freebusy_request(WIN[0], WIN[1])
    cal = icalendar.Calendar.from_ical(fb.data)
    vfb = cal.walk("VFREEBUSY")
    assert len(vfb) == 1, "%d VFREEBUSY" % len(vfb)
    got = {}
    props = vfb[0].get("FREEBUSY", [])
    for prop in props if isinstance(props, list) else [props]:
        kind = prop.params.get("FBTYPE", "BUSY")
        for period in prop.to_ical().decode().split(","):
            start = dt.datetime.strptime(period.split("/")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            got[start] = kind
    want = DEMO.busy(EMP, *WIN)
    assert got == want, "busy periods %s, want %s" % (
        sorted((k.isoformat(), v) for k, v in got.items()),
        sorted((k.isoformat(), v) for k, v in want.items()))
    return "%d busy periods (%d tentative), no canceled one" % (
        len(got), sum(1 for v in got.values() if v == "BUSY-TENTATIVE"))


@step("appointments-put-refused-403", needs=["list-calendars-appointments-and-blocked"])
def _():
    body = event_ics("client-%s@example.org" % RUN, "Should not land", "20261130T100000Z", "20261130T110000Z")
    try:
        state["appts"].save_event(body)
        raise AssertionError("save_event into appointments succeeded")
    except error.AuthorizationError:
        pass
    r = raw("PUT", str(state["appts"].url) + "client-%s.ics" % RUN, body, {"Content-Type": "text/calendar"})
    assert r.status_code == 403, "PUT new object -> %d" % r.status_code
    assert "need-privileges" in r.text, "403 without DAV:need-privileges: %r" % r.text[:200]
    existing = str(state["appts"].url) + "appointment-1021.ics"
    r = raw("PUT", existing, body, {"Content-Type": "text/calendar"})
    assert r.status_code == 403, "PUT over appointment-1021.ics -> %d" % r.status_code
    r = raw("DELETE", existing)
    assert r.status_code == 403, "DELETE appointment-1021.ics -> %d" % r.status_code
    assert raw("GET", str(state["appts"].url) + "client-%s.ics" % RUN).status_code == 404, "object stored"
    return "save_event -> AuthorizationError; PUT new/existing, DELETE -> 403 need-privileges"


# ---- the admin sees every employee; the employee sees only themselves ---
@step("admin-lists-every-employees-calendars", needs=["discovery-well-known-from-root"])
def _():
    admin, apass = os.environ["ADMIN_LOGIN"], os.environ["ADMIN_PASS"]
    client = caldav.DAVClient(url=state["dav_url"], username=admin, password=apass, timeout=30)
    names = sorted(name_of(c.url) for c in client.principal().calendars())
    want = sorted(["appointments-%s" % e for e in DEMO.employees] + ["blocked-%s" % e for e in DEMO.employees])
    assert names == want, "admin calendars %s, want %s" % (names, want)
    appts = [c for c in client.principal().calendars() if name_of(c.url) == "appointments-" + EMP][0]
    got = uids(appts.date_search(start=WIN[0], end=WIN[1], expand=False))
    assert got == {appt_uid(a[0]) for a in DEMO.in_range(EMP, *WIN)}, "admin's view of %s differs" % EMP
    for path in ("/dav/calendars/%s/" % admin, "/dav/principals/%s/" % admin,
                 "/dav/calendars/%s/appointments-%s/" % (admin, EMP)):
        r = raw("PROPFIND", URL + path, "", {"Depth": "0"})
        assert r.status_code == 404, "employee PROPFIND %s -> %d (want 404)" % (path, r.status_code)
    return "%d calendars; the employee gets 404 on the admin's home" % len(names)


# ---- sync-collection (RFC 6578) after the booking system changes -------
def sync_report(url, token, depth):
    body = ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
            '<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level>'
            '<D:prop><D:getetag/></D:prop></D:sync-collection>' % (token or ""))
    return raw("REPORT", url, body, {"Depth": depth})


def modified_fixture():
    """A copy of the demo fixture with one appointment moved, one deleted,
    one added (all of the employee's), imported while the server runs."""
    data = copy.deepcopy(DEMO.data)
    by_id = {str(a["id"]): a for a in data["appointments"]}
    by_id["1017"]["start"] = "2026-11-18T16:15:00+01:00"  # moved one hour earlier
    by_id["1017"]["end"] = "2026-11-18T17:00:00+01:00"
    data["appointments"] = [a for a in data["appointments"] if str(a["id"]) != "1019"]
    data["appointments"].append({"id": "1019", "deleted": True})
    new = copy.deepcopy(by_id["1021"])
    new.update(id="1099", start="2026-11-27T10:00:00+01:00", end="2026-11-27T11:30:00+01:00")
    for b in new.get("bookings") or []:
        b["id"] = "9" + str(b["id"])
    data["appointments"].append(new)
    path = os.path.join(os.environ["CLIENT_SCRATCH"], "demo-modified.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    return path


@step("sync-token-initial", needs=["list-calendars-appointments-and-blocked"])
def _():
    r = sync_report(state["appts"].url, "", "0")
    assert r.status_code == 207, "initial sync-collection (Depth 0) -> %d" % r.status_code
    tree = etree.fromstring(r.content)
    state["token_raw"] = tree.findtext("D:sync-token", namespaces=NS)
    assert state["token_raw"], "no DAV:sync-token"
    n = len(tree.findall("D:response", NS))
    assert n == len(DEMO.appointments(EMP)), "initial sync: %d responses" % n
    return "token %s, %d objects" % (state["token_raw"], n)


@step("sync-initial-python-caldav", needs=["list-calendars-appointments-and-blocked"])
def _():
    try:
        full = state["appts"].objects_by_sync_token(load_objects=True)
        state["full"] = full
    except Exception as e:
        raise AssertionError("python-caldav objects_by_sync_token(): %s" % str(e).replace("\n", " ")[:200])
    assert full.sync_token, "library got no token"
    assert len(list(full)) == len(DEMO.appointments(EMP)), "initial sync: %d objects" % len(list(full))
    return "token %s, %d objects" % (full.sync_token, len(list(full)))


@step("import-modified-fixture-while-serving")
def _():
    path = modified_fixture()
    out = subprocess.run([os.environ["CRENEAU_BIN"], "import", path, "--db", os.environ["CRENEAU_DB"]],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, "creneau import -> %d: %s" % (out.returncode, out.stderr[-300:])
    return out.stdout.strip().splitlines()[-1]


WANT_CHANGED = {"appointment-1017.ics", "appointment-1099.ics"}
WANT_DELETED = {"appointment-1019.ics"}


@step("sync-incremental-depth0-raw", needs=["sync-token-initial", "import-modified-fixture-while-serving"])
def _():
    r = sync_report(state["appts"].url, state["token_raw"], "0")
    assert r.status_code == 207, "sync-collection with token -> %d" % r.status_code
    tree = etree.fromstring(r.content)
    changed, deleted = set(), set()
    for resp in tree.findall("D:response", NS):
        name = name_of(resp.findtext("D:href", namespaces=NS))
        status = resp.findtext("D:status", namespaces=NS) or ""
        (deleted if " 404 " in status else changed).add(name)
    assert changed == WANT_CHANGED and deleted == WANT_DELETED, \
        "changed %s deleted %s" % (sorted(changed), sorted(deleted))
    new = tree.findtext("D:sync-token", namespaces=NS)
    assert new and new != state["token_raw"], "token unchanged"
    again = etree.fromstring(sync_report(state["appts"].url, new, "0").content)
    assert not again.findall("D:response", NS), "no-change delta not empty"
    return "changed %s, deleted %s; next delta empty" % (sorted(changed), sorted(deleted))


@step("sync-incremental-python-caldav", needs=["sync-initial-python-caldav", "import-modified-fixture-while-serving"])
def _():
    full = state["full"]
    delta = state["appts"].objects_by_sync_token(sync_token=full.sync_token, load_objects=False)
    names = {name_of(o.url) for o in delta}
    assert names == WANT_CHANGED | WANT_DELETED, "delta %s" % sorted(names)
    updated, deleted = full.sync()  # loads the changed ones, 404 => deleted
    up = {name_of(o.url) for o in updated}
    de = {name_of(o.url) for o in deleted}
    assert up == WANT_CHANGED and de == WANT_DELETED, "sync(): updated %s deleted %s" % (sorted(up), sorted(de))
    moved = [o for o in full if name_of(o.url) == "appointment-1017.ics"][0]
    start = icalendar.Calendar.from_ical(moved.data).walk("VEVENT")[0].decoded("DTSTART")
    assert start.astimezone(UTC) == dt.datetime(2026, 11, 18, 15, 15, tzinfo=UTC), "1017 starts %s" % start
    return "updated %s, deleted %s; 1017 moved to 15:15Z" % (sorted(up), sorted(de))


# ---- blocked: read-write personal calendar -----------------------------
@step("blocked-save-event", needs=["list-calendars-appointments-and-blocked"])
def _():
    uid = "client-%s@example.org" % RUN
    ev = state["blocked"].save_event(event_ics(uid, "Dentist", "20261130T100000Z", "20261130T110000Z"))
    state["ev"], state["ev_uid"] = ev, uid
    r = raw("GET", ev.url)
    assert r.status_code == 200 and uid in r.text, "GET after save -> %d" % r.status_code
    assert r.headers.get("ETag"), "no ETag"
    state["etag"] = r.headers["ETag"]
    found = uids(state["blocked"].date_search(start=WIN[0], end=WIN[1], expand=False))
    assert uid in found, "date_search on blocked lacks the new event"
    return "%s, ETag %s" % (urlparse(str(ev.url)).path, state["etag"])


@step("blocked-conditional-put", needs=["blocked-save-event"])
def _():
    url = state["ev"].url
    body = event_ics(state["ev_uid"], "Dentist (moved)", "20261130T140000Z", "20261130T150000Z")
    h = {"Content-Type": "text/calendar; charset=utf-8"}
    r = raw("PUT", url, body, dict(h, **{"If-Match": '"stale"'}))
    assert r.status_code == 412, "PUT If-Match stale -> %d" % r.status_code
    r = raw("PUT", url, body, dict(h, **{"If-None-Match": "*"}))
    assert r.status_code == 412, "PUT If-None-Match:* over existing -> %d" % r.status_code
    r = raw("PUT", url, body, dict(h, **{"If-Match": state["etag"]}))
    assert r.status_code in (200, 204), "PUT If-Match current -> %d" % r.status_code
    g = raw("GET", url)
    assert "Dentist (moved)" in g.text, "edit not stored"
    assert g.headers.get("ETag") not in (None, state["etag"]), "ETag unchanged after edit"
    state["etag"] = g.headers["ETag"]
    # and an edit through the library object, as a client app would
    ev = state["blocked"].event_by_url(url)
    ev.icalendar_instance.walk("VEVENT")[0]["SUMMARY"] = "Dentist (library edit)"
    ev.save()
    g = raw("GET", url)
    assert "Dentist (library edit)" in g.text, "library edit not stored"
    state["etag"] = g.headers["ETag"]
    return "stale If-Match / If-None-Match:* -> 412; If-Match current -> %d" % r.status_code


@step("blocked-sync-sees-edit", needs=["blocked-save-event"])
def _():
    r = sync_report(state["blocked"].url, "", "0")
    assert r.status_code == 207, "sync-collection on blocked -> %d" % r.status_code
    names = {name_of(e.text) for e in etree.fromstring(r.content).findall("D:response/D:href", NS)}
    assert name_of(state["ev"].url) in names, "blocked sync lacks the event: %s" % sorted(names)
    return "%d object(s)" % len(names)


@step("blocked-conditional-delete", needs=["blocked-save-event"])
def _():
    url = state["ev"].url
    r = raw("DELETE", url, headers={"If-Match": '"stale"'})
    assert r.status_code == 412, "DELETE If-Match stale -> %d" % r.status_code
    r = raw("DELETE", url, headers={"If-Match": state["etag"]})
    assert r.status_code in (200, 204), "DELETE If-Match current -> %d" % r.status_code
    assert raw("GET", url).status_code == 404, "GET after DELETE not 404"
    try:
        state["blocked"].event_by_url(url)
        raise AssertionError("event_by_url found the deleted event")
    except error.NotFoundError:
        pass
    return "stale -> 412, current -> %d, then 404" % r.status_code


passed = sum(1 for s, _ in results if s == "PASS")
failed = sum(1 for s, _ in results if s == "FAIL")
skipped = sum(1 for s, _ in results if s == "SKIP")
print("SUMMARY|pycaldav-scenario|steps|%d|%d|%d" % (passed, failed, skipped))
sys.exit(1 if failed or skipped else 0)
