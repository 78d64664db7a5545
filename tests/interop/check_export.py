#!/usr/bin/python3
"""Checks an .ics file written by `creneau export` against the import data it
came from, reading it with two parsers nobody on this project wrote:
python3-icalendar (Debian) and Mozilla's ical.js (output of read_ics.mjs).

Every expected appointment / event period must be there exactly once, with
the right instants, time zone, status and attendees; nothing else may be.
Exits 1 and lists every mismatch otherwise.
"""
import argparse
import datetime as dt
import json
import sys
from zoneinfo import ZoneInfo

import icalendar

STATUS_MAP = {"approved": "CONFIRMED", "no-show": "CONFIRMED", "pending": "TENTATIVE",
              "canceled": "CANCELLED", "cancelled": "CANCELLED", "rejected": "CANCELLED"}
ACTIVE = {"approved", "pending", "no-show"}


def parse_when(text, zone):
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=ZoneInfo(zone))
    return int(t.timestamp())


def written_zone(t, zone):
    """The zone DTSTART is written in: UTC when the wall-clock time is
    ambiguous in `zone` (clocks falling back), since parsers disagree on it."""
    local = dt.datetime.fromtimestamp(t, ZoneInfo(zone))
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return "UTC"
    return zone


def load_records(paths):
    kinds = ["employees", "customers", "services", "locations", "appointments", "events"]
    data = {k: {} for k in kinds}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for k in kinds:
            for rec in doc.get(k, []):
                rid = str(rec["id"])
                if rec.get("deleted"):
                    data[k].pop(rid, None)
                else:
                    merged = dict(data[k].get(rid, {}))
                    merged.update(rec)
                    data[k][rid] = merged
    return data


def participants(bookings):
    active = [b for b in bookings if b.get("status", "approved") in ACTIVE]
    return active or bookings


def expected_events(data, args):
    statuses = set(args.statuses.split(","))
    lo = parse_when(args.from_, "UTC") if args.from_ else None
    hi = parse_when(args.to, "UTC") if args.to else None
    out = {}

    def emails(bookings):
        result = set()
        for b in participants(bookings):
            c = data["customers"].get(str(b["customer"]))
            if c and c.get("email"):
                result.add(c["email"].lower())
        return result

    def in_window(s, e):
        return (hi is None or s < hi) and (lo is None or e > lo)

    for aid, a in data["appointments"].items():
        status = a.get("status", "approved")
        if status not in statuses:
            continue
        emp_id = str(a["employee"])
        if args.employee and emp_id != args.employee:
            continue
        if args.service and str(a["service"]) != args.service:
            continue
        zone = data["employees"][emp_id].get("timeZone", "UTC")
        s, e = parse_when(a["start"], zone), parse_when(a["end"], zone)
        if not in_window(s, e):
            continue
        if args.include_buffers:
            svc = data["services"][str(a["service"])]
            s -= 60 * int(svc.get("bufferBefore", 0))
            e += 60 * int(svc.get("bufferAfter", 0))
        out[f"appointment-{aid}@{args.uid_domain}"] = {
            "start": s, "end": e, "zone": written_zone(s, zone), "status": STATUS_MAP[status],
            "attendees": emails(a.get("bookings", [])) if args.attendees else set()}

    if args.service:
        return out
    for eid, ev in data["events"].items():
        status = ev.get("status", "approved")
        if status not in statuses:
            continue
        staff = [str(x) for x in ev.get("staff", [])]
        org = str(ev["organizer"]) if ev.get("organizer") is not None else None
        if args.employee and args.employee != org and args.employee not in staff:
            continue
        zone_emp = org or (staff[0] if staff else None)
        zone = data["employees"][zone_emp].get("timeZone", "UTC") if zone_emp else "UTC"
        staff_emails = {data["employees"][x]["email"].lower() for x in staff
                        if x != org and data["employees"][x].get("email")}
        for i, p in enumerate(ev.get("periods", [])):
            s, e = parse_when(p["start"], zone), parse_when(p["end"], zone)
            if not in_window(s, e):
                continue
            key = str(p.get("id", i + 1))
            att = staff_emails | (emails(ev.get("bookings", [])) if args.attendees else set())
            out[f"event-{eid}-{key}@{args.uid_domain}"] = {
                "start": s, "end": e, "zone": written_zone(s, zone), "status": STATUS_MAP[status], "attendees": att}
    return out


def read_with_python_icalendar(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    events = {}
    for comp in cal.walk("VEVENT"):
        start = comp.decoded("DTSTART")
        end = comp.decoded("DTEND")
        att = comp.get("ATTENDEE", [])
        if not isinstance(att, list):
            att = [att]
        uid = str(comp.get("UID"))
        if uid in events:
            events[uid]["duplicate"] = True
        events[uid] = {
            "start": int(start.timestamp()), "end": int(end.timestamp()),
            "zone": comp["DTSTART"].params.get("TZID", "UTC"),
            "status": str(comp.get("STATUS", "")),
            "summary": str(comp.get("SUMMARY", "")),
            "description": str(comp.get("DESCRIPTION", "")),
            "attendees": {str(a).lower().replace("mailto:", "") for a in att},
        }
    return events


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--import", dest="imports", action="append", required=True)
    ap.add_argument("--ics", required=True)
    ap.add_argument("--icaljs", required=True, help="JSON printed by read_ics.mjs for the same file")
    ap.add_argument("--statuses", default="approved,no-show")
    ap.add_argument("--employee")
    ap.add_argument("--service")
    ap.add_argument("--from", dest="from_")
    ap.add_argument("--to")
    ap.add_argument("--uid-domain", default="creneau")
    ap.add_argument("--include-buffers", action="store_true")
    ap.add_argument("--no-attendees", dest="attendees", action="store_false")
    args = ap.parse_args()

    expected = expected_events(load_records(args.imports), args)
    py = read_with_python_icalendar(args.ics)
    with open(args.icaljs, encoding="utf-8") as f:
        js_doc = json.load(f)
    js = {}
    for e in js_doc["events"]:
        if e["uid"] in js:
            js[e["uid"]]["duplicate"] = True
        js[e["uid"]] = e

    problems = []
    if not expected:
        problems.append("the check expects no event at all: the filters select nothing")
    for name, got in (("python-icalendar", py), ("ical.js", js)):
        for uid in sorted(set(expected) - set(got)):
            problems.append(f"{name}: missing {uid}")
        for uid in sorted(set(got) - set(expected)):
            problems.append(f"{name}: unexpected {uid}")
    for uid, want in expected.items():
        p, j = py.get(uid), js.get(uid)
        if not p or not j:
            continue
        for name, got in (("python-icalendar", p), ("ical.js", j)):
            if got.get("duplicate"):
                problems.append(f"{name}: {uid} appears more than once")
            if got["start"] != want["start"] or got["end"] != want["end"]:
                problems.append(f"{name}: {uid} is {got['start']}..{got['end']}, "
                                f"expected {want['start']}..{want['end']}")
            if got["status"] != want["status"]:
                problems.append(f"{name}: {uid} STATUS {got['status']}, expected {want['status']}")
        if p["zone"] != want["zone"] or (j["startTzid"] or "UTC") != want["zone"]:
            problems.append(f"{uid}: DTSTART zone {p['zone']} / {j['startTzid']}, expected {want['zone']}")
        js_att = {a["email"].lower() for a in j["attendees"]}
        if p["attendees"] != want["attendees"] or js_att != want["attendees"]:
            problems.append(f"{uid}: attendees {sorted(p['attendees'])} / {sorted(js_att)}, "
                            f"expected {sorted(want['attendees'])}")
        if not p["summary"]:
            problems.append(f"{uid}: empty SUMMARY")
        # The two parsers must read the same text (escaping, folding, UTF-8).
        if p["summary"] != j["summary"] or p["description"] != (j["description"] or ""):
            problems.append(f"{uid}: parsers disagree on the text: {p['summary']!r} vs {j['summary']!r}")
    zones = {w["zone"] for w in expected.values()} - {"UTC"}
    missing_tz = zones - set(js_doc["timezones"])
    if missing_tz:
        problems.append(f"no VTIMEZONE for {sorted(missing_tz)}")

    if problems:
        print(f"{args.ics}: {len(problems)} problem(s)")
        for p in problems:
            print("  " + p)
        return 1
    print(f"{args.ics}: {len(expected)} events read identically by python-icalendar and ical.js")
    return 0


if __name__ == "__main__":
    sys.exit(main())
