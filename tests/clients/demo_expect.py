"""What the demo fixture says an employee's CalDAV calendars must hold.

Computed from fixtures/demo/demo.json alone (not from the server), so the
client tests compare the server against an independent reading:

  - the `appointments` collection holds every appointment of the employee,
    whatever its status (canceled ones appear as STATUS:CANCELLED), one
    object `appointment-<id>.ics` with UID `appointment-<id>@creneau`;
  - a time-range query returns those whose [start, end) overlaps the range;
  - free/busy counts approved, no-show (BUSY) and pending (BUSY-TENTATIVE);
  - titles follow the default template `%service_name% – %customer_full_name%`
    (customers of canceled/rejected bookings left out, unless no booking is
    active: a canceled appointment still names its customer).

A start without an offset is local time of the employee's zone (README,
"Import format").
"""
import datetime as dt
import json
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def parse_time(text, zone):
    """ISO 8601 as the importer reads it: Z, +01:00, +0100, +01 or local."""
    s = text.replace("Z", "+00:00")
    # +0100 / +01 -> +01:00 (fromisoformat in 3.11 takes these, be explicit)
    if len(s) > 19 and s[19] in "+-":
        off = s[20:].replace(":", "")
        off = (off + "00")[:4]
        s = s[:19] + s[19] + off[:2] + ":" + off[2:]
    t = dt.datetime.fromisoformat(s)
    if t.tzinfo is None:
        t = t.replace(tzinfo=ZoneInfo(zone))
    return t.astimezone(UTC)


def full_name(person):
    return " ".join(p for p in (person.get("firstName"), person.get("lastName")) if p)


class Demo:
    def __init__(self, path):
        self.data = load(path)
        self.employees = {str(e["id"]): e for e in self.data["employees"]}
        self.customers = {str(c["id"]): c for c in self.data["customers"]}
        self.services = {str(s["id"]): s for s in self.data["services"]}

    def appointments(self, employee):
        """[(id, start_utc, end_utc, status, title)] of one employee."""
        zone = self.employees[employee]["timeZone"]
        out = []
        for a in self.data["appointments"]:
            if str(a["employee"]) != employee or a.get("deleted"):
                continue
            bookings = a.get("bookings") or []
            active = [b for b in bookings
                      if b.get("status", a["status"]) not in ("canceled", "rejected")]
            # no active booking (a canceled appointment): it still names them all
            customers = [full_name(self.customers[str(b["customer"])])
                         for b in (active or bookings)]
            title = "%s – %s" % (self.services[str(a["service"])]["name"], ", ".join(customers))
            out.append((str(a["id"]), parse_time(a["start"], zone),
                        parse_time(a["end"], zone), a["status"], title))
        return out

    def in_range(self, employee, start, end):
        """Appointments overlapping [start, end) (RFC 4791 9.9)."""
        return [a for a in self.appointments(employee) if a[1] < end and a[2] > start]

    def busy(self, employee, start, end):
        """{start_utc: 'BUSY'|'BUSY-TENTATIVE'} the free-busy-query must show."""
        kinds = {"approved": "BUSY", "no-show": "BUSY", "pending": "BUSY-TENTATIVE"}
        return {a[1]: kinds[a[3]] for a in self.in_range(employee, start, end)
                if a[3] in kinds}
