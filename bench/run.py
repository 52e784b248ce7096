#!/usr/bin/env python3
"""sockscope's overhead benchmark: every workload under every condition,
alternated A B A B within each round, then the side-by-side table.

    sudo bench/run.py --build build            # the full run (about 10 min)
    sudo bench/run.py --build build --quick    # 2 rounds of 1 s, a smoke run

See docs/performance.md for what each condition and figure means.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from overhead import conditions as C  # noqa: E402
from overhead import probe_cost, report  # noqa: E402
from overhead import workloads as W  # noqa: E402
from overhead.procs import Failure, Proc, cpu_seconds, rss_kib  # noqa: E402
from overhead.workloads import ALL, Churn  # noqa: E402

# the default tier (record, top, shared), each detail tier next to its floor
# and to bpftrace counting on the same hooks, then the peers
# --warmup: seconds of unmeasured load before each round (see one())
WARMUP_S = 0.0

CONDITIONS = ["none", "floor", "record", "top", "shared", "floor:syscalls", "syscalls", "bpftrace:syscalls",
              "floor:packets", "packets", "bpftrace:packets", "detail", "bpftrace", "tcpstates+tcplife"]


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="the CMake build directory (default: build)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per workload (default 5, at least 5 for the docs)")
    ap.add_argument("--seconds", type=float, default=3, help="seconds per workload run (default 3)")
    ap.add_argument("--workloads", default="pair,stream,churn,udp")
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--skip", default="", help="phases to skip: churn20k,paced,rss,probes,replay")
    ap.add_argument("--paced-seconds", type=float, default=60,
                    help="seconds of each paced churn run (default 60: the budget's sustained rate)")
    ap.add_argument("--paced-rates", default="20000,25000,30000",
                    help="paced churn rates to try upwards (below the first, 15000, 10000, 5000 if it loses)")
    ap.add_argument("--probe-workloads", default="pair,churn",
                    help="workloads the per-program cost (bpf_stats) is measured under (default pair,churn)")
    ap.add_argument("--quick", action="store_true", help="2 rounds of 1 s, no RSS at 100k: a smoke run")
    ap.add_argument("--json", help="also write every measurement to this file")
    ap.add_argument("--warmup", type=float, default=0,
                    help="run each workload this long under each condition before the measured round: "
                         "the steady state, without the tracer's start-up (default 0)")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.seconds, a.paced_seconds = 2, 1, 5
    if a.rounds < 1 or not 0 < a.seconds <= 60:
        ap.error("--rounds must be at least 1 and --seconds in (0, 60]")
    return a


def preflight(build):
    if os.geteuid() != 0:
        raise Failure("run as root: the benchmark loads BPF programs")
    if not os.path.isdir("/sys/kernel/tracing/events"):
        subprocess.run(["mount", "-t", "tracefs", "tracefs", "/sys/kernel/tracing"], check=False)
    for b in ["sockscope", "bench/floor/floor_loader", "bench/workloads/bench_pair", "bench/replay_bench"]:
        if not os.access(os.path.join(build, b), os.X_OK):
            raise Failure(f"{os.path.join(build, b)} is missing: build first (cmake --build {build})")


def tier_hooks(build, tiers):
    return subprocess.run([os.path.join(build, "bench/floor/floor_loader"), "--list", "--tier", tiers],
                          capture_output=True, text=True, check=True).stdout.split()


def make_condition(name, build, hooks):
    return {
        "none": lambda: C.NoTracing(),
        "floor": lambda: C.Floor(build),
        "record": lambda: C.Record(build),
        "top": lambda: C.Top(build),
        # sockscope on the workload's CPU: its own work competes with the app
        "shared": lambda: C.Record(build, "shared", cpu=W.WORKLOAD_CPU),
        "floor:syscalls": lambda: C.Floor(build, "syscalls"),
        "syscalls": lambda: C.Record(build, "syscalls", ["--detail", "syscalls"]),
        "bpftrace:syscalls": lambda: C.Bpftrace(hooks["syscalls"], "bpftrace:syscalls"),
        "floor:packets": lambda: C.Floor(build, "packets"),
        "packets": lambda: C.Record(build, "packets", ["--detail", "packets"]),
        "bpftrace:packets": lambda: C.Bpftrace(hooks["packets"], "bpftrace:packets"),
        "detail": lambda: C.Record(build, "detail", ["--detail", "calls,packets", "--sample-interval-ms", "0",
                                                     "--journey-rate", "0"]),
        "bpftrace": lambda: C.Bpftrace(hooks["all"]),
        "tcpstates+tcplife": lambda: C.LibbpfTools(),
    }[name]()


def one(wl, cond, rnd):
    cond.start()
    try:
        if WARMUP_S:
            # the same load first, unmeasured: sockscope's start-up (its
            # first pass over what earlier rounds left, its table growing
            # to the load's steady size) is then not in the round
            measured = wl.seconds
            wl.seconds = WARMUP_S
            try:
                wl.run()
            finally:
                wl.seconds = measured
        cond.mark()
        t0 = time.monotonic()
        value, raw = wl.run()
        seconds = time.monotonic() - t0
    finally:
        st = cond.stop()
    row = {"workload": wl.name, "condition": cond.name, "round": rnd, "value": value, "seconds": seconds,
           "ready_s": getattr(cond, "ready_s", None), "raw": raw}
    row.update(st)
    return row


def rounds(wls, conds, n, log):
    rows = []
    for wl in wls:
        for rnd in range(n):
            for cond in conds:
                row = one(wl, cond, rnd)
                rows.append(row)
                log(f"{wl.name} round {rnd + 1}/{n} {cond.name}: {report.fmt_num(row['value'])}"
                    + (f", events {row['events']}, lost {row.get('lost', '–')}" if row.get("events") is not None else ""))
    return rows


def paced_phase(build, seconds, rates, hooks, log, down=(15000, 10000, 5000)):
    """Churn paced at each rate for `seconds` under record (and none, for the
    rate the host reaches alone): up from the first rate while nothing is
    lost and the rate is reached, or, when the first rate already loses,
    down until a rate that loses nothing."""
    rows = []

    def run(rate):
        got = rounds([Churn(build, seconds, rate=rate)], [make_condition(c, build, hooks) for c in ("none", "record")],
                     1, log)
        for r in got:
            r["rate"] = rate
        rows.extend(got)
        rec = [r for r in got if r["condition"] == "record"][0]
        return (rec.get("lost") or 0) == 0 and rec["value"] >= 0.95 * rate

    if run(rates[0]):
        for rate in rates[1:]:
            if not run(rate):
                break
    else:
        for rate in down:
            if run(rate):
                break
    return rows


def highest_zero_loss(paced):
    """The highest paced rate record held without loss, and what it reached."""
    best = None
    for r in paced:
        if r["condition"] == "record" and (r.get("lost") or 0) == 0 and r["value"] >= 0.95 * r["rate"]:
            if best is None or r["value"] > best["value"]:
                best = r
    return best


def idle_cpu(pid, seconds=20):
    """Percent of one core a process used over `seconds` of idle sockets."""
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    c1 = cpu_seconds(pid)
    return None if c0 is None or c1 is None else 100 * (c1 - c0) / seconds


def rss_phase(build, counts, log):
    """sockscope's resident memory with many live sockets, for record and top:
    the highest RSS seen once its count of sockets stops changing; then, for
    record, its CPU over 20 s of those sockets idle, at the default interval."""
    out = []
    # the churn phases leave up to the kernel's limit of TIME_WAIT sockets,
    # which sockscope would count as live ones: wait out their 60 s
    t0 = time.monotonic()
    while time.monotonic() - t0 < 75:
        tw = subprocess.run(["ss", "-Htan", "state", "time-wait"], capture_output=True, text=True).stdout.count("\n")
        if tw < 500:
            break
        time.sleep(2)
    for n in counts:
        # one process may not hold them all (RLIMIT_NOFILE, often 20000 without
        # CAP_SYS_RESOURCE): spread them over processes of at most 16000. The
        # listeners sit below the ephemeral range, which the clients fill.
        k = -(-n // 16000)
        each = [2 * (n // (2 * k))] * k
        each[-1] += n - sum(each)
        holds = []
        try:
            for i, m in enumerate(each):
                holds.append(Proc([os.path.join(build, "bench/workloads/bench_hold"), "--sockets", str(m),
                                   "--seconds", "300", "--port", str(30000 + 10 * i)], "bench_hold",
                                  ready=r'"workload"', ready_stream="stdout", timeout=240))
            for cond in (C.Record(build), C.Top(build)):
                cond.start()
                pid = cond.tracer_pid
                peak, last, steady_since, t0 = 0, None, time.monotonic(), time.monotonic()
                while time.monotonic() - t0 < 60 and time.monotonic() - steady_since < 5:
                    r = rss_kib(pid) or 0
                    peak = max(peak, r)
                    if last is None or abs(r - last) > 1024:
                        steady_since, last = time.monotonic(), r
                    time.sleep(0.25)
                cpu = idle_cpu(pid) if cond.name == "record" else None
                cond.mark()
                cond.stop()
                out.append({"sockets": n, "condition": cond.name, "rss_mib": peak / 1024, "idle_cpu_pct": cpu})
                log(f"RSS with {n} sockets, {cond.name}: {peak / 1024:.0f} MiB"
                    + ("" if cpu is None else f", idle CPU {cpu:.1f} % of a core"))
        finally:
            for h in holds:
                h.stop(timeout=120)
    return out


def replay_phase(build):
    r = subprocess.run([os.path.join(build, "bench/replay_bench")], capture_output=True, text=True, timeout=600)
    return r.stdout.strip()


def budget(summary, paced, pm, rss):
    """The budget of docs/performance.md, each line measured by this run."""
    def cost(wl, c):
        try:
            return summary[wl]["conditions"][c]["cost"]["median"]
        except (KeyError, TypeError):
            return None

    rows = []

    def check(what, measured, limit, ok):
        rows.append({"check": what, "measured": measured, "budget": limit, "met": ok})

    for wl, limit in (("pair", 0.03), ("stream", 0.02), ("udp", 0.05), ("churn", 0.10)):
        c = cost(wl, "record")
        if c is None:
            continue
        f = cost(wl, "floor")
        # stream: the floor's cost where that is higher (the hooks' bare price)
        lim = max(limit, f) if wl == "stream" and f is not None else limit
        check(f"{wl}: cost of the default tier (record)", f"{c * 100:+.1f} %", f"≤ {lim * 100:.1f} %", c <= lim)
    c = cost("churn", "shared")
    if c is not None:
        check("churn: default tier on the workload's CPU (shared)", f"{c * 100:+.1f} %", "≤ 15 %", c <= 0.15)
    at20 = [r for r in paced if r["condition"] == "record" and r["rate"] == 20000]
    if at20:
        r = at20[0]
        check(f"churn paced at 20k conn/s for {r['seconds']:.0f} s: events lost",
              f"{r.get('lost')} (at {report.fmt_num(r['value'])} conn/s)", "0", r.get("lost") == 0)
    best = highest_zero_loss(paced)
    if best:
        check(f"highest paced churn with no loss over {best['seconds']:.0f} s",
              f"{report.fmt_num(best['value'])} conn/s", "(reported)", None)
    for r in rss:
        if r.get("idle_cpu_pct") is not None:
            lim = {10000: 2.0, 100000: 10.0}.get(r["sockets"])
            check(f"record's CPU with {r['sockets']} idle sockets", f"{r['idle_cpu_pct']:.1f} % of a core",
                  "(reported)" if lim is None else f"< {lim:g} %", None if lim is None else r["idle_cpu_pct"] < lim)
    for tier, bpft in (("syscalls", "bpftrace:syscalls"), ("packets", "bpftrace:packets"), ("detail", "bpftrace")):
        for wl in ("pair", "churn", "udp", "stream"):
            s, b = cost(wl, tier), cost(wl, bpft)
            if s is not None and b is not None:
                check(f"{wl}: {tier} cheaper than {bpft}", f"{s * 100:+.1f} % vs {b * 100:+.1f} %", "<", s < b)
    for w in ("pair", "churn"):
        s, f = pm.get(f"sockscope, {w}"), pm.get(f"floor, {w}")
        if s and f and s["calls"] and f["calls"]:
            r = (s["ns_total"] / s["calls"]) / (f["ns_total"] / f["calls"])
            check(f"ns per program call, sockscope / floor (bpf_stats, {w})", f"{r:.2f}×", "(reported)", None)
    return rows


def main():
    a = parse_args()
    global WARMUP_S
    WARMUP_S = a.warmup
    build = os.path.abspath(a.build)
    log = lambda m: print(f"[{time.strftime('%H:%M:%S')}] {m}", file=sys.stderr, flush=True)  # noqa: E731
    try:
        preflight(build)
        # bpftrace counts on the hooks the sockscope condition it is set
        # against has attached: a detail tier runs on top of the default
        # tier, so its bpftrace peer counts on both (as "bpftrace" does
        # for "detail")
        hooks = {t: tier_hooks(build, f"default,{t}") for t in ("syscalls", "packets")}
        hooks["all"] = tier_hooks(build, "default,syscalls,packets")
        wls = [ALL[w](build, a.seconds) for w in a.workloads.split(",") if w]
        conds = [make_condition(c, build, hooks) for c in a.conditions.split(",") if c]
        skip = set(a.skip.split(","))
        started = datetime.datetime.now()
        rows = rounds(wls, conds, a.rounds, log)
        summary = report.summarise(rows, wls)
        paced = []
        if "paced" not in skip and "churn20k" not in skip:
            paced = paced_phase(build, a.paced_seconds, [int(x) for x in a.paced_rates.split(",")], hooks, log)
    except Failure as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    # later phases: a failure is reported and the table still printed
    failed = []
    pm, rss, replay = {}, [], ""
    try:
        if "probes" not in skip:
            for w in filter(None, a.probe_workloads.split(",")):
                wl = ALL[w](build, a.seconds)
                pm[f"sockscope, {w}"] = probe_cost.measure(C.Record(build), wl)
                pm[f"floor, {w}"] = probe_cost.measure(C.Floor(build), wl)
    except Failure as e:
        failed.append(f"per-program cost: {e}")
    try:
        if "rss" not in skip:
            rss = rss_phase(build, [1000, 10000] if a.quick else [1000, 10000, 100000], log)
    except Failure as e:
        failed.append(f"RSS: {e}")
    if "replay" not in skip:
        replay = replay_phase(build)

    startup = report.spread([r["ready_s"] for r in rows if r["condition"] == "record"])
    floor_startup = report.spread([r["ready_s"] for r in rows if r["condition"] == "floor"])
    print(f"# sockscope overhead, {started:%Y-%m-%d %H:%M}\n")
    print(f"Kernel {platform.release()}, {os.cpu_count()} CPUs; {a.rounds} rounds of {a.seconds:g} s; "
          f"workloads on CPU 0, tracers on CPU 1.\n")
    print(report.table(summary))
    if paced:
        print(f"\nChurn paced, {a.paced_seconds:g} s at each rate (one run each):\n")
        print("| requested conn/s | condition | reached conn/s | events/s | lost |\n|---|---|---|---|---|")
        for r in paced:
            ev = "–" if r.get("events") is None else report.fmt_num(r["events"] / r["seconds"])
            print(f"| {r['rate']} | {r['condition']} | {report.fmt_num(r['value'])} | {ev} | "
                  f"{r.get('lost', '–') if r['condition'] != 'none' else '–'} |")
    print("\n## Budget\n\n| check | measured | budget | met |\n|---|---|---|---|")
    for b in budget(summary, paced, pm, rss):
        met = "–" if b["met"] is None else ("yes" if b["met"] else "**no**")
        print(f"| {b['check']} | {b['measured']} | {b['budget']} | {met} |")
    print("\n## Start-up to all probes attached\n")
    print(f"sockscope record: {report.fmt_spread(startup)} s; floor loader: {report.fmt_spread(floor_startup)} s")
    if rss:
        print("\n## Memory and idle CPU with many live sockets\n\n"
              "| sockets | sockscope | RSS (MiB) | CPU, % of a core |\n|---|---|---|---|")
        for r in rss:
            cpu = "–" if r.get("idle_cpu_pct") is None else f"{r['idle_cpu_pct']:.1f}"
            print(f"| {r['sockets']} | {r['condition']} | {r['rss_mib']:.0f} | {cpu} |")
    for name, m in pm.items():
        print(f"\n## Per-program cost ({name})\n")
        print(probe_cost.table(name, m))
    if replay:
        print(f"\n## Replay\n\n```\n{replay}\n```")
    for f in failed:
        print(f"\n**Phase failed**: {f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rows": rows, "summary": summary, "paced": paced, "probe_cost": pm, "rss": rss,
                       "replay": replay}, f, indent=1, default=str)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
