"""Exactly once, proven (issue 4, item 7): export 500 appointments to Google
(the employee's calendar) and Outlook (the admin-wide calendar) while
`creneau sync run` is killed with SIGKILL at random points, 20 rounds, with
lost answers injected by the emulators; then every appointment has exactly
one remote event per destination with the right content. Then every
appointment is cancelled, again under SIGKILL: no event is left.

usage: exactly_once.py CRENEAU_BINARY SCRATCH_DIR [--count N] [--rounds N]"""

import argparse
import datetime
import os
import random
import sys
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sync_env  # noqa: E402


def instant(obj):
    """A Google or Graph start/end object -> aware UTC datetime."""
    text = obj["dateTime"]
    if "." in text:
        text = text.split(".")[0]
    dt = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zoneinfo.ZoneInfo(obj.get("timeZone", "UTC")))
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def set_faults(env, on):
    """Lost answers and slow answers on both providers, beside the kills."""
    for emu in (env.google, env.graph):
        emu.post("/_emulator/faults?replace=true", [
            {"path": "/events|/batch|\\$batch", "action": "drop-after", "probability": 0.03},
            {"path": "/events|/batch|\\$batch", "action": "delay", "delayMs": 15,
             "probability": 0.3}] if on else [])


def killed_rounds(env, rounds, rng, label):
    set_faults(env, True)
    kills = 0
    for r in range(rounds):
        args = ["sync", "run"] + (["--no-batch"] if r % 2 else [])
        p = env.popen(*args)
        time.sleep(rng.uniform(0.05, 1.2))
        if p.poll() is None:
            p.kill()
            kills += 1
        p.wait()
        env.run("sync", "retry")  # what waits for a backoff is due at once
    set_faults(env, False)
    print("%s: %d rounds, %d killed mid-run" % (label, rounds, kills), flush=True)


def check(env, count, shift, label):
    want = sync_env.expected_starts(count, shift)
    problems = []
    g = env.google_events()
    ids = [e.get("extendedProperties", {}).get("private", {}).get("creneauAppointmentId") for e in g]
    if len(g) != count:
        problems.append("google: %d events for %d appointments" % (len(g), count))
    if len(set(ids)) != len(ids):
        problems.append("google: duplicated appointment ids")
    starts = {instant(e["start"]) for e in g}
    if starts != want:
        problems.append("google: %d starts differ" % len(starts ^ want))
    user = env.graph_user()
    m = env.graph_events(user) if user else []
    if len(m) != count:
        problems.append("graph: %d events for %d appointments" % (len(m), count))
    mstarts = [instant(e["start"]) for e in m]
    if len(set(mstarts)) != len(mstarts):
        problems.append("graph: two events for one appointment")
    if set(mstarts) != want:
        problems.append("graph: %d starts differ" % len(set(mstarts) ^ want))
    for v in env.google.violations() + env.graph.violations():
        problems.append("contract violation: %s %s %s" % (v.get("path"), v.get("location"),
                                                          v.get("message")))
    print("%s: google %d events, graph %d events" % (label, len(g), len(m)), flush=True)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("creneau")
    ap.add_argument("scratch")
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    print("seed", seed, flush=True)
    rng = random.Random(seed)
    shared = os.environ.get("CRENEAU_SHARED_DIR", os.path.join(sync_env.SRC, "..", "shared"))
    env = sync_env.Env(a.creneau, a.scratch, shared)
    problems = []
    try:
        env.import_json(sync_env.appointments_json(a.count))
        env.connect()
        # The plan first: every appointment to create in both calendars, nothing sent.
        plan = env.run("sync", "--dry-run").stdout.splitlines()
        creates = [l for l in plan if l.startswith("create")]
        sent = [r for r in env.google.get("/_emulator/requests")["requests"] +
                env.graph.get("/_emulator/requests")["requests"] if "/events" in r["path"]]
        if len(creates) != 2 * a.count or "nothing was sent" not in plan[-1] or sent:
            problems.append("dry run: %d creates listed, %d requests sent, last line %r"
                            % (len(creates), len(sent), plan[-1] if plan else ""))
        killed_rounds(env, a.rounds, rng, "create")
        env.drain()
        problems += check(env, a.count, 0, "after create")
        status = env.run("sync", "status").stdout
        if "queued:        0" not in status or "remote events: %d" % (2 * a.count) not in status:
            problems.append("sync status after create: " + status)

        # Reschedule everything by 15 minutes, under kills: one event each, moved.
        env.import_json(sync_env.appointments_json(a.count, shift_min=15))
        killed_rounds(env, a.rounds // 2, rng, "reschedule")
        env.drain()
        problems += check(env, a.count, 15, "after reschedule")

        env.import_json(sync_env.appointments_json(a.count, status="canceled", shift_min=15))
        killed_rounds(env, a.rounds // 2, rng, "cancel")
        env.drain()
        left_g = len(env.google_events())
        user = env.graph_user()
        left_m = len(env.graph_events(user)) if user else 0
        print("after cancel: google %d, graph %d events left" % (left_g, left_m), flush=True)
        if left_g or left_m:
            problems.append("after cancelling all: %d google and %d graph events left"
                            % (left_g, left_m))
    finally:
        env.stop()
    if problems:
        print("FAILED (seed %d):\n  " % seed + "\n  ".join(problems[:30]))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
