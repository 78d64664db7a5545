#!/usr/bin/python3
"""Writes a synthetic import file with N appointments (deterministic).
Usage: gen_import.py N > FILE.json"""
import json
import random
import sys

n = int(sys.argv[1])
rng = random.Random(42)
zones = ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Europe/London", "America/Los_Angeles"]
first = ["Zoë", "Jean", "Ana", "François", "Mia", "Noah", "Léa", "Hugo", "Yuki", "Omar", "Ingrid", "Paulo"]
last = ["Ångström", "Dupont", "García", "Müller", "Rossi", "Nakamura", "O'Brien", "Nowak", "Silva", "Dubois"]
doc = {"version": 1, "employees": [], "customers": [], "services": [], "locations": [], "appointments": [], "events": []}
for i in range(20):
    doc["employees"].append({"id": f"e{i}", "firstName": rng.choice(first), "lastName": rng.choice(last),
                             "email": f"staff{i}@salon.example", "phone": f"+33 1 00 00 00 {i:02d}",
                             "timeZone": zones[i % len(zones)]})
for i in range(max(50, n // 5)):
    doc["customers"].append({"id": f"c{i}", "firstName": rng.choice(first), "lastName": rng.choice(last),
                             "email": f"customer{i}@example.com", "phone": f"+33 6 {i:08d}",
                             "note": "Prefers the window seat; allergic to latex" if i % 7 == 0 else ""})
for i in range(10):
    doc["services"].append({"id": f"s{i}", "name": f"Service {i} – soin & coupe", "description":
                            "Shampoo, cut, blow-dry; includes a consultation, and a coffee.",
                            "duration": 30 + 15 * (i % 5), "bufferBefore": 5 * (i % 3), "bufferAfter": 10,
                            "capacity": 1 if i % 4 else 4, "price": f"{20 + 5 * i}.00", "currency": "EUR"})
for i in range(3):
    doc["locations"].append({"id": f"l{i}", "name": f"Salon {i}", "address": f"{i + 1} rue de la Paix, Paris"})
statuses = ["approved"] * 6 + ["pending", "canceled", "rejected", "no-show"]
base = 1767225600  # 2026-01-01T00:00:00Z
for i in range(n):
    svc = i % 10
    start = base + (i // 20) * 3600 + (i % 20) * 60
    dur = (30 + 15 * (svc % 5)) * 60
    # Group services (capacity 4) take 1-3 bookings of one person each.
    nb = 1 if svc % 4 else rng.randint(1, 3)
    bookings = [{"id": f"b{i}-{k}", "customer": f"c{rng.randrange(len(doc['customers']))}",
                 "persons": 1, "status": "approved"} for k in range(nb)]
    doc["appointments"].append({
        "id": f"a{i}", "service": f"s{svc}", "employee": f"e{i % 20}", "location": f"l{i % 3}",
        "start": f"{start}", "end": f"{start + dur}", "status": statuses[i % len(statuses)],
        "bookings": bookings, "notes": "Customer asked for Sophie; bring photos, please." if i % 3 == 0 else "",
        "price": f"{20 + 5 * svc}.00", "meetingUrl": f"https://meet.example.com/a{i}" if i % 5 == 0 else ""})
# ISO instants
import datetime as dt
for a in doc["appointments"]:
    for k in ("start", "end"):
        a[k] = dt.datetime.fromtimestamp(int(a[k]), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(doc, sys.stdout, ensure_ascii=False)
