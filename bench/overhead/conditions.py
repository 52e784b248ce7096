"""The conditions a workload runs under: nothing, the floor, sockscope in its
ways of consuming events, and the peers a user would otherwise run.

Tracers run on CPU 1; workloads are pinned to CPU 0.
"""
import os
import re
import subprocess
import tempfile
import time

from .procs import Failure, Proc, cpu_seconds

TRACER_CPU = "1"
SUMMARY = re.compile(r"events=(\d+) lost=(\d+)")


def pinned(argv):
    return ["taskset", "-c", TRACER_CPU] + argv


class Condition:
    """start() sets it up (bounded), stop() tears it down and returns what it
    measured: cpu_s (tracer CPU while the workload ran), events, lost."""
    name = "?"
    _cpu0 = None

    def start(self):
        pass

    def mark(self):
        """Called just before the workload starts."""
        self._cpu0 = self.cpu()

    def cpu(self):
        return None

    def stop(self):
        return {}

    def _cpu_used(self):
        c = self.cpu()
        return None if c is None or self._cpu0 is None else c - self._cpu0


class NoTracing(Condition):
    name = "none"


class OneProcess(Condition):
    """A tracer that is one process: ready when it prints `ready`."""
    ready, ready_stream, env = None, "stderr", None

    def argv(self):
        raise NotImplementedError

    def start(self):
        self.p = Proc(pinned(self.argv()), self.name, ready=self.ready, ready_stream=self.ready_stream, env=self.env)
        self.ready_s = self.p.ready_s

    def cpu(self):
        return self.p.cpu()

    def stop(self):
        cpu = self._cpu_used()
        self.p.stop()
        return {"cpu_s": cpu, **self.after()}

    def after(self):
        return {}


class Floor(OneProcess):
    """Empty programs on one tier's hooks (floor_loader --tier)."""
    ready = r"floor: \d+ of \d+ probes attached"

    def __init__(self, build, tier="default"):
        self.bin = os.path.join(build, "bench/floor/floor_loader")
        self.tier = tier
        self.name = "floor" if tier == "default" else f"floor:{tier}"

    def argv(self):
        return [self.bin, "--tier", self.tier]


def sockscope_summary(text):
    m = SUMMARY.findall(text)
    if not m:
        return None, None
    events, lost = m[-1]
    return int(events), int(lost)


class Record(Condition):
    """sockscope record -w FILE: the daemon's full path to a trace file."""

    def __init__(self, build, name="record", extra=(), cpu=TRACER_CPU):
        self.name = name
        self.bin = os.path.join(build, "sockscope")
        self.extra = list(extra)
        self.cpu_pin = cpu  # "0": on the workload's CPU, competing with it

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="ssbench-")
        self.file = os.path.join(self.dir, "bench.ssc")
        self.p = Proc(["taskset", "-c", self.cpu_pin, self.bin, "record", "-w", self.file] + self.extra,
                      "sockscope record", ready=r"probes attached")
        self.ready_s = self.p.ready_s
        self.tracer_pid = self.p.p.pid  # taskset execs sockscope: the same process

    def cpu(self):
        return self.p.cpu()

    def stop(self):
        cpu = self._cpu_used()
        rc = self.p.stop()
        if rc != 0:
            raise Failure(f"sockscope record exited {rc}:\n{self.p.tail()}")
        events, lost = sockscope_summary("\n".join(self.p.lines["stderr"]))
        size = os.path.getsize(self.file) if os.path.exists(self.file) else 0
        subprocess.run(["rm", "-rf", self.dir])
        return {"cpu_s": cpu, "events": events, "lost": lost, "bytes": size}


class Top(Condition):
    """The live view, drawing into a detached tmux pane."""
    name = "top"

    def __init__(self, build):
        self.bin = os.path.join(build, "sockscope")

    def start(self):
        fd, self.err = tempfile.mkstemp(prefix="ssbench-top-")
        os.close(fd)
        self.sock = f"ssbench{os.getpid()}"
        cmd = f"exec taskset -c {TRACER_CPU} {self.bin} top -d 1 2>{self.err}"
        subprocess.run(["tmux", "-L", self.sock, "new-session", "-d", "-x", "160", "-y", "50", cmd], check=True)
        out = subprocess.run(["tmux", "-L", self.sock, "list-panes", "-F", "#{pane_pid}"], capture_output=True,
                             text=True).stdout.split()
        self.tracer_pid = int(out[0])
        t0 = time.monotonic()
        while "probes attached" not in self._err_text():
            if time.monotonic() - t0 > 60 or cpu_seconds(self.tracer_pid) is None:
                self._kill()
                raise Failure(f"sockscope top did not start:\n{self._err_text()}")
            time.sleep(0.05)
        self.ready_s = time.monotonic() - t0

    def _err_text(self):
        with open(self.err) as f:
            return f.read()

    def _kill(self):
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)

    def cpu(self):
        return cpu_seconds(self.tracer_pid)

    def stop(self):
        cpu = self._cpu_used()
        subprocess.run(["tmux", "-L", self.sock, "send-keys", "q"], capture_output=True)
        t0 = time.monotonic()
        while cpu_seconds(self.tracer_pid) is not None and time.monotonic() - t0 < 20:
            time.sleep(0.05)
        self._kill()
        events, lost = sockscope_summary(self._err_text())
        os.unlink(self.err)
        return {"cpu_s": cpu, "events": events, "lost": lost}


def bpftrace_script(hooks):
    """Counting per socket on the tracepoints sockscope uses: by the socket's
    address where the tracepoint has one, else by thread."""
    probes = []
    for sec in hooks:
        kind, _, rest = sec.partition("/")
        if kind not in ("tracepoint", "tp", "tp_btf", "raw_tp"):
            continue  # cgroup hooks and sockops: bpftrace has no probe for them
        if kind == "tracepoint":
            cat, name = rest.split("/", 1)
        else:
            name = rest
            cats = [c for c in os.listdir("/sys/kernel/tracing/events")
                    if os.path.isdir(f"/sys/kernel/tracing/events/{c}/{name}")]
            if not cats:
                continue
            cat = cats[0]
        with open(f"/sys/kernel/tracing/events/{cat}/{name}/format") as f:
            fmt = f.read()
        key = "(uint64)args->skaddr" if "skaddr;" in fmt else "(uint64)args->sk" if " sk;" in fmt else "(uint64)tid"
        probes.append(f"tracepoint:{cat}:{name} {{ @c[{key}] = count(); }}")
    probes.append("END { clear(@c); }")
    return "\n".join(sorted(set(probes[:-1])) + probes[-1:])


class Bpftrace(OneProcess):
    name, ready, ready_stream = "bpftrace", r"Attaching \d+ probes", "stdout"
    env = dict(os.environ, BPFTRACE_MAP_KEYS_MAX="262144")

    def __init__(self, hooks, name="bpftrace"):
        self.script = bpftrace_script(hooks)
        self.name = name

    def argv(self):
        return ["bpftrace", "-e", self.script]

    def after(self):
        return {"lost": sum(int(x) for x in re.findall(r"(\d+) events? lost", self.p.tail(50)))}


class LibbpfTools(Condition):
    """tcpstates and tcplife from libbpf-tools, both at once."""
    name = "tcpstates+tcplife"

    def start(self):
        t0 = time.monotonic()
        # line-buffered: they print a header once attached, which is how we know
        self.ps = [Proc(pinned(["stdbuf", "-oL", tool]), tool) for tool in ("tcpstates", "tcplife")]
        # both print a header once their probes are attached
        while not all(p.lines["stdout"] for p in self.ps):
            for p in self.ps:
                if p.p.poll() is not None:
                    raise Failure(f"{p.name} exited:\n{p.tail()}")
            if time.monotonic() - t0 > 60:
                for p in self.ps:
                    p.stop()
                raise Failure("tcpstates/tcplife did not start in 60 s")
            time.sleep(0.05)
        self.ready_s = time.monotonic() - t0

    def cpu(self):
        cpus = [p.cpu() for p in self.ps]
        return None if None in cpus else sum(cpus)

    def stop(self):
        cpu = self._cpu_used()
        for p in self.ps:
            p.stop()
        lines = sum(len(p.lines["stdout"]) - 1 for p in self.ps)
        return {"cpu_s": cpu, "events": lines}
