"""Runs a command on a pseudo-terminal, as a user at a terminal would, and
quits the live view with `q` once it has drawn its table. Shared by the
doc check (readme_commands.py) and the quick-start test (quickstart.py)."""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time

# The live view's column names: its table is drawn.
TABLE = re.compile(rb"PID\s+COMM.*LOCAL")


def run_on_terminal(argv, cwd, env, timeout_s, quit_within_s=30, cols=120, rows=40):
    """Runs argv on a cols x rows pseudo-terminal for at most timeout_s until
    the live view's table is drawn, then types q and waits quit_within_s for
    it to end. Returns (exit status, what the terminal showed, whether the
    table was drawn); the status is None when it had to be killed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    p = subprocess.Popen(argv, cwd=cwd, env=dict(env, TERM="xterm-256color"), stdin=slave, stdout=slave,
                         stderr=slave, start_new_session=True)
    os.close(slave)
    seen, drawn, deadline = b"", False, time.monotonic() + timeout_s
    while time.monotonic() < deadline and p.poll() is None:
        if not select.select([master], [], [], 0.2)[0]:
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the program has exited: the terminal is gone
            break
        seen += chunk
        if not drawn and TABLE.search(seen[-20000:]):
            drawn = True
            os.write(master, b"q")
            deadline = time.monotonic() + quit_within_s
    try:
        code = p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        code = None
    os.close(master)
    return code, seen.decode(errors="replace"), drawn
