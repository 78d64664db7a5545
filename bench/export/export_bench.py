"""Export benchmark (issue 4, item 10): N appointments exported by
`creneau sync run` to the Google and Graph emulators (the employee's Google
calendar and the admin-wide Outlook calendar: 2 remote events each), with and
without batching. Reports events/s and where the CPU time goes: creneau
(user+sys of the sync process) against the two emulators (from /proc).

usage: export_bench.py CRENEAU_BINARY [--count N] [--scratch DIR]"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SRC, "tests", "sync"))
import sync_env  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def one(creneau, scratch, shared, count, batching):
    env = sync_env.Env(creneau, scratch, shared)
    try:
        env.import_json(sync_env.appointments_json(count))
        env.connect()
        emus = [env.google.proc.pid, env.graph.proc.pid]
        before = [cpu_seconds(p) for p in emus]
        args = [creneau, "sync", "run"] + ([] if batching else ["--no-batch"])
        t0 = time.monotonic()
        p = subprocess.Popen(args, env=env.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        out = p.stdout.read()
        after = [cpu_seconds(p) for p in emus]
        g = len(env.google_events())
        m = len(env.graph_events(env.graph_user()))
        return {
            "mode": "batched" if batching else "one request per call",
            "events": g + m, "wall": wall,
            "creneau_cpu": usage.ru_utime + usage.ru_stime,
            "emulator_cpu": sum(a - b for a, b in zip(after, before)),
            "peak_rss_mib": usage.ru_maxrss / 1024.0,
            "summary": out.strip().splitlines()[-1] if out.strip() else "",
            "ok": g == count and m == count,
        }
    finally:
        env.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("creneau")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--scratch", default="/tmp/creneau-export-bench")
    a = ap.parse_args()
    shared = os.environ.get("CRENEAU_SHARED_DIR", os.path.join(SRC, "..", "shared"))
    rows = [one(a.creneau, a.scratch, shared, a.count, b) for b in (True, False)]
    print("| mode | remote events | wall s | events/s | creneau CPU s | emulators CPU s "
          "| creneau share of CPU | creneau peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        share = r["creneau_cpu"] / max(r["creneau_cpu"] + r["emulator_cpu"], 1e-9)
        print("| %s | %d%s | %.1f | %.0f | %.2f | %.2f | %.0f%% | %.0f |" % (
            r["mode"], r["events"], "" if r["ok"] else " (MISSING)", r["wall"],
            r["events"] / r["wall"], r["creneau_cpu"], r["emulator_cpu"], 100 * share,
            r["peak_rss_mib"]))
    for r in rows:
        print("%s: %s" % (r["mode"], r["summary"]))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
