// Reads an .ics file with Mozilla's ical.js and prints what a calendar client
// would see, as JSON: one entry per VEVENT with UTC instants and attendees.
// Usage: node read_ics.mjs FILE.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));

// Register the file's VTIMEZONEs so TZID-relative times convert correctly.
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}

const out = {
  calname: root.getFirstPropertyValue("x-wr-calname"),
  timezones: root.getAllSubcomponents("vtimezone").map((c) => c.getFirstPropertyValue("tzid")),
  events: [],
};
for (const vevent of root.getAllSubcomponents("vevent")) {
  const ev = new ICAL.Event(vevent);
  const tzidOf = (name) => vevent.getFirstProperty(name)?.getParameter("tzid") ?? null;
  out.events.push({
    uid: ev.uid,
    summary: ev.summary,
    description: ev.description,
    location: ev.location,
    status: vevent.getFirstPropertyValue("status"),
    sequence: ev.sequence,
    start: ev.startDate.toUnixTime(),
    end: ev.endDate.toUnixTime(),
    startTzid: tzidOf("dtstart"),
    organizer: vevent.getFirstPropertyValue("organizer"),
    attendees: vevent.getAllProperties("attendee").map((a) => ({
      email: String(a.getFirstValue()).replace(/^mailto:/i, ""),
      cn: a.getParameter("cn") ?? null,
      partstat: a.getParameter("partstat") ?? null,
    })),
    conference: vevent.getFirstPropertyValue("conference") ?? null,
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
  });
}
process.stdout.write(JSON.stringify(out));
