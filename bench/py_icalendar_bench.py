#!/usr/bin/python3
"""The reference: python3-icalendar (Debian) parsing and serializing the same
.ics that creneau exported. Prints JSON: events, parse_s, serialize_s, rss_mb.
Usage: py_icalendar_bench.py FILE.ics"""
import json
import resource
import sys
import time

import icalendar

path = sys.argv[1]
with open(path, "rb") as f:
    data = f.read()
t0 = time.perf_counter()
cal = icalendar.Calendar.from_ical(data)
t1 = time.perf_counter()
out = cal.to_ical()
t2 = time.perf_counter()
events = sum(1 for c in cal.walk("VEVENT"))
print(json.dumps({"events": events, "parse_s": t1 - t0, "serialize_s": t2 - t1, "bytes": len(out),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
