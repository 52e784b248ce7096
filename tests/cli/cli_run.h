// Running the sockscope binary from a command-line test, and the trace
// checked into the tree that these tests read without root.
#pragma once

#include <string>
#include <vector>

#include "tests/helpers/child.h"

namespace testing {

struct CliResult {
  int status;
  std::string out, err;
};

// Runs sockscope with args (its output in temp files named after tag);
// shell_prefix (e.g. "env TERM=xterm", or a setpriv command) runs it
// through /bin/sh, with stdin from /dev/null.
inline CliResult run_sockscope(const std::vector<std::string>& args, const std::string& tag,
                               const std::string& shell_prefix = "", int timeout_s = 60) {
  std::vector<std::string> argv{sockscope_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!shell_prefix.empty()) {
    std::string cmd = shell_prefix + " '" + sockscope_bin() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    argv = {"/bin/sh", "-c", cmd + " </dev/null"};
  }
  Child c(argv, temp_path(tag + ".out"), temp_path(tag + ".err"));
  int st = c.wait(timeout_s);
  return {st, c.out(), c.err()};
}

// The fuzzer's seed trace: every record kind, readable without root.
inline std::string seed_trace() { return std::string(SOCKSCOPE_SOURCE_DIR) + "/tests/fuzz/corpus/plain.ssc"; }

}  // namespace testing
