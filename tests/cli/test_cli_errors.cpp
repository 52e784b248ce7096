// Usage errors that help (issue 16, items 4 and 8): an option a command
// would ignore is refused, a bad value says what is allowed in words, a
// typo gets "did you mean", a misplaced option is named in the order it
// was typed, and what can be checked before loading the probes is. No BPF
// needed: every case here fails before anything is loaded.
#include <unistd.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/helpers/child.h"

using namespace testing;
using Catch::Contains;

namespace {

struct Result {
  int status;
  std::string out, err;
};

// Runs sockscope with args; shell_prefix (e.g. "env TERM=xterm") runs it
// through /bin/sh, with stdin from /dev/null.
Result run(const std::vector<std::string>& args, const std::string& shell_prefix = "") {
  std::vector<std::string> argv{sockscope_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!shell_prefix.empty()) {
    std::string cmd = shell_prefix + " '" + sockscope_bin() + "'";
    for (const auto& a : args) cmd += " '" + a + "'";
    argv = {"/bin/sh", "-c", cmd + " </dev/null"};
  }
  Child c(argv, temp_path("cli-errors.out"), temp_path("cli-errors.err"));
  int st = c.wait(20);
  return {st, c.out(), c.err()};
}

// Without root already, or as nobody: a check that comes after loading the
// probes would then say "needs root" instead.
std::string unprivileged() {
  return geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" : "env";
}

}  // namespace

TEST_CASE("errors: record -w into a missing directory fails before loading any probe", "[cli][errors]") {
  auto r = run({"record", "-w", "/nonexistent/dir/x.ssc"}, unprivileged());
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("cannot create the trace file /nonexistent/dir/x.ssc: the directory /nonexistent/dir "
                             "does not exist"));
  CHECK(r.err.find("root") == std::string::npos);
  CHECK(r.err.find("probes") == std::string::npos);

  // the same for -w on the other commands, and for a directory given as the file
  r = run({"list", "-w", "/tmp"}, unprivileged());
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("cannot create the trace file /tmp: it is a directory"));
}
