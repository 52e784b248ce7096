// Runs sockscope for a test and parses what it printed.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/helpers/child.h"

namespace testing {

// --duration for a run the test ends with stop() once it has made its
// traffic and read the kernel's own counts: a fixed duration would race the
// test's steps on a slow machine. This only bounds a test that fails early.
inline const std::string kUntilStopped = "120";

class SockscopeRun {
 public:
  // args after the binary, e.g. {"watch", "--json"}; waits until all probes
  // are attached (fails the test otherwise).
  explicit SockscopeRun(std::vector<std::string> args, const std::string& tag);
  Child& child() { return *child_; }
  // SIGINT (or sig) and wait; returns the exit status.
  int stop(int sig = 2);
  int wait(double timeout_s) { return child_->wait(timeout_s); }
  std::vector<nlohmann::json> json_lines() const;
  nlohmann::json json_doc() const;
  // The value of key=N in the exit summary line, -1 if absent.
  long long summary(const std::string& key) const;

 private:
  std::unique_ptr<Child> child_;
};

// A sockscope run that needs no probes (reading a trace): run to its end.
struct Finished {
  int status = -1;
  std::string out, err;
};
Finished run_to_end(std::vector<std::string> args, const std::string& tag, double timeout_s = 60);

}  // namespace testing
