"""What each BPF program costs per call, from the kernel's own accounting
(kernel.bpf_stats_enabled), turned on only while measuring."""
import contextlib
import json
import subprocess

STATS = "/proc/sys/kernel/bpf_stats_enabled"


def programs():
    out = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True, check=True).stdout
    return {p["id"]: p for p in json.loads(out)}


@contextlib.contextmanager
def bpf_stats():
    with open(STATS) as f:
        before = f.read().strip()
    with open(STATS, "w") as f:
        f.write("1")
    try:
        yield
    finally:
        with open(STATS, "w") as f:
            f.write(before)


def measure(condition, workload):
    """Runs the workload once under the condition with bpf_stats on; returns
    per-program calls and ns per call for the programs the condition loaded."""
    before = set(programs())
    with bpf_stats():
        condition.start()
        try:
            ids = set(programs()) - before
            value, _ = workload.run()
            progs = programs()
        finally:
            condition.stop()
    rows = []
    for i in sorted(ids):
        p = progs.get(i)
        if not p or not p.get("run_cnt"):
            continue
        rows.append({"name": p.get("name", "?"), "calls": p["run_cnt"], "ns_total": p["run_time_ns"],
                     "ns_per_call": p["run_time_ns"] / p["run_cnt"]})
    rows.sort(key=lambda r: -r["ns_total"])
    return {"value": value, "programs": rows, "calls": sum(r["calls"] for r in rows),
            "ns_total": sum(r["ns_total"] for r in rows)}


def table(name, m, top=12):
    calls, ns = m["calls"], m["ns_total"]
    lines = [f"{name}: {calls} calls, {ns / max(calls, 1):.0f} ns per call on average, "
             f"{ns / 1e6:.1f} ms in all", "", "| program | calls | ns per call | share of time |", "|---|---|---|---|"]
    for r in m["programs"][:top]:
        lines.append(f"| {r['name']} | {r['calls']} | {r['ns_per_call']:.0f} | {100 * r['ns_total'] / max(ns, 1):.0f} % |")
    return "\n".join(lines)
