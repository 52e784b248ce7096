// `sockscope top` live, as root on real BPF: in a detached 80x24 tmux
// pane, a connection the test makes on loopback shows up as a row within
// one refresh (plus start-up slack) and fades to "(closed)" once closed; q
// and SIGTERM give the terminal back; `top -w` ended by SIGTERM leaves a
// complete trace. Needs tmux (packaging/install-deps.sh).
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/helpers/net.h"
#include "tests/helpers/observers.h"
#include "tests/helpers/tmux.h"
#include "tests/integration/list_helpers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;

namespace {

// The live view's header is up: the probes are loaded and attached. On
// failure, the screen and sockscope's stderr as they are at the timeout
// (an INFO written before the wait would show them at its start).
void require_live(const Tmux& t, const std::string& err_file, double timeout_s) {
  auto start = std::chrono::steady_clock::now();
  bool live = t.wait_until([](const std::string& s) { return s.rfind("live", 0) == 0; }, timeout_s);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("after " << waited << " s, screen:\n" << t.screen() << "\nstderr:\n" << read_file(err_file));
  REQUIRE(live);
}


// sockscope with args in the pane (stderr to err_file; its pid in pid_file),
// then its exit status and the terminal's settings.
std::string pane_script(const std::string& args, const std::string& err_file, const std::string& pid_file) {
  return "sh -c 'echo $$ > " + pid_file + "; exec \"$@\"' sh " + sockscope_bin() + " " + args + " 2>" + err_file +
         "\necho top-exited-$?\nstty -a\necho stty-done\nsleep 60\n";
}

// Start-up: the BPF programs load before the view starts.
constexpr double kStartup_s = 30;
// A new row shows within one refresh (-d 1) plus slack for the pipeline.
constexpr double kRowBound_s = 3;

// The client's row: its ports in order (local, then remote; the addresses
// may be cut on the left to fit), its state and the test's pid.
bool has_row(const std::string& screen, uint16_t local, uint16_t remote, const std::string& state) {
  std::istringstream in(screen);
  // built by appending: "x" + a temporary string sets off g++ 12's -Wrestrict at -O3
  auto field = [](char before, long v) {
    std::string s(1, before);
    s += std::to_string(v);
    s += ' ';
    return s;
  };
  std::string l = field(':', local), r = field(':', remote), pid = field(' ', getpid());
  for (std::string line; std::getline(in, line);) {
    size_t at = line.find(l);
    if (at != std::string::npos && line.find(r, at + l.size()) != std::string::npos &&
        line.find(state) != std::string::npos && line.find(pid) != std::string::npos)
      return true;
  }
  return false;
}

void check_restored(const Tmux& t) {
  REQUIRE(t.wait_for("stty-done", false, 20));
  std::string s = t.history();
  INFO(s);
  CHECK_FALSE(t.alternate_on());
  std::istringstream in(s);
  bool echo = false, icanon = false, off = false;
  for (std::string w; in >> w;) {
    echo |= w == "echo";
    icanon |= w == "icanon";
    off |= w == "-echo" || w == "-icanon";
  }
  CHECK(echo);
  CHECK(icanon);
  CHECK_FALSE(off);
}

}  // namespace

TEST_CASE("top live: a new loopback connection shows as a row within a refresh, then fades to (closed)",
          "[kernel][top]") {
  if (!have_tmux()) {
    WARN("tmux is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  uint16_t port = free_port();
  Fd listener = tcp_listen(AF_INET, port);
  std::string err = temp_path("top-live.err"), pid_file = temp_path("top-live.pid");
  std::remove(pid_file.c_str());
  Tmux t("live");
  REQUIRE(t.start_script(pane_script("top -d 1 --port " + std::to_string(port), err, pid_file)));
  require_live(t, err, kStartup_s);
  CHECK(read_file(err).find("probes attached") != std::string::npos);
  CHECK(read_file(err).find("not attached") == std::string::npos);

  Fd client = tcp_connect(AF_INET, port);
  Fd server = tcp_accept(listener);
  uint16_t cport = local_port(client);
  INFO("client port " << cport);
  bool shown = t.wait_until([&](const std::string& s) { return has_row(s, cport, port, "ESTAB"); }, kRowBound_s);
  INFO("screen then:\n" << t.screen());
  CHECK(shown);

  // the server closes first, so the client's end goes through CLOSE_WAIT
  // and LAST_ACK to closed (not TIME_WAIT); it stays for --retention,
  // folded into its port's line (TIME_WAIT and closed sockets are, one line
  // per local port) until `w` shows its row, faded
  server.close();
  client.close();
  std::string folded = "1 socket on :";  // appended: g++ 12 -O3, as in has_row
  folded += std::to_string(cport);
  folded += ' ';
  bool folded_shown = t.wait_until(
      [&](const std::string& s) {
        std::istringstream in(s);
        for (std::string line; std::getline(in, line);)
          if (line.find(folded) != std::string::npos && line.find("(closed)") != std::string::npos) return true;
        return false;
      },
      kRowBound_s);
  INFO("screen then:\n" << t.screen());
  CHECK(folded_shown);
  t.keys("w");
  bool faded = t.wait_until([&](const std::string& s) { return has_row(s, cport, port, "(closed)"); }, kRowBound_s);
  INFO("screen then:\n" << t.screen());
  CHECK(faded);

  t.keys("q");
  CHECK(t.wait_for("top-exited-0", false, 20));
  check_restored(t);
  std::remove(err.c_str());
  std::remove(pid_file.c_str());
}

TEST_CASE("top -w live, ended by SIGTERM: the terminal is back and the trace is complete", "[kernel][top]") {
  if (!have_tmux()) {
    WARN("tmux is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  uint16_t port = free_port();
  Fd listener = tcp_listen(AF_INET, port);
  std::string err = temp_path("top-live-w.err"), pid_file = temp_path("top-live-w.pid");
  std::string file = temp_path("top-live.ssc");
  std::remove(pid_file.c_str());
  std::remove(file.c_str());
  Tmux t("live");
  REQUIRE(t.start_script(pane_script("top -d 1 --port " + std::to_string(port) + " -w " + file, err, pid_file)));
  require_live(t, err, kStartup_s);

  Fd client = tcp_connect(AF_INET, port);
  Fd server = tcp_accept(listener);
  uint16_t cport = local_port(client);
  bool shown = t.wait_until([&](const std::string& s) { return has_row(s, cport, port, "ESTAB"); }, kRowBound_s);
  INFO("screen then:\n" << t.screen());
  REQUIRE(shown);

  pid_t pid = read_pid(pid_file);
  REQUIRE(pid > 0);
  REQUIRE(kill(pid, SIGTERM) == 0);
  CHECK(t.wait_for("top-exited-0", false, 20));
  check_restored(t);
  CHECK(read_file(err).find("recorded ") != std::string::npos);

  Finished list = run_to_end({"list", "-r", file, "--json"}, "top-live-list");
  INFO(list.err);
  REQUIRE(list.status == 0);
  CHECK(list.err.find("no end record") == std::string::npos);
  auto json = nlohmann::json::parse(list.out);
  Ends ends = find_ends(json, "127.0.0.1", port, cport);
  REQUIRE(ends.client != nullptr);
  REQUIRE(ends.server != nullptr);
  CHECK((*ends.client)["state"] == "ESTABLISHED");
  CHECK((*ends.client)["pid"] == getpid());
  std::remove(err.c_str());
  std::remove(pid_file.c_str());
  std::remove(file.c_str());
}

TEST_CASE("top live: D attaches the syscalls tier for the selected socket's process, and D again detaches it",
          "[kernel][top][tiers]") {
  if (!have_tmux()) {
    WARN("tmux is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  // links of loaded ss_sys_enter programs: the syscalls tier is attached
  // while there is one (no other sockscope runs during kernel tests)
  auto sys_enter_links = [] {
    std::set<uint32_t> ids;
    for (const auto& p : loaded_sockscope_prog_ids())
      if (p.name == "ss_sys_enter") ids.insert(p.id);
    size_t n = 0;
    for (uint32_t id : bpf_link_prog_ids()) n += ids.count(id);
    return n;
  };
  uint16_t port = free_port();
  Fd listener = tcp_listen(AF_INET, port);
  Fd client = tcp_connect(AF_INET, port);
  Fd server = tcp_accept(listener);
  std::string err = temp_path("top-detail.err"), pid_file = temp_path("top-detail.pid");
  std::remove(pid_file.c_str());
  Tmux t("detail-key");
  REQUIRE(t.start_script(pane_script("top -d 1 --port " + std::to_string(port), err, pid_file)));
  require_live(t, err, kStartup_s);
  auto header_says = [&](const std::string& tier) {
    return t.wait_until([&](const std::string& s) { return s.find("tier " + tier + " ") != std::string::npos; },
                        kRowBound_s);
  };
  // the default tier alone: the syscall programs are loaded, not attached
  REQUIRE(t.wait_until([&](const std::string& s) { return has_row(s, local_port(client), port, "ESTAB"); },
                       kRowBound_s));
  INFO("screen:\n" << t.screen());
  CHECK(header_says("default"));
  CHECK(sys_enter_links() == 0);

  t.keys("D");  // every row is this test's process: the selected one is too
  CHECK(header_says("default+syscalls"));
  CHECK(sys_enter_links() == 1);

  t.keys("D");
  CHECK(header_says("default"));
  CHECK(sys_enter_links() == 0);

  t.keys("q");
  CHECK(t.wait_for("top-exited-0", false, 20));
  std::remove(err.c_str());
  std::remove(pid_file.c_str());
}
