"""Summaries of the rounds and the side-by-side table."""
import statistics


def spread(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def cost(value, base, higher_is_better):
    """What a condition costs against no tracing in the same round: extra time
    for latency, lost throughput for rates; as a fraction."""
    if higher_is_better:
        return 1.0 - value / base
    return value / base - 1.0


def summarise(rows, workloads):
    """rows: one per (workload, round, condition). Ratios are computed pair by
    pair: each condition against no tracing in the same round."""
    out = {}
    for wl in workloads:
        base = {r["round"]: r["value"] for r in rows if r["workload"] == wl.name and r["condition"] == "none"}
        conds = []
        for r in rows:
            if r["workload"] == wl.name and r["condition"] not in conds:
                conds.append(r["condition"])
        per = {}
        for c in conds:
            rs = [r for r in rows if r["workload"] == wl.name and r["condition"] == c]
            costs = [cost(r["value"], base[r["round"]], wl.higher_is_better) for r in rs if r["round"] in base]
            ev = [r["events"] / r["seconds"] for r in rs if r.get("events") is not None and r.get("seconds")]
            cpe = [r["cpu_s"] * 1e9 / r["events"] for r in rs if r.get("cpu_s") is not None and r.get("events")]
            lost = [r["lost"] for r in rs if r.get("lost") is not None]
            per[c] = {
                "value": spread([r["value"] for r in rs]),
                "cost": spread(costs) if c != "none" else None,
                "events_per_s": spread(ev),
                "lost_total": sum(lost) if lost else None,
                "cpu_ns_per_event": spread(cpe),
                "cpu_s": spread([r.get("cpu_s") for r in rs]),
            }
        out[wl.name] = {"unit": wl.unit, "higher_is_better": wl.higher_is_better, "conditions": per}
    return out


def fmt_num(x):
    if x is None:
        return "–"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.1f}k"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.2f}"


def fmt_spread(s, pct=False):
    if not s:
        return "–"
    f = (lambda v: f"{v * 100:+.1f} %") if pct else fmt_num
    return f"{f(s['median'])} ({f(s['min'])} … {f(s['max'])})"


def table(summary):
    lines = ["| workload | condition | result, median (min … max) | cost vs none, pair by pair | "
             "events/s | lost | tracer CPU ns/event |", "|---|---|---|---|---|---|---|"]
    for wl, s in summary.items():
        for c, v in s["conditions"].items():
            lines.append("| {} | {} | {} | {} | {} | {} | {} |".format(
                f"{wl} ({s['unit']})", c, fmt_spread(v["value"]), fmt_spread(v["cost"], pct=True),
                fmt_num(v["events_per_s"]["median"]) if v["events_per_s"] else "–",
                "–" if v["lost_total"] is None else v["lost_total"],
                fmt_num(v["cpu_ns_per_event"]["median"]) if v["cpu_ns_per_event"] else "–"))
    return "\n".join(lines)
