#!/usr/bin/env python3
"""The kernel matrix: sockscope's smoke suite on the kernels users run.

For each kernel series asked (Debian bookworm's cloud kernels 6.1 and 6.12
by default) it takes the newest package of the series from apt, builds an
initramfs of its own (busybox, the built sockscope and test binaries with
their shared libraries, ss/ip/nstat/nft/bpftool, the kernel's veth and
nftables modules, tests/kernels/guest_init.sh as /init), boots it under
qemu with no network device, and reads back which probes attached (with
the kernel's reasons for those that did not) and the smoke suite's
results. `--host` runs the same suite on the running kernel instead.

    sudo tests/kernels/matrix.py --build build                 # 6.1 and 6.12 under qemu
    sudo tests/kernels/matrix.py --build build --host          # this host's kernel
    tests/kernels/matrix.py --build build --doc docs/kernels.md   # the table, from the results

Each run writes BUILD/kernels/results-SERIES.json; --doc builds
docs/kernels.md from those files alone. Exit 1 when any guest check
failed, with the guest's reasons; 2 on a setup error (no qemu, no kernel
package, a guest that never reported).
"""
import argparse
import datetime
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The smoke suite: integration tests tagged [smoke] (a state sequence on
# both ends, a stopped reader's Recv-Q, bytes, a closed port, drops and
# retransmits through nftables, owners of sockets made before start-up, no
# program left after any exit).
SMOKE_TESTS = "[smoke]"
# Modules the smoke suite loads in the guest: veth pairs, nftables drops, and
# sock_diag for TCP and UDP (without it ss reads /proc/net/tcp and shows no
# tcp_info: no retransmits, no bytes).
MODULES = ["veth", "nf_tables", "nft_reject_inet", "nft_reject_ipv4", "nft_reject_ipv6", "nft_numgen", "nft_ct",
           "inet_diag", "tcp_diag", "udp_diag"]
# Host programs the tests run, with their shared libraries.
TOOLS = ["ss", "ip", "nstat", "nft", "bpftool", "ethtool"]
# Built binaries, kept at their build paths (the tests have them compiled in).
BUILT = ["sockscope", "tests/integration_tests", "tests/churn", "tests/scenario", "tests/busy"]
SERIES = {
    # bookworm's own 6.1: linux-image-6.1.0-57-cloud-amd64
    "6.1": re.compile(r"^linux-image-6\.1\.0-(\d+)-cloud-amd64$"),
    # bookworm's 6.12 (from its security updates): linux-image-6.12.118+deb12-cloud-amd64
    "6.12": re.compile(r"^linux-image-6\.12\.(\d+)\+deb12-cloud-amd64$"),
}


class SetupError(Exception):
    pass


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def newest_package(series):
    """The newest kernel package of a series that apt knows."""
    pat = SERIES[series]

    def known():
        names = subprocess.run(["apt-cache", "pkgnames", "linux-image-"], capture_output=True,
                               text=True).stdout.split()
        return [(int(m.group(1)), n) for n in names if (m := pat.match(n))]

    found = known()
    if not found:
        # a fresh machine whose package lists were never read
        subprocess.run(["apt-get", "update", "-q"], stdout=subprocess.DEVNULL)
        found = known()
    if not found:
        raise SetupError(f"no {series} cloud kernel package known to apt: run apt-get update "
                         f"(looked for {pat.pattern})")
    return max(found)[1]


def fetch_kernel(series, cache):
    """Downloads and unpacks the series' newest package (once); returns
    (release, vmlinuz path, modules dir)."""
    pkg = newest_package(series)
    dest = os.path.join(cache, pkg)
    if not os.path.isdir(os.path.join(dest, "boot")):
        os.makedirs(cache, exist_ok=True)
        dl = tempfile.mkdtemp(dir=cache)
        os.chmod(dl, 0o777)  # apt downloads as its own user, _apt
        try:
            run(["apt-get", "download", "-q", pkg], cwd=dl, stdout=subprocess.DEVNULL)
            deb = [f for f in os.listdir(dl) if f.endswith(".deb")]
            if len(deb) != 1:
                raise SetupError(f"apt-get download {pkg} gave {deb}")
            tmp = dest + ".part"
            shutil.rmtree(tmp, ignore_errors=True)
            run(["dpkg-deb", "-x", os.path.join(dl, deb[0]), tmp])
            # modules.dep comes from the package's postinst: make it here
            for rel in os.listdir(os.path.join(tmp, "lib", "modules")):
                run(["depmod", "-b", tmp, rel])
            os.rename(tmp, dest)
        finally:
            shutil.rmtree(dl, ignore_errors=True)
    vmlinuz = [f for f in os.listdir(os.path.join(dest, "boot")) if f.startswith("vmlinuz-")]
    if len(vmlinuz) != 1:
        raise SetupError(f"{pkg}: expected one vmlinuz in boot/, found {vmlinuz}")
    release = vmlinuz[0][len("vmlinuz-"):]
    return pkg, release, os.path.join(dest, "boot", vmlinuz[0]), os.path.join(dest, "lib", "modules", release)


def shared_libs(path):
    """The shared libraries a binary loads (ldd), the loader included."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def copy_in(stage, path):
    """Copies path into the stage at the same absolute path, following a
    symlink to its target (kept as a link too)."""
    dst = stage + path
    if os.path.exists(dst):
        return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(path):
        real = os.path.realpath(path)
        copy_in(stage, real)
        os.symlink(real, dst)
    else:
        shutil.copy2(path, dst)


def module_closure(moddir, wanted):
    """The .ko files of the wanted modules and what they depend on, from
    the kernel's own modules.dep, each after its dependencies (the order
    insmod needs); missing modules are skipped (a kernel may build one
    in)."""
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            ko, _, rest = line.partition(":")
            deps[ko] = rest.split()
    by_name = {re.sub(r"\.ko(\.[a-z]+)?$", "", os.path.basename(k)).replace("-", "_"): k for k in deps}
    order = []

    def visit(k):
        if k in order:
            return
        for d in deps.get(k, []):
            visit(d)
        order.append(k)

    for w in wanted:
        if w in by_name:
            visit(by_name[w])
    return order


def build_initramfs(build, release, moddir, tests, out):
    """An uncompressed newc cpio (the kernel unpacks it fastest under
    emulation) with everything the guest runs."""
    stage = tempfile.mkdtemp(prefix="kmatrix-")
    try:
        for d in ["bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "run", "etc", "root"]:
            os.makedirs(os.path.join(stage, d), exist_ok=True)
        busybox = shutil.which("busybox")
        if not busybox:
            raise SetupError("busybox is not installed (packaging/install-deps.sh kernels installs busybox-static)")
        shutil.copy2(busybox, os.path.join(stage, "bin", "busybox"))
        shutil.copy2(os.path.join(HERE, "guest_init.sh"), os.path.join(stage, "init"))
        # /bin/sh is dash, as on the host: busybox's shell runs its own
        # applets (ip, sysctl...) before any program on PATH, and the tests'
        # commands need iproute2's
        dash = shutil.which("dash")
        if not dash:
            raise SetupError("dash is not installed")
        shutil.copy2(dash, os.path.join(stage, "bin", "sh"))
        for lib in shared_libs(dash):
            copy_in(stage, lib)
        bins = [os.path.join(build, b) for b in BUILT]
        for b in bins:
            if not os.access(b, os.X_OK):
                raise SetupError(f"{b} is not built")
        for t in TOOLS:
            p = shutil.which(t)
            if p:
                bins.append(os.path.realpath(p))
                if os.path.realpath(p) != p:
                    copy_in(stage, p)
        for b in bins:
            copy_in(stage, b)
            for lib in shared_libs(b):
                copy_in(stage, lib)
        # the guest's /usr/sbin/bpftool may be Debian's wrapper script: its
        # real binary is under /usr/lib/linux-tools-*; both came with ldd
        # modules go in plain (6.12's are .ko.xz), loaded with insmod in
        # dependency order: busybox's modprobe needs neither then
        kos = []
        for ko in module_closure(moddir, MODULES):
            plain = re.sub(r"\.xz$", "", ko)
            dst = os.path.join(stage, "lib", "modules", release, plain)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(os.path.join(moddir, ko), "rb") as src, open(dst, "wb") as plain_f:
                plain_f.write(lzma.decompress(src.read()) if ko.endswith(".xz") else src.read())
            kos.append(os.path.join("/lib/modules", release, plain))
        with open(os.path.join(stage, "etc", "kmatrix-modules"), "w") as f:
            f.write("\n".join(kos) + "\n")
        with open(os.path.join(stage, "etc", "kmatrix-tests"), "w") as f:
            f.write(tests)
        with open(os.path.join(stage, "etc", "kmatrix-build"), "w") as f:
            f.write(build)
        with open(os.path.join(stage, "etc", "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\n")
        with open(os.path.join(stage, "etc", "group"), "w") as f:
            f.write("root:x:0:\n")
        names = subprocess.run(["find", "."], cwd=stage, capture_output=True, text=True, check=True).stdout
        with open(out, "wb") as f:
            subprocess.run(["cpio", "--quiet", "-o", "-H", "newc"], cwd=stage, input=names.encode(), stdout=f,
                           check=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def qemu_command(vmlinuz, initrd, results, accel, cpus, mem_mb):
    if not shutil.which("qemu-system-x86_64"):
        raise SetupError("qemu-system-x86_64 is not installed (packaging/install-deps.sh kernels installs it)")
    # TCG with one host thread for all vCPUs: with one thread per vCPU
    # (thread=multi), a 6.12 guest takes int3 traps in code the kernel is
    # patching (static keys, when a tracepoint is switched on or early in
    # boot) and panics, as cross-modified code is not kept coherent there
    acc = ["-accel", "kvm", "-cpu", "host"] if accel == "kvm" else ["-accel", "tcg,thread=single", "-cpu", "max"]
    return ["qemu-system-x86_64", *acc, "-smp", str(cpus), "-m", str(mem_mb), "-nodefaults", "-display", "none",
            "-no-reboot", "-nic", "none", "-kernel", vmlinuz, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 quiet loglevel=4",
            "-serial", "stdio", "-serial", f"file:{results}"]


def parse_results(text):
    """The guest's result lines (guest_init.sh) as a dict."""
    res = {"kernel": None, "meta": None, "junit": None, "leftover": None, "end": None}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        key, _, val = line.partition("\t")
        if line == "junit-begin":
            j = i + 1
            while j < len(lines) and lines[j].rstrip("\r") != "junit-end":
                j += 1
            res["junit"] = "\n".join(lines[i + 1:j])
            i = j
        elif key == "meta" and val:
            try:
                # the guest cut the line out of a binary file with strings:
                # the JSON object, and maybe printable bytes after it
                res.setdefault("metas", []).append(json.JSONDecoder().raw_decode(val)[0])
                res["meta"] = res["metas"][0]
            except ValueError as e:
                res["meta_error"] = str(e)
        elif key == "note":
            res.setdefault("notes", []).append(val)
        elif key in ("kernel", "leftover", "end"):
            res[key] = val
        elif key == "skipped":
            tag, _, why = val.partition("\t")
            res.setdefault("skipped", []).append({"tests": tag, "why": why})
        i += 1
    return res


def junit_cases(xml_text):
    """[(name, passed, message)] from a Catch2 JUnit report."""
    cases = []
    if not xml_text:
        return cases
    root = ET.fromstring(xml_text)
    for tc in root.iter("testcase"):
        name = tc.get("name", "")
        bad = [e for e in tc if e.tag in ("failure", "error")]
        msg = "; ".join(((e.get("message") or "") + " " + (e.text or "")).strip() for e in bad)
        cases.append((name, not bad, msg[:12000]))
    return cases


def summarize(series, release, package, res, console_tail, seconds):
    """The run's results file, and the reasons for any failure."""
    # each probe as the run that asked for it saw it (a probe "off" in one
    # run, its tier not asked or replaced, comes from the other)
    by_name = {}
    for meta in res.get("metas", []):
        for p in meta.get("probes", []):
            if p.get("program") not in by_name or (by_name[p["program"]]["off"] and not p.get("off")):
                by_name[p["program"]] = {k: p.get(k) for k in ("program", "target", "tier", "attached", "reason", "off")}
    probes = list(by_name.values())
    cases = junit_cases(res.get("junit"))
    reasons = []
    if res.get("end") is None:
        reasons.append("the guest never finished (no end line): see its console below")
    elif res["end"] != "0":
        reasons.append(f"the guest's suite ended with rc={res['end']}")
    if not res.get("meta"):
        reasons.append("no probe list came back" + (f" ({res['meta_error']})" if res.get("meta_error") else ""))
    if not cases:
        reasons.append("no smoke test result came back")
    for name, ok, msg in cases:
        if not ok:
            reasons.append(f"failed: {name}: {msg}")
    if res.get("leftover") not in (None, "0"):
        reasons.append(f"{res['leftover']} BPF programs still loaded after the suite")
    default_missing = [p for p in probes if p["tier"] == "default" and not p["attached"] and not p.get("off")]
    for p in default_missing:
        reasons.append(f"default-tier probe {p['program']} ({p['target']}) not attached: {p['reason']}")
    return {
        "series": series,
        "release": release or res.get("kernel"),
        "package": package,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(seconds, 1),
        "passed": not reasons,
        "reasons": reasons,
        "probes": probes,
        "default_tier_missing": [p["program"] for p in default_missing],
        # what the loader does differently on this kernel (its start-up notes)
        "notes": res.get("notes", []),
        "tests": [{"name": n, "passed": ok, "message": m} for n, ok, m in cases],
        # tests left out on this kernel, and why (a tier it cannot run)
        "skipped": res.get("skipped", []),
        "console_tail": console_tail if reasons else "",
    }


def boot(args, series, cache):
    package, release, vmlinuz, moddir = fetch_kernel(series, cache)
    work = tempfile.mkdtemp(prefix=f"kmatrix-{series}-", dir=cache)
    try:
        initrd = os.path.join(work, "initrd.cpio")
        build_initramfs(os.path.abspath(args.build), release, moddir, args.tests, initrd)
        results = os.path.join(work, "results.txt")
        cmd = qemu_command(vmlinuz, initrd, results, args.accel, args.cpus, args.mem)
        # A guest that panics before its /init ran is booted again, once:
        # that says nothing about sockscope (6.12 took a breakpoint trap in
        # sched_clock_cpu early in boot under multi-threaded TCG, once in
        # six boots here).
        for attempt in (1, 2):
            print(f"kmatrix: booting {release} ({package}) under qemu ({args.accel})", flush=True)
            result = run_guest(args, series, cmd, results)
            result_text = open(results, errors="replace").read() if os.path.exists(results) else ""
            if attempt == 2 or result["console"].find("Kernel panic") < 0 or result_text.startswith("kernel"):
                break
            print(f"kmatrix: {release} panicked before /init ran; booting it once more", flush=True)
        res = parse_results(result_text)
        out = summarize(series, release, package, res, "\n".join(result["lines"][-60:]), result["seconds"])
        out["boots"] = attempt
        return out
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run_guest(args, series, cmd, results):
    """One boot: the console's lines, streamed, and how long it took."""
    if os.path.exists(results):
        os.unlink(results)
    start = time.monotonic()
    console = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL) as q:
        deadline = start + args.timeout
        os.set_blocking(q.stdout.fileno(), False)
        buf = b""
        while q.poll() is None and time.monotonic() < deadline:
            chunk = q.stdout.read() or b""
            if chunk:
                buf += chunk
                *done, buf = buf.split(b"\n")
                for raw in done:
                    line = raw.decode(errors="replace").rstrip("\r")
                    console.append(line)
                    if args.verbose or line.startswith("kmatrix:") or "sockscope:" in line:
                        print(f"  [{series}] {line}", flush=True)
            else:
                time.sleep(0.2)
        if q.poll() is None:
            q.kill()
            console.append(f"kmatrix: the guest did not power off within {args.timeout} s; killed")
        rest = q.stdout.read() or b""
        console.extend(rest.decode(errors="replace").splitlines())
    return {"lines": console, "console": "\n".join(console), "seconds": time.monotonic() - start}


def on_host(args):
    """The same suite on the running kernel, as the guest runs it."""
    build = os.path.abspath(args.build)
    start = time.monotonic()
    lines = [f"kernel\t{os.uname().release}"]
    with tempfile.TemporaryDirectory(prefix="kmatrix-host-") as tmp:
        trace = os.path.join(tmp, "probes.ssc")
        rc = 0
        for detail in ("packets", "syscalls"):
            r = subprocess.run([os.path.join(build, "sockscope"), "record", "-w", trace, "--duration", "1",
                                "--detail", detail], stderr=subprocess.PIPE, text=True)
            sys.stderr.write(r.stderr)
            if detail == "packets":
                lines += ["note\t" + n[len("sockscope: "):] for n in r.stderr.splitlines()
                          if n.startswith("sockscope: ") and not any(
                              k in n for k in ("probe ", "probes attached", "events=", "recorded ", "recording to"))]
            if r.returncode != 0:
                rc = 1
                continue
            with open(trace, "rb") as f:
                head = f.read(1 << 20)
            start_meta = head.find(b'{"command"')
            if start_meta >= 0:
                meta, _ = json.JSONDecoder().raw_decode(head[start_meta:].decode(errors="replace"))
                lines.append("meta\t" + json.dumps(meta))
        junit = os.path.join(tmp, "junit.xml")
        env = dict(os.environ, SOCKSCOPE_REQUIRE_BPF="1")
        t = subprocess.run([os.path.join(build, "tests", "integration_tests"), args.tests, "-r", "junit", "-o", junit],
                           env=env)
        if t.returncode != 0:
            rc = 1
        if os.path.exists(junit):
            with open(junit) as f:
                lines += ["junit-begin", f.read(), "junit-end"]
        for _ in range(50):  # the last run's programs go after an RCU grace period
            left = subprocess.run("bpftool prog show | grep -c ' name ss_'", shell=True, capture_output=True,
                                  text=True).stdout.strip() or "0"
            if left == "0":
                break
            time.sleep(0.2)
        lines.append(f"leftover\t{left}")
        if left != "0":
            rc = 1
        lines.append(f"end\t{rc}")
    res = parse_results("\n".join(lines))
    return summarize("host", os.uname().release, "running kernel", res, "", time.monotonic() - start)


def report(result):
    name = f"{result['series']} ({result['release']})"
    ok = sum(t["passed"] for t in result["tests"])
    missing = [p for p in result["probes"] if not p["attached"] and not p.get("off")]
    print(f"kmatrix: {name}: {'PASS' if result['passed'] else 'FAIL'} in {result['seconds']} s; "
          f"smoke {ok}/{len(result['tests'])} passed; probes attached "
          f"{len(result['probes']) - len(missing)}/{len(result['probes'])}")
    for p in missing:
        print(f"kmatrix: {name}: {p['tier']} probe {p['program']} ({p['target']}) not attached: {p['reason']}")
    for sk in result.get("skipped", []):
        print(f"kmatrix: {name}: left out: tests tagged {sk['tests']}: {sk['why']}")
    for r in result["reasons"]:
        print(f"kmatrix: {name}: {r}")
    if not result["passed"] and result["console_tail"]:
        print(f"kmatrix: {name}: last lines of the guest's console:\n{result['console_tail']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="the CMake build directory")
    ap.add_argument("--kernel", action="append", choices=sorted(SERIES), help="a series to boot (repeatable)")
    ap.add_argument("--host", action="store_true", help="run the suite on the running kernel instead")
    ap.add_argument("--doc", metavar="FILE", help="write the feature x kernel table from the results files")
    ap.add_argument("--check-doc", metavar="FILE",
                    help="fail unless FILE says what the results files say (releases and dates aside)")
    ap.add_argument("--tests", default=SMOKE_TESTS, help="integration tests to run (a Catch2 test spec)")
    ap.add_argument("--accel", choices=["tcg", "kvm"], default="tcg",
                    help="qemu accelerator (tcg: works everywhere; kvm where nested KVM works)")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--mem", type=int, default=2048, help="guest memory, MiB")
    ap.add_argument("--timeout", type=float, default=540, help="seconds a guest may run")
    ap.add_argument("--cache", help="where kernel packages are kept (default BUILD/kernels)")
    ap.add_argument("--keep", action="store_true", help="keep each guest's initramfs and results")
    ap.add_argument("--verbose", action="store_true", help="print the whole guest console")
    args = ap.parse_args()
    cache = os.path.abspath(args.cache or os.path.join(args.build, "kernels"))
    os.makedirs(cache, exist_ok=True)
    if args.doc:
        from kernels_doc import write_doc  # noqa: E402 (next to this file)
        return write_doc(cache, args.doc)
    if args.check_doc:
        from kernels_doc import check_doc  # noqa: E402 (next to this file)
        return check_doc(cache, args.check_doc)
    if os.geteuid() != 0:
        print("kmatrix: needs root (the guest's suite loads BPF programs; --host runs them here)", file=sys.stderr)
        # as the other kernel tests: skipped under ctest, unless CI requires them
        return 77 if os.environ.get("SOCKSCOPE_REQUIRE_BPF") != "1" else 2
    failed = False
    try:
        todo = ["host"] if args.host else (args.kernel or sorted(SERIES, key=lambda s: [int(x) for x in s.split(".")]))
        for series in todo:
            result = on_host(args) if series == "host" else boot(args, series, cache)
            with open(os.path.join(cache, f"results-{series}.json"), "w") as f:
                json.dump(result, f, indent=1)
            report(result)
            failed |= not result["passed"]
    except (SetupError, subprocess.CalledProcessError) as e:
        print(f"kmatrix: {e}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
