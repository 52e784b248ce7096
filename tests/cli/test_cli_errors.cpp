// Usage errors that help (issue 16, items 4 and 8): an option a command
// would ignore is refused, a bad value says what is allowed in words, a
// typo gets "did you mean", a misplaced option is named in the order it
// was typed, and what can be checked before loading the probes is. No BPF
// needed: every case here fails before anything is loaded.
#include <unistd.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/cli/cli_run.h"
#include "tests/helpers/child.h"

using namespace testing;
using Catch::Contains;

namespace {

using Result = CliResult;

Result run(const std::vector<std::string>& args, const std::string& shell_prefix = "") {
  return run_sockscope(args, "cli-errors", shell_prefix, 20);
}

// Without root already, or as nobody: a check that comes after loading the
// probes would then say "needs root" instead.
std::string unprivileged() {
  return geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" : "env";
}


}  // namespace

TEST_CASE("errors: top --json and record --json are refused, saying what gives JSON", "[cli][errors]") {
  auto r = run({"top", "--json", "-r", seed_trace()});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("top does not take --json") && Contains("sockscope list --json"));
  CHECK_THAT(r.err, Contains("sockscope top --help"));

  r = run({"record", "-w", temp_path("refused.ssc"), "--json"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("record does not take --json") && Contains("--format jsonl"));

  // and their help does not offer it
  for (const char* cmd : {"top", "record"}) {
    auto h = run({cmd, "--help"});
    INFO(cmd);
    CHECK(h.status == 0);
    CHECK(h.out.find("--json") == std::string::npos);
  }
}

TEST_CASE("errors: top with stdout not a terminal says so, exits 2 and writes nothing there", "[cli][errors]") {
  // a TERM ncurses knows: without the check it would draw into the file
  auto r = run({"top", "-r", seed_trace()}, "env TERM=xterm");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("stdout is not one") && Contains("sockscope list"));
  CHECK(r.out.empty());

  // live, before loading anything: not "needs root"
  r = run({"top"}, "env TERM=xterm " + unprivileged());
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("stdout is not one"));
  CHECK(r.err.find("root") == std::string::npos);
}

TEST_CASE("errors: a number out of range says the range in words", "[cli][errors]") {
  auto r = run({"list", "--duration", "0"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--duration: 0 is too small; it must be more than 0 seconds"));
  CHECK(r.err.find("1797") == std::string::npos);  // DBL_MAX, digit by digit

  r = run({"nic", "--duration", "-1"});
  CHECK_THAT(r.err, Contains("it must be more than 0 seconds"));
  r = run({"top", "-d", "0", "-r", seed_trace()});
  CHECK_THAT(r.err, Contains("-d") && Contains("it must be more than 0 seconds"));
  r = run({"list", "--retention", "-5"});
  CHECK_THAT(r.err, Contains("--retention: -5 is too small; it must be 0 seconds or more"));
  r = run({"list", "--sample-interval", "7200"});
  CHECK_THAT(r.err, Contains("7200 is too large; it must be from 0.05 to 3600 seconds"));
  r = run({"diagnose", "--close-wait", "-3"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--close-wait: -3 is too small; it must be 0 or more"));
}

TEST_CASE("errors: a word where a number goes is 'not a number', not 'not in range'", "[cli][errors]") {
  auto r = run({"list", "--port", "abc"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--port: 'abc' is not a number; it must be a whole number from 1 to 65535"));
  CHECK(r.err.find("not in range") == std::string::npos);

  r = run({"list", "--port", "70000"});
  CHECK_THAT(r.err, Contains("70000 is too large; it must be a whole number from 1 to 65535"));
  r = run({"list", "--port", "80.5"});
  CHECK_THAT(r.err, Contains("80.5 is not a whole number"));
  r = run({"watch", "--pid", "abc"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--pid: 'abc' is not a number"));
  r = run({"list", "--duration", "soon"});
  CHECK_THAT(r.err, Contains("'soon' is not a number; it must be more than 0 seconds"));
  r = run({"list", "--ringbuf-mb", "many"});
  CHECK_THAT(r.err, Contains("--ringbuf-mb: 'many' is not a number"));
}

TEST_CASE("errors: a mistyped command or long option gets 'did you mean'", "[cli][errors]") {
  auto r = run({"lisst"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("unknown command 'lisst': did you mean 'list'?"));
  CHECK_THAT(r.err, Contains("sockscope --help"));

  r = run({"nci", "--duration", "1"});
  CHECK_THAT(r.err, Contains("did you mean 'nic'?"));
  // nothing close: the commands are listed instead of a wild guess
  r = run({"frobnicate"});
  CHECK_THAT(r.err, Contains("unknown command 'frobnicate': the commands are") && Contains("diagnose"));

  r = run({"list", "--durration", "1"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("list has no option --durration: did you mean --duration?"));
  CHECK_THAT(r.err, Contains("sockscope list --help"));
  r = run({"record", "-w", temp_path("x.ssc"), "--flush-intervall=2"});
  CHECK_THAT(r.err, Contains("did you mean --flush-interval?"));
  // an option before the command is told to go after it
  r = run({"--json", "list"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--json is an option of list: put it after the command ('sockscope list --json')"));
}

TEST_CASE("errors: an option the command does not take is named, in the order typed", "[cli][errors]") {
  auto r = run({"nic", "--port", "80"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("nic does not take --port") && Contains("not sockets"));
  CHECK(r.err.find("80 --port") == std::string::npos);
  // the value that belongs to the refused option is no mistake of its own
  CHECK(r.err.find("'80'") == std::string::npos);

  r = run({"nic", "--port", "80", "--comm", "nginx"});
  auto port = r.err.find("does not take --port"), comm = r.err.find("does not take --comm");
  REQUIRE(port != std::string::npos);
  REQUIRE(comm != std::string::npos);
  CHECK(port < comm);
  // the reason once, not on every line
  CHECK(r.err.find("not sockets") == r.err.rfind("not sockets"));

  // a word after the options is no option: for list it starts an ss
  // filter, and a command that takes none says so
  r = run({"nic", "stray"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("nic takes no argument 'stray'"));
  r = run({"list", "stray"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("filter: unknown word 'stray'"));
}

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
