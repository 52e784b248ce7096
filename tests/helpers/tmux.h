// A tmux server of the test's own (-L) for driving the live view in a real
// terminal: one per instance (a name reused at once could reach the previous
// server while it shuts down), killed on every exit path, which also ends a
// sockscope still running in it (SIGHUP stops it cleanly).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

#include "tests/helpers/child.h"

namespace testing {

inline bool have_tmux() { return std::system("command -v tmux >/dev/null 2>&1") == 0; }

// The pid a command in the pane wrote to this file (`echo $$ > F; exec ...`),
// waiting up to 5 s for it to appear; 0 if it never does.
inline pid_t read_pid(const std::string& path) {
  pid_t pid = 0;
  for (int i = 0; i < 100 && pid <= 0; ++i) {
    std::ifstream(path) >> pid;
    if (pid <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pid;
}

class Tmux {
 public:
  explicit Tmux(const std::string& tag)
      : name_("sockscope-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(++instances_)) {}
  ~Tmux() {
    // fails when the server is gone already: nothing left to kill
    [[maybe_unused]] int rc = std::system((base() + " kill-server >/dev/null 2>&1").c_str());
    if (!script_.empty()) std::remove(script_.c_str());
  }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;
  std::string base() const { return "tmux -L " + name_ + " -f /dev/null"; }
  static void must(const std::string& command) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }

  // Runs a shell script in a new detached session of width x height; false
  // when tmux could not start it.
  bool start_script(const std::string& script, int width = 80, int height = 24) {
    script_ = temp_path(name_ + ".sh");
    std::ofstream(script_) << script;
    std::string c = base() + " new-session -d -x " + std::to_string(width) + " -y " + std::to_string(height) +
                    " \"sh " + script_ + "\"";
    return std::system(c.c_str()) == 0;
  }
  std::string screen() const { return run_capture(base() + " capture-pane -p 2>/dev/null"); }
  // The screen and the lines scrolled off it (the normal screen only),
  // with wrapped lines joined.
  std::string history() const { return run_capture(base() + " capture-pane -p -J -S - 2>/dev/null"); }
  // Both throw when tmux refuses: a key never typed must fail the test
  // with its own reason, not as a screen that never changes.
  void keys(const std::string& k) const { must(base() + " send-keys " + k); }
  void resize(int width, int height) const {
    must(base() + " resize-window -x " + std::to_string(width) + " -y " + std::to_string(height));
  }
  // Whether the pane shows the alternate screen (a full-screen program's).
  bool alternate_on() const { return run_capture(base() + " display -p '#{alternate_on}'").find('1') == 0; }
  // Waits until ok(screen) (bounded: a failing test ends).
  bool wait_until(const std::function<bool(const std::string&)>& ok, double timeout_s = 10) const {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      if (ok(screen())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // Waits until the pane shows text (or does not, with absent=true).
  bool wait_for(const std::string& text, bool absent = false, double timeout_s = 10) const {
    return wait_until([&](const std::string& s) { return (s.find(text) != std::string::npos) != absent; },
                      timeout_s);
  }

 private:
  static inline int instances_ = 0;
  std::string name_, script_;
};

}  // namespace testing
