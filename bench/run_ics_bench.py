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
            rows.append((n, t_import, m_import, t_export, m_export, t_validate, m_validate, gb, py, m_py,
                         os.path.getsize(ics)))
    print("Serializing and parsing (python3-icalendar on the file creneau exported):\n")
    print("| N | python serialize | creneau serialize | ratio | creneau render+serialize | ratio | "
          "python parse | creneau parse | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, ti, mi, te, me, tv, mv, gb, py, mpy, size in rows:
        se, rs, pa = gb["BM_SerializeOnly"], gb["BM_RenderSerialize"], gb["BM_Parse"]
        ps, pp = py["serialize_s"], py["parse_s"]
        print(f"| {n} ({size / 1e6:.0f} MB) | {ps * 1000:.0f} ms | {se * 1000:.0f} ms | **{ps / se:.0f}x** | "
              f"{rs * 1000:.0f} ms | **{ps / rs:.0f}x** | {pp * 1000:.0f} ms | {pa * 1000:.0f} ms | "
              f"**{pp / pa:.0f}x** |")
    print("\nWhole commands (wall time, peak RSS):\n")
    print("| N | creneau import | creneau export (SQLite read, render, write) | creneau validate (parse + checks) "
          "| python3-icalendar parse + serialize |")
    print("|---|---|---|---|---|")
    for n, ti, mi, te, me, tv, mv, gb, py, mpy, size in rows:
        print(f"| {n} | {ti * 1000:.0f} ms, {mi:.0f} MiB | {te * 1000:.0f} ms, {me:.0f} MiB | "
              f"{tv * 1000:.0f} ms, {mv:.0f} MiB | {(py['parse_s'] + py['serialize_s']) * 1000:.0f} ms, "
              f"{mpy:.0f} MiB |")


if __name__ == "__main__":
    main()
