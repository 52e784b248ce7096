// `sockscope top -r` end to end: in a detached 80x24 tmux pane, driven by
// keys, read back with capture-pane. Needs tmux (packaging/install-deps.sh).
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "../helpers/child.h"

using namespace testing;

namespace {

// A tmux server of our own (-L), killed on every exit path.
class Tmux {
 public:
  Tmux() : name_("sockscope-test-" + std::to_string(getpid())) {}
  ~Tmux() { std::system((base() + " kill-server >/dev/null 2>&1").c_str()); }
  std::string base() const { return "tmux -L " + name_ + " -f /dev/null"; }

  void start(const std::string& cmd) {
    std::string c = base() + " new-session -d -x 80 -y 24 \"" + cmd + "\"";
    REQUIRE(std::system(c.c_str()) == 0);
  }
  std::string screen() const { return run_capture(base() + " capture-pane -p 2>/dev/null"); }
  void keys(const std::string& k) const { std::system((base() + " send-keys " + k).c_str()); }
  // Waits until the pane shows text (or does not, with absent=true).
  bool wait_for(const std::string& text, bool absent = false, double timeout_s = 10) const {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      if ((screen().find(text) != std::string::npos) != absent) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

 private:
  std::string name_;
};

bool have_tmux() { return std::system("command -v tmux >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("top -r: the table, sort, filter, detail and back by keys, and q restores the terminal", "[ui][tmux]") {
  if (!have_tmux()) {
    WARN("tmux is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  Tmux t;
  std::string trace = std::string(SOCKSCOPE_SOURCE_DIR) + "/tests/data/top.ssc";
  t.start(sockscope_bin() + " top -r " + trace + " 2>/dev/null; echo top-exited-$?; sleep 60");
  INFO(t.screen());
  REQUIRE(t.wait_for("(end)"));  // the whole trace is read
  std::string s = t.screen();
  CHECK(s.find("LOCAL^") != std::string::npos);
  CHECK(s.find("nginx") != std::string::npos);
  CHECK(s.find("CLOSE_WAIT") != std::string::npos);
  CHECK(s.find("redis-cli") != std::string::npos);

  t.keys("'>'");
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
  // the shell after it prints on the normal screen: the terminal is back
  CHECK(t.wait_for("top-exited-0"));
  CHECK(t.screen().find("REMOTE^") == std::string::npos);
}
