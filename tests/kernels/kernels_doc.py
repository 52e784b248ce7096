"""docs/kernels.md from the kernel matrix's results files (matrix.py --doc):
which probe attaches on which kernel, with the kernel's reason where it
does not, and which smoke tests pass. Nothing in the tables is written by
hand."""
import difflib
import glob
import json
import os
import re


# What each probe gives, so that a missing one says what a user loses on
# that kernel (descriptions, not results: the results come from the runs).
GIVES = {
    "ss_cg_connect4": "connect() with its owner and time (IPv4)",
    "ss_cg_connect6": "connect() with its owner and time (IPv6)",
    "ss_cg_post_bind4": "bind() and the local address (IPv4)",
    "ss_cg_post_bind6": "bind() and the local address (IPv6)",
    "ss_cg_setsockopt": "socket options the application set",
    "ss_cg_sock_create": "socket creation with its owner",
    "ss_cg_sock_release": "the socket's close, with its owner",
    "ss_exceed_buf": "refusals by the protocol's memory limit",
    "ss_iter_files": "which process holds each socket, and its fd",
    "ss_iter_tcp": "every TCP socket's queues, counters and state each interval",
    "ss_iter_udp": "every UDP socket's queues and counters each interval",
    "ss_kfree_skb": "packet drops with the kernel's reason",
    "ss_rcvqueue_full": "refusals by a full receive buffer",
    "ss_receive_reset": "resets received",
    "ss_retransmit": "retransmitted segments",
    "ss_retransmit_synack": "retransmitted SYN-ACKs",
    "ss_send_reset": "resets sent",
    "ss_tcp_state": "every TCP state change, with its time and task",
    "ss_udp_fail_queue": "UDP datagrams the socket could not queue",
    "ss_data_ready": "packets tier: when data reached the socket",
    "ss_dev_queue": "packets tier: transmit queueing per device",
    "ss_dev_xmit": "packets tier: transmits per device",
    "ss_gro_frags": "packets tier: GRO receive (frags) per device",
    "ss_gro_receive": "packets tier: GRO receive per device",
    "ss_napi_poll": "packets tier: NAPI polls and budget use",
    "ss_netif_rx": "packets tier: netif_rx receive per device",
    "ss_receive_list_entry": "packets tier: list receive per device",
    "ss_receive_skb_entry": "packets tier: receive per device",
    "ss_recv_length": "packets tier: bytes of every receive call, high-water marks",
    "ss_send_length": "packets tier: bytes of every send call, high-water marks",
    "ss_skb_copy": "packets tier: each packet's journey to the reader",
    "ss_tcp_probe": "packets tier: TCP window and queue at each segment",
    "ss_sys_enter": "syscalls tier: calls with their fds and blocking time",
    "ss_sys_exit": "syscalls tier: calls with their fds and blocking time",
}


def _version_key(result):
    rel = result.get("release") or ""
    nums = []
    for part in rel.replace("-", ".").replace("+", ".").split("."):
        if not part.isdigit():
            break
        nums.append(int(part))
    return nums


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def _results(cache):
    results = []
    for f in glob.glob(os.path.join(cache, "results-*.json")):
        with open(f) as fh:
            results.append(json.load(fh))
    results.sort(key=_version_key)
    return results


def write_doc(cache, path):
    results = _results(cache)
    if not results:
        print(f"kmatrix: no results in {cache}: run the matrix first")
        return 2
    with open(path, "w") as f:
        f.write(render(results))
    print(f"kmatrix: wrote {path} from {len(results)} results")
    return 0


def _normalized(text):
    """What must not change between runs that found the same: the kernels'
    exact releases and packages, and the dates, may."""
    text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "DATE", text)
    text = re.sub(r"linux-image-\S+?-cloud-amd64", "PACKAGE", text)
    text = re.sub(r"\d+\.\d+\.\d+[-+][\w.+-]*?-cloud-amd64", "RELEASE", text)
    text = re.sub(r"\((?:\d+\.\d+[^ ()|]*)\)", "(RELEASE)", text)
    return text


def check_doc(cache, path):
    """0 when the doc says what these results say (releases and dates
    aside), else 1 with the difference."""
    results = _results(cache)
    if not results:
        print(f"kmatrix: no results in {cache}: run the matrix first")
        return 2
    with open(path) as f:
        have = _normalized(f.read()).splitlines()
    want = _normalized(render(results)).splitlines()
    if have == want:
        print(f"kmatrix: {path} says what this run found ({len(results)} kernels)")
        return 0
    print(f"kmatrix: {path} does not say what this run found: run the matrix, then --doc. The difference:")
    for line in difflib.unified_diff(have, want, path, "this run", lineterm="", n=1):
        print(line)
    return 1


def render(results):
    """docs/kernels.md's text from the results, oldest kernel first."""
    heads = [f"{r['series'] if r['series'] != 'host' else 'this host'} ({r['release']})" for r in results]
    lines = [
        "# Kernels",
        "",
        "Generated by `tests/kernels/matrix.py --doc` from the kernel matrix's",
        "results (`tests/kernels/matrix.py`: each kernel booted under qemu, the",
        "smoke suite run in it as root; `--host` runs the same on this host).",
        "Do not edit by hand: run the matrix, then `--doc`.",
        "",
        "| kernel | package | date | result | smoke tests passed |",
        "|---|---|---|---|---|",
    ]
    for r, h in zip(results, heads):
        ok = sum(t["passed"] for t in r["tests"])
        lines.append(f"| {h} | {r['package']} | {r['date']} | {'pass' if r['passed'] else 'FAIL'} | "
                     f"{ok} of {len(r['tests'])} |")
    lines += ["", "## Probes", "",
              "Each probe of each tier: whether it attached, and the kernel's or the loader's",
              "reason where it did not. *Lowest* is the oldest kernel here from which on it",
              "attaches on every newer one (the oldest here, 6.1, may not be the oldest that",
              "works); *gives* is what a user loses where it does not attach.", ""]
    lines.append("| tier | probe | hook | gives | " + " | ".join(heads) + " | lowest |")
    lines.append("|---|---|---|---|" + "---|" * len(heads) + "---|")
    programs = {}
    for r in results:
        for p in r["probes"]:
            programs.setdefault(p["program"], p)
    order = {"default": 0, "packets": 1, "calls": 2, "syscalls": 3}
    for name, p in sorted(programs.items(), key=lambda kv: (order.get(kv[1]["tier"], 9), kv[0])):
        cells, lowest = [], None
        for r, h in zip(results, heads):
            q = next((x for x in r["probes"] if x["program"] == name), None)
            if q is None:
                cells.append("–")
                lowest = None
            elif q["attached"]:
                cells.append("yes")
                if lowest is None:
                    lowest = r["release"] if r["series"] == "host" else r["series"]
            else:
                cells.append("no: " + _cell(q["reason"] or ("off" if q.get("off") else "?")))
                lowest = None
        lines.append(f"| {p['tier']} | `{name}` | `{p['target']}` | {GIVES.get(name, '')} | " + " | ".join(cells) +
                     f" | {lowest or 'none here'} |")
    lines += ["", "## What sockscope does differently", "",
              "The loader's notes at start-up on each kernel: what it chose, by asking the kernel (its BTF, "
              "a helper or kfunc it has), and what a user loses there.", ""]
    for r, h in zip(results, heads):
        notes = r.get("notes") or []
        lines.append(f"- **{h}**:" + ("" if notes else " nothing: every feature as designed"))
        for n in notes:
            lines.append(f"  - {_cell(n)}")
    lines += ["", "## Smoke tests", ""]
    lines.append("| test | " + " | ".join(heads) + " |")
    lines.append("|---|" + "---|" * len(heads))
    names = []
    for r in results:
        for t in r["tests"]:
            if t["name"] not in names:
                names.append(t["name"])
    for n in names:
        cells = []
        for r in results:
            t = next((x for x in r["tests"] if x["name"] == n), None)
            cells.append("–" if t is None else ("pass" if t["passed"] else "FAIL"))
        lines.append(f"| {_cell(n)} | " + " | ".join(cells) + " |")
    skipped = [(h, sk) for h, r in zip(heads, results) for sk in r.get("skipped", [])]
    if skipped:
        lines += ["", "Left out where the kernel cannot run what they need (– above):", ""]
        for h, sk in skipped:
            lines.append(f"- {h}: tests tagged `{sk['tests']}`: {_cell(sk['why'])}")
    failing = [(h, r) for h, r in zip(heads, results) if not r["passed"]]
    if failing:
        lines += ["", "## Why a kernel fails", ""]
        for h, r in failing:
            lines.append(f"- **{h}**:")
            for reason in r["reasons"][:8]:
                lines.append(f"  - {_cell(reason)[:400]}")
    return "\n".join(lines) + "\n"
