"""Background processes the benchmark starts and stops: tracers and helpers.

Every process is started in its own session so a stop reaches its children,
and every wait is bounded.
"""
import os
import re
import signal
import subprocess
import threading
import time


class Failure(Exception):
    """A condition could not be set up: the message says what to do."""


def cpu_seconds(pid):
    """User + system CPU time of a process and its waited-for children."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[11..14] are utime, stime, cutime, cstime (man 5 proc, from 14)
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Proc:
    """A background process whose output is drained into memory in a thread,
    so a chatty tracer never blocks on a full pipe."""

    def __init__(self, argv, name, ready=None, ready_stream="stderr", timeout=60.0, env=None):
        self.name = name
        self.argv = argv
        self.t0 = time.monotonic()
        self.ready_s = None
        self.lines = {"stdout": [], "stderr": []}
        self._ready_re = re.compile(ready) if ready else None
        self._ready_stream = ready_stream
        self._ready = threading.Event()
        try:
            self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      errors="replace", start_new_session=True, env=env)
        except FileNotFoundError:
            raise Failure(f"{name}: {argv[0]} is not installed (run packaging/install-deps.sh bench)")
        self._threads = [threading.Thread(target=self._drain, args=(s,), daemon=True) for s in ("stdout", "stderr")]
        for t in self._threads:
            t.start()
        if self._ready_re is None:
            return
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.p.poll() is not None:
                raise Failure(f"{name} exited ({self.p.returncode}) before it was ready:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise Failure(f"{name} was not ready after {timeout:.0f} s:\n{self.tail()}")

    def _drain(self, stream):
        for line in getattr(self.p, stream):
            self.lines[stream].append(line.rstrip("\n"))
            if (self._ready_re is not None and not self._ready.is_set() and stream == self._ready_stream
                    and self._ready_re.search(line)):
                self.ready_s = time.monotonic() - self.t0
                self._ready.set()

    def tail(self, n=15):
        return "\n".join((self.lines["stdout"] + self.lines["stderr"])[-n:])

    def cpu(self):
        return cpu_seconds(self.p.pid)

    def stop(self, sig=signal.SIGINT, timeout=30.0):
        """Stops the whole session; returns the exit status."""
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(10)
        for t in self._threads:
            t.join(5)
        return self.p.returncode


def run_json(argv, timeout):
    """Runs a workload to completion and returns its one JSON line."""
    import json
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{' '.join(argv)} did not finish in {timeout:.0f} s")
    if r.returncode != 0:
        raise Failure(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stderr.strip()}")
    try:
        return json.loads(r.stdout)  # one document (iperf3 -J spans lines)
    except ValueError:
        pass
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise Failure(f"{' '.join(argv)} printed no JSON:\n{r.stdout}\n{r.stderr}")
    return json.loads(lines[-1])
