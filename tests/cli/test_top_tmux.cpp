// `sockscope top -r` end to end: the real binary in a detached tmux pane,
// driven by keys, read back with capture-pane. Needs tmux
// (packaging/install-deps.sh). Every pane runs a script that, once
// sockscope exits, prints its exit status and `stty -a`: the terminal must
// be back (echo, icanon, the alternate screen left) however it ended.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/child.h"
#include "tests/helpers/tmux.h"

using namespace testing;

namespace {


std::string trace_file() { return std::string(SOCKSCOPE_SOURCE_DIR) + "/tests/data/top.ssc"; }

// The pane's script: sockscope with args (its pid in pid_file when given),
// then what the terminal is like once it has exited.
std::string pane_script(const std::string& args, const std::string& pid_file = "") {
  std::string run = pid_file.empty() ? sockscope_bin() + " " + args
                                     : "sh -c 'echo $$ > " + pid_file + "; exec \"$@\"' sh " + sockscope_bin() +
                                           " " + args;
  return run + "\necho top-exited-$?\nstty -a\necho stty-done\nsleep 60\n";
}

// Whether the table is drawn: its column-name line, whatever the sort.
bool table_shown(const std::string& screen) {
  return screen.find(" LOCAL") != std::string::npos && screen.find(" REMOTE") != std::string::npos;
}
bool wait_table(const Tmux& t) { return t.wait_until(table_shown); }

// Starts `top OPTS -r` over the test trace in t (a pane of width x height)
// and waits for the table, then, with at_end, for the whole trace read ($:
// to its end).
bool open_replay(Tmux& t, const std::string& opts = "", bool at_end = false, int width = 80, int height = 24) {
  if (!t.start_script(pane_script("top " + opts + "-r " + trace_file() + " 2>/dev/null"), width, height) ||
      !wait_table(t))
    return false;
  if (!at_end) return true;
  t.keys("'$'");
  return t.wait_for("(end)");
}

// After the script's stty: echo and canonical input are on again, and the
// alternate screen is left (the script's output is on the normal screen).
void check_restored(const Tmux& t) {
  REQUIRE(t.wait_for("stty-done"));
  std::string s = t.history();
  INFO(s);
  CHECK_FALSE(t.alternate_on());
  std::istringstream in(s);
  bool echo = false, icanon = false, no_echo = false, no_icanon = false;
  for (std::string w; in >> w;) {
    echo |= w == "echo";
    icanon |= w == "icanon";
    no_echo |= w == "-echo";
    no_icanon |= w == "-icanon";
  }
  CHECK(echo);
  CHECK(icanon);
  CHECK_FALSE(no_echo);
  CHECK_FALSE(no_icanon);
}

// The replay's position in the header ("replay  22:13:21.250 ..."), in ms
// of the day; nothing while no header (or one too narrow for the clock) is
// shown.
std::optional<long> position_ms(const std::string& screen) {
  static const std::regex re("replay +(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d\\d\\d)");
  std::smatch m;
  if (!std::regex_search(screen, m, re)) return std::nullopt;
  return ((std::stol(m[1]) * 60 + std::stol(m[2])) * 60 + std::stol(m[3])) * 1000 + std::stol(m[4]);
}

std::string header(const std::string& screen) { return screen.substr(0, screen.find('\n')); }

size_t count_lines(const std::string& screen, const std::string& text) {
  std::istringstream in(screen);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(text) != std::string::npos;
  return n;
}

// Column of the column-name line's REMOTE (it moves right on a wider screen).
size_t remote_column(const std::string& screen) {
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);)
    if (line.find("LOCAL") != std::string::npos) return line.find("REMOTE");
  return std::string::npos;
}

}  // namespace

TEST_CASE("top -r: the table, sort, filter, detail and back by keys, and q restores the terminal", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  Tmux t("test");
  REQUIRE(t.start_script(pane_script("top -r " + trace_file() + " 2>/dev/null")));
  INFO(t.screen());
  REQUIRE(wait_table(t));
  t.keys("'$'");                 // to the end at full speed
  REQUIRE(t.wait_for("(end)"));  // the whole trace is read
  std::string s = t.screen();
  CHECK(s.find("nginx") != std::string::npos);
  CHECK(s.find("CLOSE-WAIT") != std::string::npos);  // ss's name: never cut
  CHECK(s.find("redis-cli") != std::string::npos);

  // from the default order (past the last column): PID, COMM, PRO, LOCAL, REMOTE
  t.keys("'>' '>' '>' '>' '>'");
  CHECK(t.wait_for("REMOTE^"));

  t.keys("/ curl Enter");
  CHECK(t.wait_for("filter 'curl'"));
  CHECK(t.wait_for("psql", true));
  CHECK(t.screen().find("curl") != std::string::npos);

  t.keys("Enter");
  REQUIRE(t.wait_for("State history"));
  s = t.screen();
  CHECK(s.find("SYN_SENT") != std::string::npos);
  CHECK(s.find("ESTABLISHED") != std::string::npos);
  CHECK(s.find("127.0.0.1:40001 -> 127.0.0.1:8080") != std::string::npos);

  t.keys("Escape");
  CHECK(t.wait_for("REMOTE^"));

  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
  check_restored(t);
  CHECK(t.screen().find("REMOTE^") == std::string::npos);
}

TEST_CASE("top -r: the replay plays on the recording's clock, pause, step, end and back to the start",
          "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  // wide enough for the header to show the clock with the rest
  REQUIRE(t.start_script(pane_script("top -d 0.2 -r " + trace_file() + " 2>/dev/null"), 160, 40));
  INFO(t.screen());
  REQUIRE(t.wait_until([](const std::string& s) { return position_ms(s).has_value(); }));
  long first = *position_ms(t.screen());

  // playing at 1x from the start: the position moves on
  REQUIRE(t.wait_until([&](const std::string& s) { return position_ms(s).value_or(0) > first; }));

  t.keys("Space");
  REQUIRE(t.wait_until([](const std::string& s) { return header(s).find("paused") != std::string::npos; }));
  long paused = *position_ms(t.screen());
  // five refreshes later it has not moved
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(*position_ms(t.screen()) == paused);

  // one second of the recording, still paused
  t.keys("'.'");
  CHECK(t.wait_until([&](const std::string& s) { return position_ms(s).value_or(0) == paused + 1000; }));
  CHECK(header(t.screen()).find("paused") != std::string::npos);

  // to the end at once: every socket, and the end 30 s after the start
  t.keys("'$'");
  REQUIRE(t.wait_for("(end)"));
  std::string s = t.screen();
  long end = *position_ms(s);
  CHECK(s.find("psql") != std::string::npos);
  CHECK(s.find("(closed) 1") != std::string::npos);  // wget's close was read (its row is folded, below)

  // back to the start (still paused): a fresh model with only what the
  // recording's first moment holds, the listener; psql connects a second later
  t.keys("0");
  REQUIRE(t.wait_for("(end)", true));
  REQUIRE(t.wait_for("psql", true));
  s = t.screen();
  CHECK(*position_ms(s) == end - 30000);
  CHECK(s.find("nginx") != std::string::npos);

  // and playing again from there
  t.keys("Space");
  CHECK(t.wait_for("psql", false, 10));
  CHECK(*position_ms(t.screen()) > end - 30000);

  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
  check_restored(t);
}

TEST_CASE("top -r: the speed is checked, and shown as the bracket keys change it", "[ui][tmux]") {
  auto bad = run_capture(sockscope_bin() + " top -r " + trace_file() + " --speed 5000 2>&1; echo status=$?");
  CHECK(bad.find("--speed 5000 is out of range: give 0.1 to 1000") != std::string::npos);
  CHECK(bad.find("status=2") != std::string::npos);
  auto no_file = run_capture(sockscope_bin() + " top --speed 2 2>&1; echo status=$?");
  CHECK(no_file.find("--speed requires --read") != std::string::npos);
  CHECK(no_file.find("status=2") != std::string::npos);

  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  REQUIRE(t.start_script(pane_script("top -d 0.2 --speed 4 -r " + trace_file() + " 2>/dev/null")));
  INFO(t.screen());
  auto speed_shown = [&](const std::string& x) {
    return t.wait_until([&](const std::string& s) { return header(s).find("  " + x + "  ") != std::string::npos; });
  };
  CHECK(speed_shown("x4"));
  t.keys("']'");
  CHECK(speed_shown("x8"));
  t.keys("'[' '[' '['");
  CHECK(t.wait_until([](const std::string& s) { return header(s).find("  x") == std::string::npos; }));  // 1x
  for (int i = 0; i < 8; ++i) t.keys("'['");
  CHECK(speed_shown("x0.0625"));  // 1/16: no slower
  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
}

TEST_CASE("top -r - (stdin): keys come from the terminal, and 0 says it cannot seek", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  REQUIRE(t.start_script(pane_script("top -r - < " + trace_file() + " 2>/dev/null")));
  INFO(t.screen());
  REQUIRE(wait_table(t));
  t.keys("'$'");
  REQUIRE(t.wait_for("(end)"));
  t.keys("0");
  CHECK(t.wait_for("reading stdin: cannot seek back to the start"));
  CHECK(t.screen().find("(end)") != std::string::npos);  // where it was
  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
  check_restored(t);
}

TEST_CASE("top -r: SIGTERM ends it and the terminal is restored", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  std::string pid_file = temp_path("top-term.pid");
  std::remove(pid_file.c_str());
  REQUIRE(t.start_script(pane_script("top -r " + trace_file() + " 2>/dev/null", pid_file)));
  INFO(t.screen());
  REQUIRE(wait_table(t));
  pid_t pid = read_pid(pid_file);
  REQUIRE(pid > 0);
  REQUIRE(kill(pid, SIGTERM) == 0);
  CHECK(t.wait_for("top-exited-0"));
  check_restored(t);
  std::remove(pid_file.c_str());
}

TEST_CASE("top -r -w: a write error after the terminal was taken over is reported once it is back",
          "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  // The trace goes to a pipe whose reader leaves after the file's first
  // byte: the header is written before the view starts, the first block
  // (after the flush interval) fails with EPIPE while the view runs.
  std::string fifo = temp_path("top-broken.fifo");
  std::remove(fifo.c_str());
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  Tmux t("test");
  REQUIRE(t.start_script("head -c 1 " + fifo + " >/dev/null &\n" + pane_script("top -r " + trace_file() + " -w " + fifo)));
  CHECK(t.wait_for("top-exited-1", false, 20));
  check_restored(t);
  std::string s = t.history();
  INFO(s);
  CHECK(s.find("sockscope: writing the trace file " + fifo + " failed: Broken pipe") != std::string::npos);
  CHECK_FALSE(table_shown(s));  // the view is gone from the screen
  std::remove(fifo.c_str());
}

TEST_CASE("top -r: 80x24 and 160x50, and a resize redraws at the new size", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  // 42 sockets at the end, 38 lines (TIME_WAIT and closed ones folded):
  // more than 80x24 shows, all of them at 160x50
  auto run_at = [](Tmux& t, int w, int h) {
    REQUIRE(t.start_script(pane_script("top -r " + trace_file() + " 2>/dev/null"), w, h));
    REQUIRE(wait_table(t));
    t.keys("'$'");
    REQUIRE(t.wait_for("(end)"));
  };
  Tmux small("test");
  run_at(small, 80, 24);
  std::string s = small.screen();
  INFO(s);
  size_t rows_small = count_lines(s, " worker ");
  size_t remote_small = remote_column(s);
  CHECK(rows_small > 0);
  CHECK(rows_small < 30);
  std::istringstream lines(s);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 80);
  CHECK(count_lines(s, "nginx") == 2);  // the stuck one among the first rows, the listener (port 8080) next

  {
    Tmux big("test");
    run_at(big, 160, 50);
    std::string b = big.screen();
    INFO(b);
    CHECK(count_lines(b, " worker ") == 30);
    CHECK(remote_column(b) > remote_small);
    big.keys("q");
    CHECK(big.wait_for("top-exited-0"));
  }

  small.resize(160, 50);
  CHECK(small.wait_until([](const std::string& x) { return count_lines(x, " worker ") == 30; }));
  CHECK(remote_column(small.screen()) > remote_small);
  small.resize(80, 24);
  CHECK(small.wait_until([&](const std::string& x) { return count_lines(x, " worker ") == rows_small; }));
  CHECK(remote_column(small.screen()) == remote_small);
  small.keys("q");
  CHECK(small.wait_for("top-exited-0"));
  check_restored(small);
}

// Issue 16: after End, a filter left the view scrolled where the old
// selection was: the footer counted the matches, one row was shown.
TEST_CASE("top -r: End then a filter shows every match from the top", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  INFO(t.screen());
  REQUIRE(open_replay(t, "", true));
  t.keys("End");
  REQUIRE(t.wait_until(
      [](const std::string& s) { return count_lines(s, " worker ") > 0 && count_lines(s, "nginx") == 0; }));
  t.keys("/ nginx Enter");
  REQUIRE(t.wait_for("2 of 42 sockets"));
  // the rows, not the status line's "filter 'nginx'"
  CHECK(t.wait_until([](const std::string& s) { return count_lines(s, " nginx ") == 2; }));
  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
}

// Issue 16: '/' matched 7006 inside 57006; the header counted every socket
// whatever --port said.
TEST_CASE("top -r: / takes :PORT, pid:, state: exactly, --port narrows the header's counts too", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  INFO(t.screen());
  REQUIRE(open_replay(t, "", true));
  // the 30 workers connect to :9000; a number is a pid or port exactly,
  // so "900" is not found inside 9000 (nor :900)
  t.keys("/ :9000 Enter");
  CHECK(t.wait_for("30 of 42 sockets"));
  t.keys("/ BSpace BSpace BSpace BSpace BSpace 900 Enter");
  CHECK(t.wait_for("0 of 42 sockets"));
  CHECK(t.wait_for("no sockets match the filter '900'"));
  t.keys("/ BSpace BSpace BSpace :900 Enter");
  CHECK(t.wait_for("no sockets match the filter ':900'"));
  t.keys("/ BSpace BSpace BSpace BSpace pid:200 Enter");
  CHECK(t.wait_for("2 of 42 sockets"));
  t.keys("/ BSpace BSpace BSpace BSpace BSpace BSpace BSpace state:close-wait Enter");
  CHECK(t.wait_for("1 of 42 sockets"));
  CHECK(t.wait_until([](const std::string& s) { return count_lines(s, " psql ") == 1; }));
  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));

  // --port: the rows and the header's counts are that port's sockets: the
  // listener and its accepted socket, curl's and wget's connections to it
  Tmux p("test");
  REQUIRE(open_replay(p, "--port 8080 ", true));
  CHECK(p.wait_for("4 of 4 sockets"));
  CHECK(p.wait_for("sockets 4:  (closed) 1  ESTAB 2  LISTEN 1"));
  p.keys("q");
  CHECK(p.wait_for("top-exited-0"));
}

namespace {

// The screen's line holding text (its first), or npos.
size_t line_of(const std::string& screen, const std::string& text) {
  std::istringstream in(screen);
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n)
    if (line.find(text) != std::string::npos) return n;
  return std::string::npos;
}

}  // namespace

// Issue 16: sorted by local port, the stuck socket was one row among
// thousands of idle ones; TIME_WAIT sockets filled whole screens.
TEST_CASE("top -r: by default sockets with a finding come first, then the fullest queue, above idle rows",
          "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  INFO(t.screen());
  REQUIRE(open_replay(t, "", true, 100, 50));
  REQUIRE(t.wait_for("backup"));
  std::string s = t.screen();
  INFO(s);
  // the order is named: the mark over the '!' column, and the status line
  CHECK(s.find("sort default") != std::string::npos);
  size_t header = line_of(s, " LOCAL");
  REQUIRE(header != std::string::npos);
  std::istringstream lines(s);
  std::string column_names;
  for (size_t i = 0; i <= header; ++i) std::getline(lines, column_names);
  CHECK(column_names.rfind("v ", 0) == 0);
  size_t stuck = line_of(s, " psql "), full = line_of(s, " backup "), idle = line_of(s, " worker ");
  REQUIRE(stuck != std::string::npos);
  REQUIRE(full != std::string::npos);
  REQUIRE(idle != std::string::npos);
  CHECK(stuck < idle);
  CHECK(full < idle);
  // every flagged row comes before every unflagged one
  std::istringstream in(s);
  bool unflagged_seen = false, flagged_after = false;
  size_t n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n <= header || line.empty() || line.find(" of 42 sockets") != std::string::npos) continue;
    if (line[0] == '!') flagged_after |= unflagged_seen;
    else unflagged_seen = true;
  }
  CHECK(unflagged_seen);
  CHECK_FALSE(flagged_after);

  // < from the default goes to the last column (not drawn at 100 columns);
  // > comes back to the default
  t.keys("'<'");
  CHECK(t.wait_for("sort FINDING"));
  CHECK(t.wait_until([](const std::string& x) { return x.find("\nv ") == std::string::npos; }));
  t.keys("'>'");
  CHECK(t.wait_for("sort default"));
  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
}

TEST_CASE("top -r: TIME_WAIT and closed sockets fold into one line per port, w shows each, the header counts all",
          "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed: skipped");
    return;
  }
  Tmux t("test");
  INFO(t.screen());
  REQUIRE(open_replay(t, "", true, 100, 50));
  REQUIRE(t.wait_for("[+] 5 sockets on :7000"));
  std::string s = t.screen();
  CHECK(count_lines(s, "lo:7000") == 0);
  CHECK(count_lines(s, "TIME-WAIT") == 2);  // the header's count and the folded line
  CHECK(s.find("TIME-WAIT 5") != std::string::npos);
  CHECK(s.find("[+] 1 socket on :40002") != std::string::npos);  // wget's, closed
  CHECK(s.find("42 of 42 sockets") != std::string::npos);

  t.keys("w");
  REQUIRE(t.wait_until([](const std::string& x) { return count_lines(x, "lo:7000") == 5; }));
  s = t.screen();
  CHECK(s.find("sockets on :") == std::string::npos);
  CHECK(s.find("wget") != std::string::npos);
  // a filter applies to them alike
  t.keys("/ :7000 Enter");
  CHECK(t.wait_for("5 of 42 sockets"));
  t.keys("w");
  CHECK(t.wait_for("[+] 5 sockets on :7000"));
  CHECK(t.wait_until([](const std::string& x) { return count_lines(x, "lo:7000") == 0; }));
  t.keys("q");
  CHECK(t.wait_for("top-exited-0"));
}
