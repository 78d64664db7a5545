#!/usr/bin/python3
"""Créneau vs python3-icalendar on the same data, in one run.

For each size N: generate an import file (gen_import.py), import it, export
it with `creneau export` (store read + render + serialize), then
  - ics_bench (Google Benchmark): render+serialize and parse, in process;
  - py_icalendar_bench.py: python3-icalendar parsing and serializing the very
    file creneau exported.
Prints a markdown table of times, peak memory and ratios.
Usage: bench/run_ics_bench.py BUILD_DIR [N ...]   (default N: 10000 100000)"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, **kw):
    """Runs cmd; returns (seconds, peak RSS MiB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err.decode()}")
    return dt, usage.ru_maxrss / 1024, out


def main():
    build = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [10000, 100000]
    creneau = os.path.join(build, "bridge", "creneau")
    bench = os.path.join(build, "bench", "ics_bench")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for n in sizes:
            src = os.path.join(work, f"{n}.json")
            with open(src, "w") as f:
                subprocess.run([sys.executable, os.path.join(HERE, "gen_import.py"), str(n)], stdout=f, check=True)
            db = os.path.join(work, f"{n}.db")
            ics = os.path.join(work, f"{n}.ics")
            t_import, m_import, _ = run([creneau, "import", src, "--db", db])
            t_export, m_export, _ = run([creneau, "export", "--db", db, "--out", ics,
                                         "--include-pending", "--include-canceled"])
            t_validate, m_validate, _ = run([creneau, "validate", "--quiet", ics])
            _, m_py, out = run(["/usr/bin/python3", os.path.join(HERE, "py_icalendar_bench.py"), ics])
            py = json.loads(out)
            _, _, out = run([bench, f"--benchmark_filter=/{n}$", "--benchmark_format=json",
                             "--benchmark_min_time=0.5"])
            gb = {b["name"].split("/")[0]: b["real_time"] / 1000.0 for b in json.loads(out)["benchmarks"]}
            rows.append((n, t_import, m_import, t_export, m_export, t_validate, gb, py, m_py,
                         os.path.getsize(ics)))
    print("| N | creneau render+serialize (in process) | python icalendar serialize | ratio | "
          "creneau parse | python icalendar parse | ratio | creneau export CLI (SQLite read+render+write) | "
          "peak RSS export | python peak RSS | creneau validate | import |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, ti, mi, te, me, tv, gb, py, mpy, size in rows:
        rs, pa = gb["BM_RenderSerialize"], gb["BM_Parse"]
        print(f"| {n} ({size / 1e6:.1f} MB) | {rs * 1000:.0f} ms | {py['serialize_s'] * 1000:.0f} ms | "
              f"**{py['serialize_s'] / rs:.0f}x** | {pa * 1000:.0f} ms | {py['parse_s'] * 1000:.0f} ms | "
              f"**{py['parse_s'] / pa:.0f}x** | {te * 1000:.0f} ms | {me:.0f} MiB | {mpy:.0f} MiB | "
              f"{tv * 1000:.0f} ms | {ti * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
