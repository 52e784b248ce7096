// Runs sockscope (or any command) as a child with stdout and stderr in
// files, so a test can wait for what it prints and stop it with a signal.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace testing {

class Child {
 public:
  Child(std::vector<std::string> argv, const std::string& out_path, const std::string& err_path);
  ~Child();  // kills the child if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Waits until stderr contains text; false after timeout or exit.
  bool wait_for_stderr(const std::string& text, double timeout_s);
  void signal(int sig);
  // Exit status, or -1 after timeout (the child is then killed).
  int wait(double timeout_s);
  std::string out() const;
  std::string err() const;
  // What the child used, measured by the kernel at its exit (after wait()
  // returned its status): CPU seconds (user + system), and its largest
  // resident set in KiB.
  double cpu_seconds() const;
  long max_rss_kib() const { return usage_.ru_maxrss; }

 private:
  pid_t pid_ = -1;
  rusage usage_{};
  std::string out_path_, err_path_;
};

std::string read_file(const std::string& path);
// Runs a command, returns its stdout (stderr is passed through).
std::string run_capture(const std::string& cmd);
std::string sockscope_bin();
std::string temp_path(const std::string& name);

}  // namespace testing
