#!/usr/bin/python3
"""Markdown comparison of two bench_server.sh runs: Créneau vs Radicale.

Usage: compare.py --crn DIR --rad DIR [--nginx DIR] [--expected FILE]

Each DIR holds results.tsv (bench_server.sh's columns; run.sh appends its
rows f2, b2, b3), and optionally load.txt (load_caldav.py's output) and
load-meta.txt (key=value: hwm_kb_after_load, hwm_kb_end, ...).  The nginx
DIR holds a results.tsv of static GETs of the same bytes (the limit).
--expected: expected_counts.py's output, to check the item counts of d/f.

Prints three tables: workloads (req/s, p50, p99 of both, the ratios
Créneau/Radicale, and the issue-3 targets), PUT load, memory.
Targets (issue 3): req/s >= 20x Radicale on every workload; p99 < 10 ms for
calendar-query (d) and for a feed 304 (b2, b3); memory < 100 MB.
Standard library only.
"""
import argparse
import csv
import os
import re
import sys

RATIO_TARGET = 20.0
P99_TARGET_MS = 10.0
P99_ROWS = {"d", "b2", "b3"}
MEM_TARGET_KB = 100e6 / 1024  # 100 MB
ORDER = ["a", "b", "b2", "b3", "c", "d", "e", "f", "f2", "g"]


def num(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v


def read_tsv(d):
    rows = {}
    p = os.path.join(d, "results.tsv")
    if not os.path.exists(p):
        return rows
    with open(p, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows[r["id"]] = r
    return rows


def read_meta(d):
    meta = {}
    p = os.path.join(d, "load-meta.txt")
    if os.path.exists(p):
        for line in open(p, encoding="utf-8"):
            k, _, v = line.strip().partition("=")
            if k:
                meta[k] = v
    load = {}
    p = os.path.join(d, "load.txt")
    if os.path.exists(p):
        text = open(p, encoding="utf-8", errors="replace").read()
        m = re.search(r"^RESULT (.*)$", text, re.M)
        if m:
            load = dict(kv.split("=", 1) for kv in m.group(1).split())
        m = re.search(r"^events/s per tenth of the upload: (.*)$", text, re.M)
        if m:
            load["tenths"] = m.group(1).strip()
        m = re.search(r"^PUT latency ms: (.*)$", text, re.M)
        if m:
            load["latency"] = re.sub(r"\s+", " ", m.group(1).strip())
        m = re.search(r"^status histogram: (.*)$", text, re.M)
        if m:
            load["statuses"] = m.group(1).strip()
        # progress lines "  k/total PUTs  t s  r events/s so far": a load
        # stopped early has no RESULT line
        prog = [(int(a), int(b), float(t)) for a, b, t in re.findall(
            r"^\s*(\d+)/(\d+) PUTs\s+([\d.]+) s", text, re.M)]
        if prog and "events_per_s" not in load:
            k, total, t = prog[-1]
            load.update(events=str(total), ok=str(k), failed="?", seconds=f"{t:.1f}",
                        events_per_s=f"{k / t:.1f}" if t else "–", stopped=f"{k}/{total}")
        if prog and "tenths" not in load:
            prev_k, prev_t, rates = 0, 0.0, []
            for k, _, t in prog:
                if t > prev_t:
                    rates.append(f"{(k - prev_k) / (t - prev_t):.0f}")
                prev_k, prev_t = k, t
            load["tenths"] = " ".join(rates)
    return meta, load


def fmt(v, digits=None):
    if v is None:
        return "–"
    if digits is None:
        digits = 0 if v >= 100 else 1 if v >= 10 else 2 if v >= 0.1 else 3
    return f"{v:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    if r is None:
        return "–"
    if r >= 100:
        return f"{r:,.0f}x"
    if r >= 10:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def read_expected(path):
    exp = {}
    if not path or not os.path.exists(path):
        return exp
    for line in open(path, encoding="utf-8"):
        m = re.match(r"query \S+: (\d+) calendar objects", line)
        if m:
            exp["d"] = {int(m.group(1))}
        m = re.match(r"(freebusy(?:-f2)?) \S+: (\d+) busy instances, (\d+) merged", line)
        if m:
            key = "f" if m.group(1) == "freebusy" else "f2"
            exp[key] = {int(m.group(2)), int(m.group(3))}
    return exp


def mib(kb):
    v = num(kb)
    return None if v is None else v / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crn", required=True)
    ap.add_argument("--rad", required=True)
    ap.add_argument("--nginx")
    ap.add_argument("--expected")
    a = ap.parse_args()
    crn, rad = read_tsv(a.crn), read_tsv(a.rad)
    ngx = read_tsv(a.nginx) if a.nginx else {}
    exp = read_expected(a.expected)
    if not crn and not rad:
        sys.exit("no results.tsv in either folder")
    ids = [i for i in ORDER if i in crn or i in rad]
    ids += sorted(i for i in set(crn) | set(rad) if i not in ORDER)

    misses, problems = [], []
    print("### Workloads (req/s; latency ms from wrk; ratio = Créneau / Radicale)")
    print()
    cols = ["", "workload", "Radicale status, check", "conns", "req/s", "p50", "p99",
            "Créneau status, check", "conns", "req/s", "p50", "p99",
            "req/s ratio", "p50 ratio", "p99 ratio"]
    if ngx:
        cols += ["nginx limit req/s", "Créneau / limit"]
    cols += ["targets"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for i in ids:
        r, c = rad.get(i, {}), crn.get(i, {})
        title = c.get("workload") or r.get("workload") or i
        rr, cr = num(r.get("req_s")), num(c.get("req_s"))
        r50, c50 = num(r.get("p50_ms")), num(c.get("p50_ms"))
        r99, c99 = num(r.get("p99_ms")), num(c.get("p99_ms"))
        rq = ratio(cr, rr)
        wrk_cr = cr  # what wrk measured, also for error answers

        def sc(x):
            if not x:
                return "–"
            s = f"{x.get('status', '?')} {x.get('check', '?')}"
            if x.get("items") not in (None, "", "-"):
                s += f", {x['items']} items"
            e = num(x.get("err"))
            if e:
                s += f", **{int(e)} err**"
            return s

        # item counts against expected_counts.py
        if i in exp and c and c.get("items") not in (None, "", "-"):
            got = int(c["items"])
            if i.startswith("f"):
                # free-busy: periods may be merged, or split by FBTYPE
                # (BUSY over BUSY-TENTATIVE), so only an empty answer is
                # certainly wrong
                bad = got == 0 and max(exp[i]) > 0
            else:
                bad = got not in exp[i]
            if bad:
                problems.append(f"{i} ({title}): Créneau returned {c['items']} items, expected "
                                f"{' or '.join(str(x) for x in sorted(exp[i]))} (expected_counts.py)")
        if c and c.get("check") not in ("ok", None):
            problems.append(f"{i} ({title}): Créneau answered {c.get('status')} ({c.get('check')})")
        if c and num(c.get("err")):
            problems.append(f"{i} ({title}): wrk counted {c.get('err')} errors against Créneau")

        t = []
        ok = True
        c_ok = bool(c) and c.get("check") == "ok"
        r_ok = bool(r) and r.get("check") == "ok"
        if not r_ok:
            rr = r50 = r99 = None  # no comparable Radicale figure
        if c and not c_ok:
            # an error answer is no result: no ratio, and a miss
            cr = c50 = c99 = None
            rq = None
            t.append(f"**fails** ({c.get('status')} {c.get('check')})")
            misses.append(f"{i} {title}: Créneau answers {c.get('status')} ({c.get('check')}), not measured")
        elif rr is not None:
            if rq is None or rq < RATIO_TARGET:
                ok = False
                t.append(f"req/s ≥ {RATIO_TARGET:.0f}x: **miss** ({fmt_ratio(rq)})")
                misses.append(f"{i} {title}: req/s {fmt_ratio(rq)} of Radicale "
                              f"(target {RATIO_TARGET:.0f}x; Créneau {fmt(cr)}, needs ≥ {fmt(rr * RATIO_TARGET)})")
            else:
                t.append(f"≥ {RATIO_TARGET:.0f}x ok")
        elif cr is None and c_ok:
            t.append("not measured")
        if i in P99_ROWS and (c_ok or not c):
            if c99 is None or c99 >= P99_TARGET_MS:
                ok = False
                t.append(f"p99 < {P99_TARGET_MS:.0f} ms: **miss** ({fmt(c99)} ms)")
                misses.append(f"{i} {title}: p99 {fmt(c99)} ms (target < {P99_TARGET_MS:.0f} ms)")
            else:
                t.append(f"p99 < {P99_TARGET_MS:.0f} ms ok")
        row = [i, title, sc(r), r.get("conns", "–") or "–", fmt(rr), fmt(r50), fmt(r99),
               sc(c), c.get("conns", "–") or "–", f"**{fmt(cr)}**" if cr is not None or wrk_cr is None else f"({fmt(wrk_cr)} errors/s)", fmt(c50), fmt(c99),
               f"**{fmt_ratio(rq)}**", fmt_ratio(ratio(c50, r50)), fmt_ratio(ratio(c99, r99))]
        if ngx:
            n = ngx.get(i, {})
            nr = num(n.get("req_s"))
            row += [fmt(nr), fmt_ratio(ratio(cr, nr))]
        row.append("; ".join(t) if t else "–")
        print("| " + " | ".join(str(x) for x in row) + " |")
    print()

    (cm, cl), (rm, rl) = read_meta(a.crn), read_meta(a.rad)
    print("### PUT load (load_caldav.py, 8 threads, If-None-Match: *)")
    print()
    print("| | events PUT | events/s | seconds | ok / failed | events/s per tenth (of the events PUT) | PUT latency |")
    print("|---|---|---|---|---|---|---|")
    notes = []
    for name, l, m in (("Radicale", rl, rm), ("Créneau", cl, cm)):
        note = " (earlier load of the same data, reused)" if "load_reused" in m else ""
        put = l.get("ok", "–")
        if "stopped" in l:
            put = f"{l['stopped'].split('/')[0]} (stopped)"
        elif m.get("put_events"):
            put = m["put_events"]
        print(f"| {name}{note} | {put} | **{l.get('events_per_s', '–')}** | {l.get('seconds', '–')} | "
              f"{l.get('ok', '–')} / {l.get('failed', '–')} | {l.get('tenths', '–')} | "
              f"{l.get('latency', '–')} |")
        if m.get("copied_on_disk"):
            notes.append(f"{name}: {m['copied_on_disk']} more events copied into its storage folder "
                         f"(not PUT) for the workloads.")
        if m.get("cold_get"):
            notes.append(f"{name}: first GET of the collection after that (builds its item cache): {m['cold_get']}")
        if m.get("note"):
            notes.append(f"{name}: {m['note']}")
        if m.get("load_reused"):
            notes.append(f"{name}: load reused from {m['load_reused']}")
    if notes:
        print()
        for x in notes:
            print(f"- {x}")
    pr = ratio(num(cl.get("events_per_s")), num(rl.get("events_per_s")))
    print()
    print(f"PUT ratio Créneau / Radicale: **{fmt_ratio(pr)}**"
          f" (target ≥ {RATIO_TARGET:.0f}x; harness goal ≥ 1,000 events/s, flat)")
    if pr is None or pr < RATIO_TARGET:
        misses.append(f"PUT load: {fmt_ratio(pr)} of Radicale")
    if num(cl.get("failed")):
        problems.append(f"PUT load: {cl.get('failed')} PUTs failed on Créneau ({cl.get('statuses')})")
    print()

    print("### Memory (VmHWM = peak RSS of the server process)")
    print()
    print("| | after the PUT load | end of the run | VmRSS at the end | target |")
    print("|---|---|---|---|---|")
    for name, m in (("Radicale", rm), ("Créneau", cm)):
        after = mib(m.get("hwm_kb_after_load"))
        end = mib(m.get("hwm_kb_end"))
        rss = mib(m.get("rss_kb_end"))
        t = "–"
        if name == "Créneau":
            peak = max(x for x in (after, end, 0) if x is not None)
            t = "< 100 MB ok" if peak * 1024 < MEM_TARGET_KB else "< 100 MB: **miss**"
            if peak * 1024 >= MEM_TARGET_KB:
                misses.append(f"memory: VmHWM {fmt(peak)} MiB (target < 100 MB)")
        extra = " (Radicale process of the earlier load)" if "load_reused" in m and after is not None else ""
        print(f"| {name} | {fmt(after)} MiB{extra} | **{fmt(end)} MiB** | {fmt(rss)} MiB | {t} |")
    print()
    print("### Targets missed by Créneau")
    print()
    for x in misses or ["none"]:
        print(f"- {x}")
    print()
    print("### Errors and failed checks for Créneau")
    print()
    for x in problems or ["none"]:
        print(f"- {x}")


if __name__ == "__main__":
    main()
