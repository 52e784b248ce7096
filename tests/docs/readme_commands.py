#!/usr/bin/env python3
"""The doc check: every sockscope command line a Markdown page shows, tried
on the built binary, so the page cannot drift from the program.

    readme_commands.py --bin BUILD/sockscope --trace tests/data/top.ssc README.md ...
    readme_commands.py --bin BUILD/sockscope --trace tests/data/top.ssc --self-test

A command line is a line of a fenced block, or an inline code span, that
starts with `sockscope`, `build/sockscope`, `sudo sockscope` (a `$ ` or
`# ` prompt before it is dropped) or `packaging/run.sh` (whose arguments
go to sockscope). Each is handled in one of two ways, and the output says
which:

- RUN: lines that need no root and no traffic: `--help`, `--version`, and
  every line that reads a trace (`-r FILE`, so also `export`). FILE after
  `-r` is the test trace, FILE after `-w`/`-o` a temporary file, and
  `jsonl|csv|perfetto` runs once per choice. `top` runs on a
  pseudo-terminal and is quit with `q` once its table is drawn. A line
  fails when it exits with anything but 0 (`diagnose`: 0 or 1, its
  "something found") or within the time limit.
- ON-TRACE: live lines of a command that also reads traces (`top`,
  `watch`, `list`, `nic`, `diagnose`), without an option a trace refuses
  (`--detail`, `-w`), run as RUN lines with `-r` and the test trace added:
  their options and ss filter are parsed as a live run parses them, with no
  root, BPF or traffic needed.
- OPTIONS: the other live lines (`record -w`, `--detail`, `sockscope`
  alone) and synopses (`[OPTIONS]`, `SECONDS`): the command must exist and
  every option the line names must be in that command's `--help`. The
  quick start (packaging/run.sh with no arguments) runs live in
  tests/docs/quickstart.py.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

from terminal import run_on_terminal

COMMAND = re.compile(r"^(?:sudo\s+)?(?:build/)?sockscope(?:\s|$)|^packaging/run\.sh(?:\s|$)")
PROMPT = re.compile(r"^[$#]\s+")
CHOICES = re.compile(r"^[a-z0-9]+(\|[a-z0-9]+)+$")  # jsonl|csv|perfetto
SYNOPSIS = re.compile(r"^\[.*\]$|^\.\.\.$|^[A-Z][A-Z_]*(\|[A-Z_]+)*$")  # [OPTIONS], ..., SECONDS
TIMEOUT_S = 30
# Live commands that read a trace as well, and the options a trace refuses.
REPLAYABLE = ("top", "watch", "list", "nic", "diagnose")
LIVE_ONLY = ("--detail", "-w", "--write")


def command_lines(text):
    """(line number, command) for every command line of one Markdown text."""
    found, fence = [], None
    lines = text.split("\n")
    for n, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence else n
            continue
        if fence:
            cmd = PROMPT.sub("", stripped)
            if COMMAND.match(cmd):
                found.append((n, cmd))
    # inline spans, also those broken over two lines; not inside fences
    prose = "\n".join("" if in_fence else l for l, in_fence in zip(lines, fenced_mask(lines)))
    for m in re.finditer(r"(?<!`)`([^`\n]+(?:\n[^`\n]+)?)`(?!`)", prose):
        cmd = " ".join(m.group(1).split())
        if COMMAND.match(cmd):
            found.append((prose.count("\n", 0, m.start()) + 1, cmd))
    return sorted(found)


def fenced_mask(lines):
    mask, inside = [], False
    for l in lines:
        if l.strip().startswith("```"):
            inside = not inside
            mask.append(True)
        else:
            mask.append(inside)
    return mask


def words_of(cmd):
    """The words sockscope gets: the program and sudo dropped, and what a
    shell would do with its output (`| head`, `> out.json`) cut off."""
    words = shlex.split(cmd, comments=True)
    for i, w in enumerate(words):  # a shell word of its own: `jsonl|csv` is one choice list
        if w in ("|", "||", "&&", ";", "&", "<") or re.match(r"^[0-9&]?>>?", w):
            words = words[:i]
            break
    if words and words[0] == "sudo":
        words = words[1:]
    return words[1:]  # sockscope, build/sockscope or packaging/run.sh


def options_of(help_text):
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z0-9][\w-]*)", help_text))


class Checker:
    def __init__(self, binary, trace, tmp):
        self.bin, self.trace, self.tmp = binary, trace, tmp
        self.root = os.getcwd()  # where the page's relative paths start
        self.helps = {}

    def commands(self):
        """The commands `sockscope --help` lists under Subcommands."""
        p = subprocess.run([self.bin, "--help"], capture_output=True, text=True, timeout=TIMEOUT_S)
        listed = p.stdout.split("Subcommands:", 1)[-1] if "Subcommands:" in p.stdout else ""
        return {l.split()[0] for l in listed.split("\n") if l.startswith("  ") and l.split()}

    def help_of(self, command):
        """The options `sockscope [command] --help` lists; None: no such command."""
        if command and command not in self.commands():
            return None
        if command not in self.helps:
            argv = [self.bin] + ([command] if command else []) + ["--help"]
            p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S)
            self.helps[command] = options_of(p.stdout) if p.returncode == 0 else None
        return self.helps[command]

    def variants(self, words):
        """The word lists to run: placeholders filled, one per choice."""
        out = [[]]
        for i, w in enumerate(words):
            prev = words[i - 1] if i else ""
            if w == "FILE" and prev in ("-r", "--read"):
                choices = [self.trace]
            elif w in ("FILE", "OUT") and prev in ("-w", "--write", "-o", "--output"):
                choices = [os.path.join(self.tmp, "out")]
            elif CHOICES.match(w):
                choices = w.split("|")
            elif "/" in w and not w.startswith("-") and os.path.exists(os.path.join(self.root, w)):
                choices = [os.path.join(self.root, w)]  # tests/data/top.ssc, from the page's folder
            else:
                choices = [w]
            out = [v + [c] for v in out for c in choices]
        return out

    def check(self, cmd):
        """(how, problem): how it was checked, and what is wrong (None: nothing)."""
        try:
            words = words_of(cmd)
        except ValueError as e:
            return "OPTIONS", f"cannot split it into words: {e}"
        command = words[0] if words and not words[0].startswith(("-", "[")) else ""
        replay = any(w in ("-r", "--read") for w in words)
        synopsis = any(SYNOPSIS.match(w) and w not in ("FILE", "OUT") for w in words)
        if not synopsis and (replay or "--help" in words or "--version" in words):
            for v in self.variants(words):
                problem = self.run(command, v)
                if problem:
                    return "RUN", problem
            return "RUN", None
        if not synopsis and command in REPLAYABLE and not any(w in LIVE_ONLY for w in words):
            # a live line, run on the trace instead: its options and filter
            # are parsed as the live run would parse them
            for v in self.variants(words + ["-r", self.trace]):
                problem = self.run(command, v)
                if problem:
                    return "ON-TRACE", problem
            return "ON-TRACE", None
        known = self.help_of(command)
        if known is None:
            return "OPTIONS", f"`sockscope --help` lists no command {command!r}"
        args = words[1:] if command else words
        for w in args:
            if w == "--":
                break
            name = w.split("=", 1)[0]
            if re.match(r"^--?[A-Za-z0-9]", name) and name not in known:
                return "OPTIONS", f"`sockscope {command} --help` has no option {name}"
        return "OPTIONS", None

    def run(self, command, words):
        argv = [self.bin] + words
        shown = " ".join(shlex.quote(w) for w in argv)
        if command == "top":
            code, out, drawn = run_on_terminal(argv, self.tmp, os.environ, TIMEOUT_S)
            if not drawn:
                why = f"exit status {code}" if code is not None else f"still running after {TIMEOUT_S} s"
                return f"{shown}: {why}, and no table drawn:\n{out[-2000:]}"
            if code is None:
                return f"{shown}: still running {TIMEOUT_S} s after q"
        else:
            try:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL,
                                   cwd=self.tmp)  # what it writes (-o top.json) goes there
            except subprocess.TimeoutExpired:
                return f"{shown}: still running after {TIMEOUT_S} s"
            code, out = p.returncode, p.stderr
        ok = (0, 1) if command == "diagnose" else (0,)
        if code not in ok:
            return f"{shown}: exit status {code}\n{out.strip()}"
        return None


def check_pages(checker, pages):
    failed, counts = 0, {"RUN": 0, "ON-TRACE": 0, "OPTIONS": 0}
    for page in pages:
        with open(page, encoding="utf-8") as f:
            lines = command_lines(f.read())
        checker.root = os.path.dirname(os.path.abspath(page))
        if not lines:
            print(f"FAIL {page}: no command lines found: has the check stopped finding them?")
            failed += 1
        for n, cmd in lines:
            how, problem = checker.check(cmd)
            counts[how] += 1
            print(f"{'FAIL' if problem else 'ok  '} {how:<8} {page}:{n}: {cmd}")
            if problem:
                print("       " + problem.replace("\n", "\n       "))
                failed += 1
    print(f"{counts['RUN']} lines run, {counts['ON-TRACE']} live lines run on the trace, {counts['OPTIONS']} "
          f"others checked against --help; {failed} failed")
    return failed


SELF_TEST = """\
```sh
sockscope list -r FILE                 # good: runs
sockscope list -r FILE --no-such-option
sockscope watch --no-such-option       # a live line: run on the trace, refused
sockscope record -w FILE --no-such-option
sockscope frobnicate                   # no such command
```
`sockscope export -r FILE --format jsonl|csv|nonsense` runs once per choice; the last fails.
`sockscope top -r FILE` draws and quits; `sockscope top -r FILE --no-such-option` does not.
`sockscope list --port 80` is live: it runs on the trace, as does
`sockscope list 'dport = :99999'`, whose filter does not parse.
`sockscope record -w FILE --duration 5` is live and cannot read a trace: its options are checked.
`sockscope list --port 80 | grep ESTAB > out.txt` runs without what the shell does with its output.
"""


def self_test(checker):
    """The check must be able to fail: each bad line above fails, the good ones pass."""
    lines = command_lines(SELF_TEST)
    expect = {  # the line: None when it passes, else how it fails
        "sockscope list -r FILE": None,
        "sockscope list -r FILE --no-such-option": "RUN",
        "sockscope watch --no-such-option": "ON-TRACE",
        "sockscope record -w FILE --no-such-option": "OPTIONS",
        "sockscope frobnicate": "OPTIONS",
        "sockscope export -r FILE --format jsonl|csv|nonsense": "RUN",
        "sockscope top -r FILE": None,
        "sockscope top -r FILE --no-such-option": "RUN",
        "sockscope list --port 80": None,
        "sockscope list 'dport = :99999'": "ON-TRACE",
        "sockscope record -w FILE --duration 5": None,
        "sockscope list --port 80 | grep ESTAB > out.txt": None,
    }
    wrong = 0
    got = {cmd.split("#")[0].strip(): cmd for _, cmd in lines}
    for cmd, bad in expect.items():
        if cmd not in got:
            print(f"FAIL not found in the sample page: {cmd}")
            wrong += 1
            continue
        how, problem = checker.check(got[cmd])
        good = (problem is None) if bad is None else (problem is not None and how == bad)
        print(f"{'ok  ' if good else 'FAIL'} {cmd}: {how} {'passes' if problem is None else 'fails: ' + problem.splitlines()[0]}")
        wrong += 0 if good else 1
    if len(lines) != len(expect):
        print(f"FAIL found {len(lines)} command lines in the sample page, expected {len(expect)}")
        wrong += 1
    return wrong


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="the sockscope binary")
    ap.add_argument("--trace", required=True, help="a trace file for -r FILE")
    ap.add_argument("--self-test", action="store_true", help="check that the check fails on bad lines")
    ap.add_argument("pages", nargs="*")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sockscope-doc-") as tmp:
        checker = Checker(os.path.abspath(a.bin), os.path.abspath(a.trace), tmp)
        failed = self_test(checker) if a.self_test else check_pages(checker, a.pages)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
