#!/usr/bin/env python3
"""The README's quick start, followed word for word on a fresh clone.

    quickstart.py SOURCE_DIR WORK_DIR

Clones SOURCE_DIR (a git checkout: what is committed is what a user
clones) into WORK_DIR/sockscope and, in it, runs the lines of the quick
start's first code block exactly as the README writes them, with bash, as
the README says: as root, on a terminal (a pseudo-terminal here). Then the
claims of the paragraph under it:

- `packaging/run.sh` builds, then starts the live view (`top`) on a
  terminal: the table is drawn, and `q` ends it with status 0;
- every `packaging/run.sh ARGS` the section names passes ARGS to
  sockscope: it runs with stdout a pipe and ends with status 0;
- with no arguments and stdout not a terminal it starts `watch`;
- a second run does not configure again (the options did not change);
- the binary is build/sockscope.

`packaging/test.sh` is not run here: it is the command CI runs (.ci/run
ends with it), and it is what runs this test. A line of the block this
test does not know fails it, so a new step cannot go untested.

The live view and watch load the BPF probes: as root only. Without root
this exits 77 (skipped), unless SOCKSCOPE_REQUIRE_BPF=1 (as .ci/run sets).
The first line builds the binary (tests off) in the clone: about 10
minutes on two cores. The clone is removed when the test passes.
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time

from terminal import run_on_terminal

BUILD_TIMEOUT_S = 50 * 60
RUN_TIMEOUT_S = 60


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def quick_start(readme):
    """The quick start section's text and its first code block's lines."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
    if not m:
        fail("README.md has no '## Quick start' section")
    section = m.group(1)
    block = re.search(r"^```[a-z]*\n(.*?)^```", section, re.S | re.M)
    if not block:
        fail("the quick start has no code block")
    lines = [l for l in block.group(1).split("\n") if l.strip()]
    return section, lines


def clean_env():
    """The environment of a user who just cloned: none of the build's own settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SOCKSCOPE_", "CMAKE_", "CTEST_"))}


def tail(text, n=40):
    return "\n".join(text.replace("\r", "\n").split("\n")[-n:])


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    source, work = sys.argv[1], sys.argv[2]
    if os.geteuid() != 0:
        if os.environ.get("SOCKSCOPE_REQUIRE_BPF") == "1":
            fail("the quick start is followed as root, and this is not root (SOCKSCOPE_REQUIRE_BPF=1)")
        print("SKIP the quick start is followed as root")
        return 77
    section, lines = quick_start(os.path.join(source, "README.md"))

    clone = os.path.join(work, "sockscope")
    shutil.rmtree(clone, ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    if subprocess.run(["git", "-C", source, "status", "--porcelain", "--untracked-files=no"],
                      capture_output=True, text=True).stdout.strip():
        print(f"note: {source} has uncommitted changes; the clone has only what is committed")
    r = subprocess.run(["git", "clone", "-q", source, clone], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"git clone {source} failed: {r.stderr.strip()}")
    print(f"cloned {source} into {clone}")

    with open(os.path.join(source, ".ci", "run"), encoding="utf-8") as f:
        ci_runs_test_sh = "packaging/test.sh" in f.read()
    binary = os.path.join(clone, "build", "sockscope")
    stamp = os.path.join(clone, "build", ".sockscope-configured-with")
    for line in lines:
        command = line.split("#", 1)[0].strip()
        if command == "packaging/test.sh":
            if not ci_runs_test_sh:
                fail("the quick start's packaging/test.sh is not what .ci/run runs: run it here")
            print(f"not run here (CI runs it, and it runs this test): {line}")
            continue
        if command != "packaging/run.sh":
            fail(f"the quick start has a line this test does not follow yet: {line!r}: add it to {__file__}")
        start = time.monotonic()
        code, out, drawn = run_on_terminal(["bash", "-c", line], clone, clean_env(), BUILD_TIMEOUT_S, RUN_TIMEOUT_S)
        took = time.monotonic() - start
        if not drawn:
            fail(f"{line!r} on a terminal drew no live view in {took:.0f} s (status {code}):\n{tail(out)}")
        if code != 0:
            fail(f"{line!r}: the live view ended on q with status {code}:\n{tail(out)}")
        print(f"ok   {line!r} on a terminal: built, drew the live view, quit on q ({took:.0f} s)")

    if not os.access(binary, os.X_OK):
        fail("the quick start says the binary is build/sockscope, and there is none")
    print("ok   the binary is build/sockscope")
    configured = os.stat(stamp).st_mtime_ns if os.path.exists(stamp) else None

    # the paragraph's examples: `packaging/run.sh ARGS` passes ARGS to sockscope
    examples = sorted(set(" ".join(m.split()) for m in re.findall(r"`(packaging/run\.sh [^`]+)`", section)))
    if not examples:
        fail("the quick start names no `packaging/run.sh ARGS` example: has this test stopped finding them?")
    for line in examples:
        r = subprocess.run(["bash", "-c", line], cwd=clone, env=clean_env(), capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S)
        if r.returncode != 0:
            fail(f"{line!r}: status {r.returncode}:\n{tail(r.stdout + r.stderr)}")
        print(f"ok   {line!r}: status 0, {len(r.stdout.splitlines())} lines out")

    # with no arguments and stdout not a terminal: watch, until Ctrl-C
    p = subprocess.Popen(["bash", "-c", "exec packaging/run.sh"], cwd=clone, env=clean_env(), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    err, deadline = b"", time.monotonic() + RUN_TIMEOUT_S
    os.set_blocking(p.stderr.fileno(), False)
    while time.monotonic() < deadline and p.poll() is None and b"watching; Ctrl-C to stop" not in err:
        select.select([p.stderr], [], [], 0.5)
        err += p.stderr.read() or b""
    watching = b"watching; Ctrl-C to stop" in err
    os.killpg(p.pid, signal.SIGINT)
    try:
        out, rest = p.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, rest = p.communicate()
    err += rest or b""
    if not watching or p.returncode != 0:
        fail(f"packaging/run.sh with stdout a pipe: expected watch, and status 0 on Ctrl-C; "
             f"got status {p.returncode}:\n{tail((out + err).decode(errors='replace'))}")
    print("ok   packaging/run.sh with stdout not a terminal: watch, ended by Ctrl-C with status 0")

    if configured is None or not os.path.exists(stamp) or os.stat(stamp).st_mtime_ns != configured:
        fail("packaging/run.sh configured the build again although its options had not changed")
    print("ok   the later runs did not configure again")

    shutil.rmtree(clone, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
