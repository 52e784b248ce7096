#!/usr/bin/env python3
"""What one iterator pass costs per socket (docs/performance.md, "Sampling
cost"): sockscope reads every socket the kernel has once per
--sample-interval, so its cost grows with the socket table.

    sudo bench/pass_cost.py --build build [--sockets 18000] [--seconds 20]

bench_hold opens --sockets idle loopback sockets (both ends of
connections, and their listeners). sockscope `list` then runs --seconds at a fast and a slow
interval, twice each, alternated; its CPU time (user + system, from
wait4) at the fast one less the slow one, divided by the extra passes and
the sockets, is the whole cost of a pass per socket: the BPF programs, the
kernel's seq_file, read(), decoding and the model. The BPF programs' own
share comes from kernel.bpf_stats_enabled (run_time_ns / run_cnt: one run
per socket, or per fd for the files pass).
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from overhead import probe_cost  # noqa: E402


def run_sockscope(binary, seconds, interval):
    """CPU seconds (user + system, and system alone) of one `list` run, and
    the iterator programs' run counts and times."""
    before = set(probe_cost.programs())
    p = subprocess.Popen([binary, "list", "--duration", str(seconds), "--sample-interval", str(interval)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # the programs it loaded, read while it runs (bpf_stats is on)
    time.sleep(min(seconds / 2, 5))
    ids = set(probe_cost.programs()) - before
    time.sleep(seconds / 2 - min(seconds / 2, 5) + 0.5)
    progs = probe_cost.programs()
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"sockscope failed: {err}")
    iters = {progs[i]["name"]: (progs[i].get("run_cnt", 0), progs[i].get("run_time_ns", 0))
             for i in ids if i in progs and progs[i].get("name", "").startswith("ss_iter")}
    return ru.ru_utime + ru.ru_stime, iters, ru.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--sockets", type=int, default=18000, help="sockets bench_hold opens (default 18000)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--fast", type=float, default=0.1, help="the fast --sample-interval (default 0.1 s)")
    ap.add_argument("--slow", type=float, default=10, help="the slow one (default 10 s)")
    a = ap.parse_args()
    binary = os.path.join(a.build, "sockscope")
    hold = subprocess.Popen([os.path.join(a.build, "bench/workloads/bench_hold"), "--sockets", str(a.sockets),
                             "--seconds", str(8 * a.seconds + 60)], stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(hold.stdout.readline())
        with probe_cost.bpf_stats():
            runs = {}
            for rnd in range(2):
                for interval in (a.fast, a.slow):
                    runs.setdefault(interval, []).append(run_sockscope(binary, a.seconds, interval))
    finally:
        hold.terminate()
        hold.wait()
    cpu = {i: sum(r[0] for r in v) / len(v) for i, v in runs.items()}
    sys_cpu = {i: sum(r[2] for r in v) / len(v) for i, v in runs.items()}
    passes = {i: a.seconds / i for i in runs}
    sockets = a.sockets
    per_pass = (cpu[a.fast] - cpu[a.slow]) / (passes[a.fast] - passes[a.slow])
    print(f"bench_hold: {ready}")
    print(f"sockets held: {sockets}; {a.seconds} s per run, 2 runs per interval")
    for i in (a.fast, a.slow):
        print(f"  --sample-interval {i}: {cpu[i]:.2f} s CPU ({sys_cpu[i]:.2f} s in the kernel), {passes[i]:.0f} passes")
    sys_per_pass = (sys_cpu[a.fast] - sys_cpu[a.slow]) / (passes[a.fast] - passes[a.slow])
    print(f"one pass: {per_pass * 1e3:.2f} ms CPU in sockscope, {per_pass / sockets * 1e9:.0f} ns per socket "
          f"({sys_per_pass / sockets * 1e9:.0f} ns of it in the kernel)")
    for name in sorted({n for v in runs.values() for r in v for n in r[1]}):
        cnt = sum(r[1].get(name, (0, 0))[0] for v in runs.values() for r in v)
        ns = sum(r[1].get(name, (0, 0))[1] for v in runs.values() for r in v)
        if cnt:
            print(f"  {name}: {cnt} runs, {ns / cnt:.0f} ns per run (BPF program only)")


if __name__ == "__main__":
    main()
