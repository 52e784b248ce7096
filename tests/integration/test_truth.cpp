// "The model equals the kernel". sockscope runs `list --json`; a workload
// runs; at a quiet instant (nothing in flight) ss and the model are read one
// after the other, and every socket ss shows must be live in the model with
// the same state, queues, endpoints and owners, and the model must hold
// nothing live that ss does not show. Also how sockets end (reset, owner
// exited, TIME_WAIT reused), what the model knows of sockets older than
// sockscope, a stopped sockscope catching up, and a killed one leaving
// nothing in the kernel.
//
// The workload is tests/tools/busy.cpp: a thread-per-connection (or
// prefork) server and its clients in one process, both CPUs busy. Its
// SIGUSR1 makes it quiet (it prints "quiet"), SIGUSR2 busy again; SIGUSR1
// to `sockscope list --json` prints the model at once as one JSON line.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <catch2/catch.hpp>

#include "tests/helpers/child.h"
#include "tests/helpers/net.h"
#include "tests/helpers/netns.h"
#include "tests/helpers/observers.h"
#include "tests/helpers/tmux.h"
#include "tests/helpers/wait.h"
#include "tests/integration/list_helpers.h"
#include "tests/integration/sockscope_run.h"

using namespace testing;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kInterval = 1.0;  // --sample-interval
// ACKs and the last closes settle after "quiet" before ss and the model are read
constexpr double kSettle = 2.5;
constexpr int kSoCookie = 57;  // SO_COOKIE, not in every libc's headers


double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

uint64_t own_netns() {
  struct stat st {};
  return stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
}

uint64_t so_cookie(int fd) {
  uint64_t c = 0;
  socklen_t len = sizeof(c);
  return getsockopt(fd, SOL_SOCKET, kSoCookie, &c, &len) == 0 ? c : 0;
}

// --- the model: `sockscope list --json`, snapshots on SIGUSR1 ------------

class Model {
 public:
  explicit Model(const std::string& tag, std::vector<std::string> extra = {})
      : out_path_(temp_path(tag + ".out")), err_path_(temp_path(tag + ".err")) {
    std::vector<std::string> args{"list", "--json", "--duration", kUntilStopped, "--sample-interval", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    run_ = std::make_unique<SockscopeRun>(args, tag);
  }
  ~Model() {
    run_.reset();  // kills sockscope if still running
    unlink(out_path_.c_str());
    unlink(err_path_.c_str());
  }

  // SIGUSR1: the table at this instant, one JSON array on one line.
  json snapshot(double timeout_s = 30) {
    run_->child().signal(SIGUSR1);
    auto end = Clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
      read_more();
      if (!lines_.empty()) {
        std::string line = std::move(lines_.front());
        lines_.pop_front();
        json j = json::parse(line, nullptr, false);
        INFO("sockscope printed after SIGUSR1: " << line.substr(0, 300));
        REQUIRE(j.is_array());
        return j;
      }
      INFO("no one-line JSON dump " << timeout_s << " s after SIGUSR1; sockscope stderr: " << run_->child().err());
      REQUIRE(Clock::now() < end);
      sleep_s(0.02);
    }
  }
  SockscopeRun& run() { return *run_; }
  void signal(int sig) { run_->child().signal(sig); }
  int stop() { return run_->stop(); }
  long long summary(const std::string& key) const { return run_->summary(key); }
  std::string err() const { return run_->child().err(); }

 private:
  // Complete lines of stdout not read yet (a dump can be tens of MB).
  void read_more() {
    int fd = open(out_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    std::string chunk(1 << 20, '\0');
    ssize_t n;
    while ((n = pread(fd, chunk.data(), chunk.size(), offset_)) > 0) {
      offset_ += n;
      partial_.append(chunk.data(), size_t(n));
    }
    close(fd);
    size_t start = 0, nl;
    while ((nl = partial_.find('\n', start)) != std::string::npos) {
      if (nl > start) lines_.push_back(partial_.substr(start, nl - start));
      start = nl + 1;
    }
    partial_.erase(0, start);
  }

  std::string out_path_, err_path_;
  std::unique_ptr<SockscopeRun> run_;
  off_t offset_ = 0;
  std::string partial_;
  std::deque<std::string> lines_;
};

// --- the workload: tests/tools/busy -------------------------------------

class Busy {
 public:
  Busy(const std::string& tag, std::vector<std::string> args)
      : out_path_(temp_path(tag + ".out")), err_path_(temp_path(tag + ".err")) {
    args.insert(args.begin(), BUSY_BIN);
    child_ = std::make_unique<Child>(args, out_path_, err_path_);
    bool up = eventually([&] { return !line_starting("ready ").empty(); }, 15);
    INFO("busy stdout: " << child_->out() << "\nbusy stderr: " << child_->err());
    REQUIRE(up);
    const std::string ready = line_starting("ready ");
    port = uint16_t(num(ready, "port"));
    udp_port = uint16_t(num(ready, "udp_port"));
    pid = int(num(ready, "pid"));
    short_request = uint64_t(num(ready, "short_request"));
    short_reply = uint64_t(num(ready, "short_reply"));
    std::smatch m;
    if (std::regex_search(ready, m, std::regex("children=([0-9,]+)"))) {
      std::istringstream in(m[1].str());
      std::string c;
      while (std::getline(in, c, ',')) children.insert(std::stoi(c));
    }
    REQUIRE(port != 0);
    REQUIRE(pid > 0);
  }
  ~Busy() {
    child_.reset();
    unlink(out_path_.c_str());
    unlink(err_path_.c_str());
  }

  // SIGUSR1, then waits for "quiet": no request, reply or upload byte in flight.
  void quiet() {
    child_->signal(SIGUSR1);
    bool ok = eventually([&] { return count("quiet") > quiets_; }, 20);
    INFO("busy did not become quiet; stdout: " << child_->out() << "\nstderr: " << child_->err());
    REQUIRE(ok);
    ++quiets_;
  }
  void resume() {
    child_->signal(SIGUSR2);
    bool ok = eventually([&] { return count("busy") > resumes_; }, 10);
    INFO("busy did not resume; stdout: " << child_->out());
    REQUIRE(ok);
    ++resumes_;
  }
  // Waits for the end; the summary's counts are then in summary().
  int finish(double timeout_s) {
    int status = child_->wait(timeout_s);
    const std::string s = line_starting("summary ");
    for (const char* k : {"connections", "short", "requests", "bulk_bytes", "udp_round_trips", "errors"})
      summary[k] = num(s, k);
    return status;
  }
  // The client ports of the long-lived (request/response, bulk) connections.
  std::set<uint16_t> long_cports() const {
    std::set<uint16_t> ports;
    std::istringstream in(child_->out());
    std::string l;
    while (std::getline(in, l))
      if (l.rfind("conn ", 0) == 0) ports.insert(uint16_t(num(l, "cport")));
    return ports;
  }
  std::string out() const { return child_->out(); }
  std::string err() const { return child_->err(); }
  // Ends the load now (busy stops as at its --seconds); finish() then waits.
  void stop() { child_->signal(SIGINT); }

  uint16_t port = 0, udp_port = 0;
  int pid = 0;
  std::set<int> children;  // prefork
  uint64_t short_request = 0, short_reply = 0;
  std::map<std::string, long long> summary;

 private:
  std::string line_starting(const std::string& prefix) const {
    std::istringstream in(child_->out());
    std::string l, found;
    while (std::getline(in, l))
      if (l.rfind(prefix, 0) == 0) found = l;
    return found;
  }
  size_t count(const std::string& line) const {
    std::istringstream in(child_->out());
    std::string l;
    size_t n = 0;
    while (std::getline(in, l)) n += l == line;
    return n;
  }
  static long long num(const std::string& line, const std::string& key) {
    std::smatch m;
    return std::regex_search(line, m, std::regex("\\b" + key + "=([0-9]+)")) ? std::stoll(m[1]) : -1;
  }

  std::string out_path_, err_path_;
  std::unique_ptr<Child> child_;
  size_t quiets_ = 0, resumes_ = 0;
};

// --- comparing ss with the model -----------------------------------------

// Which sockets a comparison covers: this netns, loopback, these ports
// (TCP and UDP port numbers are separate spaces).
struct Scope {
  uint64_t netns = own_netns();
  std::set<uint16_t> tcp_ports, udp_ports;

  bool covers(const std::string& proto, const std::string& local, const std::string& remote) const {
    const auto& ports = proto == "tcp" ? tcp_ports : udp_ports;
    const std::string host = endpoint_host(local);
    if (host != "127.0.0.1" && host != "[::1]") return false;
    return ports.count(endpoint_port(local)) || ports.count(endpoint_port(remote));
  }
  bool covers(const SsSocket& r) const { return covers(r.proto, r.local, r.peer); }
  bool covers(const json& s) const {
    // netns 0 (not known) stays in: a socket of ours with a wrong netns must not hide
    uint64_t ns = s.value("netns", uint64_t(0));
    return (ns == netns || ns == 0) && covers(s.value("proto", ""), s.value("local", ""), s.value("remote", ""));
  }
};

std::string show(const json& s) {
  std::ostringstream o;
  o << "cookie=" << s.value("cookie", uint64_t(0)) << " " << s.value("proto", "?") << " " << s.value("state", "?")
    << (s.value("closed", false) ? " closed end=" + s.value("end", json()).dump() : "") << " " << s.value("local", "?")
    << " -> " << s.value("remote", "?") << " rx_queue=" << s.value("rx_queue", json()).dump()
    << " tx_queue=" << s.value("tx_queue", json()).dump() << " pid=" << s.value("pid", 0) << " comm="
    << s.value("comm", "") << " fd=" << s.value("fd", json()).dump() << " owners=" << s.value("owners", json()).dump()
    << " sent=" << s.value("bytes_sent", json()).dump() << " received=" << s.value("bytes_received", json()).dump()
    << " drops=" << s.value("drops", json()).dump();
  return o.str();
}

using Owners = std::set<std::pair<int, int>>;  // (pid, fd)
Owners owners_of(const json& s) {
  Owners o;
  if (s.contains("owners") && s["owners"].is_array())
    for (const auto& x : s["owners"]) o.insert({x.value("pid", 0), x.value("fd", -1)});
  return o;
}
Owners owners_of(const SsSocket& r) {
  Owners o;
  for (const auto& x : r.owners) o.insert({x.pid, x.fd});
  return o;
}
std::string show(const Owners& o) {
  std::string s;
  for (const auto& [pid, fd] : o) s += "(pid=" + std::to_string(pid) + ",fd=" + std::to_string(fd) + ")";
  return s.empty() ? "none" : s;
}

// ss options: -p (owners), -i (lastsnd/lastrcv), a filter on a port.
SsOptions owners_too() {
  SsOptions o;
  o.processes = true;
  return o;
}
std::string on_port(uint16_t port) {
  return "( sport = :" + std::to_string(port) + " or dport = :" + std::to_string(port) + " )";
}
SsOptions only(const std::string& filter, bool owners = false, bool info = false) {
  SsOptions o;
  o.filter = filter;
  o.processes = owners;
  o.info = info;
  return o;
}

// ss (tcp, and udp when asked) with owners, then the model at once.
struct Snapshot {
  std::vector<SsSocket> ss;
  json model;
};
Snapshot take(Model& model, bool udp) {
  Snapshot s;
  s.ss = ss_snapshot(true, owners_too());
  if (udp) {
    auto u = ss_snapshot(false, owners_too());
    s.ss.insert(s.ss.end(), u.begin(), u.end());
  }
  s.model = model.snapshot();
  return s;
}

// What differs between ss and the model within the scope, one line each:
// every socket ss shows is live in the model (found by its cookie) with
// the same state, Recv-Q/Send-Q as rx_queue/tx_queue, endpoints and owners;
// nothing else is live in the model except TCP sockets in CLOSE (which ss
// does not list); a TIME_WAIT has rx_queue 0.
std::vector<std::string> differences(const Snapshot& snap, const Scope& scope) {
  std::vector<std::string> problems;
  std::unordered_map<uint64_t, const json*> model;
  for (const auto& s : snap.model)
    if (scope.covers(s)) model[s.value("cookie", uint64_t(0))] = &s;
  std::unordered_set<uint64_t> in_ss;
  for (const SsSocket& r : snap.ss) {
    if (!scope.covers(r)) continue;
    in_ss.insert(r.cookie);
    auto it = model.find(r.cookie);
    if (r.cookie == 0 || it == model.end()) {
      problems.push_back("not in the model: ss " + r.text);
      continue;
    }
    const json& s = *it->second;
    std::vector<std::string> what;
    if (s.value("closed", true)) what.push_back("closed");
    if (s.value("state", "") != sockscope_state(r.proto, r.state)) what.push_back("state");
    if (s.value("rx_queue", uint64_t(1) << 62) != r.recv_q) what.push_back("rx_queue");
    if (s.value("tx_queue", uint64_t(1) << 62) != r.send_q) what.push_back("tx_queue");
    if (s.value("local", "") != r.local || s.value("remote", "") != r.peer) what.push_back("endpoints");
    if (owners_of(s) != owners_of(r)) what.push_back("owners (ss: " + show(owners_of(r)) + ")");
    if (!what.empty()) {
      std::string w;
      for (const auto& x : what) w += (w.empty() ? "" : ", ") + x;
      problems.push_back("differs in " + w + ":\n    model " + show(s) + "\n    ss    " + r.text);
    }
  }
  for (const auto& [cookie, s] : model) {
    if (s->value("closed", true)) continue;
    const std::string state = s->value("state", "");
    if (state == "TIME_WAIT" && s->value("rx_queue", uint64_t(1)) != 0)
      problems.push_back("TIME_WAIT with data queued: " + show(*s));
    if (in_ss.count(cookie) || (s->value("proto", "") == "tcp" && state == "CLOSE")) continue;
    problems.push_back("live in the model, not in ss: " + show(*s));
  }
  return problems;
}

std::string first(const std::vector<std::string>& problems, size_t n = 25) {
  std::string s;
  for (size_t i = 0; i < problems.size() && i < n; ++i) s += "  " + problems[i] + "\n";
  if (problems.size() > n) s += "  ... and " + std::to_string(problems.size() - n) + " more\n";
  return s;
}

// expect_sockets: ss must show some socket in scope (or else the
// comparison proves nothing).
void check_same(const Snapshot& snap, const Scope& scope, const std::string& when, bool expect_sockets = true) {
  auto problems = differences(snap, scope);
  size_t in_scope = std::count_if(snap.ss.begin(), snap.ss.end(), [&](const SsSocket& r) { return scope.covers(r); });
  INFO(when << ": " << problems.size() << " differences between ss (" << in_scope
            << " sockets in scope) and the model:\n"
            << first(problems));
  CHECK((in_scope > 0) == expect_sockets);
  CHECK(problems.empty());
}

const json* by_cookie(const json& list, uint64_t cookie) {
  for (const auto& s : list)
    if (s.value("cookie", uint64_t(0)) == cookie) return &s;
  return nullptr;
}

// --- test 1: a busy healthy server ---------------------------------------

enum class Mode { Threads, Prefork };

// Who owns what, beyond "the same as ss": in threads mode busy's one pid
// owns every socket; in prefork mode the children hold the listener (each
// of them, and not the parent) and the accepted sockets, the parent the
// clients.
void check_ownership(const Snapshot& snap, const Scope& scope, const Busy& busy, Mode mode) {
  std::vector<std::string> problems;
  std::set<int> server_pids = mode == Mode::Prefork ? busy.children : std::set<int>{busy.pid};
  int listeners = 0;
  for (const auto& s : snap.model) {
    if (!scope.covers(s) || s.value("closed", true) || s.value("proto", "") != "tcp") continue;
    const std::string state = s.value("state", "");
    if (state == "TIME_WAIT" || state == "CLOSE") {
      if (!owners_of(s).empty()) problems.push_back("no fd holds a " + state + " socket: " + show(s));
      continue;
    }
    const bool server_side = endpoint_port(s.value("local", "")) == busy.port;
    std::set<int> want = server_side ? server_pids : std::set<int>{busy.pid};
    std::set<int> have;
    for (const auto& [pid, fd] : owners_of(s)) have.insert(pid);
    if (state == "LISTEN") {
      ++listeners;
      if (have != want) problems.push_back("listener not held by exactly the server processes: " + show(s));
    } else if (have.size() != 1 || !want.count(*have.begin())) {
      problems.push_back(std::string(server_side ? "accepted" : "client") + " socket not owned by one " +
                         (server_side && mode == Mode::Prefork ? "child" : "busy process") + ": " + show(s));
    }
    if (!want.count(s.value("pid", 0)) || s.value("comm", "") != "busy")
      problems.push_back("pid/comm is not " + std::string(server_side ? "a server's" : "the clients'") + ": " + show(s));
  }
  INFO("busy pid " << busy.pid << ", children " << busy.children.size() << "\n" << first(problems));
  CHECK(listeners == 1);
  CHECK(problems.empty());
}

void busy_server_truth(Mode mode, bool ipv6, bool udp) {
  Model model("truth-busy", {"--retention", "20"});
  // Stopped after the third quiet instant, not at a fixed time: on a host
  // that is busy besides (both CPUs taken by other work) the three rounds
  // took more than the 30 s busy once ran for, and it had ended before
  // the last resume. --seconds is only the bound if the test dies.
  std::vector<std::string> args{"--seconds", "120", "--short-rate", "500"};
  if (mode == Mode::Prefork) args.insert(args.end(), {"--mode", "prefork"});
  if (ipv6) args.push_back("--ipv6");
  if (udp) args.push_back("--udp");
  const auto start = Clock::now();
  Busy busy("truth-busy-wl", args);
  Scope scope;
  scope.tcp_ports = {busy.port};
  if (udp) scope.udp_ports = {busy.udp_port};
  if (mode == Mode::Prefork) REQUIRE(busy.children.size() == 2);

  for (int i = 0; i < 3; ++i) {
    sleep_s(std::max(0.0, 3.0 + 7.0 * i - since(start)));  // busy for a while
    busy.quiet();
    sleep_s(kSettle);
    Snapshot snap = take(model, udp);
    busy.resume();
    const std::string when = "quiet instant " + std::to_string(i + 1);
    check_same(snap, scope, when);
    check_ownership(snap, scope, busy, mode);
    if (udp) {
      int udp_live = 0;
      for (const auto& s : snap.model)
        udp_live += scope.covers(s) && s.value("proto", "") == "udp" && !s.value("closed", true);
      CHECK(udp_live == 2);  // the server's and the client's
    }
  }

  sleep_s(std::max(0.0, 24.0 - since(start)));  // as long a load as before, at least
  busy.stop();
  const int status = busy.finish(40);
  INFO("busy stdout: " << busy.out() << "\nstderr: " << busy.err());
  REQUIRE(status == 0);  // every server-side connection received what its client sent
  CHECK(busy.summary["errors"] == 0);
  CHECK(busy.summary["short"] > 3000);  // the load really ran
  CHECK(busy.summary["requests"] > 10000);
  if (udp) CHECK(busy.summary["udp_round_trips"] > 1000);

  // One more interval: all that is left are the clients' TIME_WAITs.
  sleep_s(kInterval + 0.5);
  Snapshot after = take(model, udp);
  check_same(after, scope, "after busy ended");
  // The server side of every short connection: closed after reading exactly
  // the request (and EOF), nothing left unread, owned by the server.
  const std::set<uint16_t> long_ports = busy.long_cports();
  const std::set<int> server_pids = mode == Mode::Prefork ? busy.children : std::set<int>{busy.pid};
  std::vector<std::string> problems;
  long long closed_short = 0;
  for (const auto& s : after.model) {
    if (!scope.covers(s) || s.value("proto", "") != "tcp") continue;
    const std::string local = s.value("local", ""), remote = s.value("remote", "");
    if (endpoint_port(local) == busy.port && endpoint_port(remote) != 0 && !long_ports.count(endpoint_port(remote))) {
      if (!s.value("closed", false)) {
        problems.push_back("server side still live: " + show(s));
        continue;
      }
      ++closed_short;
      if (s.value("bytes_received", uint64_t(0)) != busy.short_request || s.value("rx_queue", uint64_t(1)) != 0 ||
          !server_pids.count(s.value("pid", 0)) || s.value("comm", "") != "busy" || s.value("end", json()) != "close")
        problems.push_back("closed server side: " + show(s));
    } else if (endpoint_port(remote) == busy.port && !long_ports.count(endpoint_port(local)) &&
               !s.value("closed", true)) {
      // a short connection's client, in TIME_WAIT: sent the request, read the reply
      if (s.value("state", "") != "TIME_WAIT" || s.value("bytes_sent", uint64_t(0)) != busy.short_request ||
          s.value("bytes_received", uint64_t(0)) != busy.short_reply || s.value("pid", 0) != busy.pid)
        problems.push_back("short connection's client: " + show(s));
    }
  }
  INFO("short request " << busy.short_request << " bytes, reply " << busy.short_reply << "; " << closed_short
                        << " closed server sides\n"
                        << first(problems));
  CHECK(problems.empty());
  CHECK(closed_short > 1000);  // the last 20 s (--retention) of them
  CHECK(closed_short <= busy.summary["short"]);
  CHECK(model.stop() == 0);
  INFO("sockscope stderr: " << model.err());
  CHECK(model.summary("lost") >= 0);  // reported
}

}  // namespace

TEST_CASE("truth: busy thread-per-connection server: ss and the model agree at quiet instants",
          "[kernel][truth]") {
  busy_server_truth(Mode::Threads, false, false);
}

TEST_CASE("truth: busy prefork server: the children own the listener and the accepted sockets",
          "[kernel][truth]") {
  busy_server_truth(Mode::Prefork, false, false);
}

TEST_CASE("truth: busy server over IPv6: ss and the model agree at quiet instants", "[kernel][truth]") {
  busy_server_truth(Mode::Threads, true, false);
}

TEST_CASE("truth: busy server with UDP request/response: ss and the model agree at quiet instants",
          "[kernel][truth]") {
  busy_server_truth(Mode::Threads, false, true);
}

// --- test 2: diagnose finds nothing wrong with a healthy busy server -----

TEST_CASE("truth: diagnose on a busy healthy server finds no warning and nothing critical", "[kernel][truth]") {
  SockscopeRun diag({"diagnose", "--duration", "12", "--json"}, "truth-diag");
  Busy busy("truth-diag-wl", {"--seconds", "10", "--udp"});
  const int status = diag.wait(40);
  INFO("sockscope stderr: " << diag.child().err());
  REQUIRE((status == 0 || status == 1));
  const int busy_status = busy.finish(30);
  INFO("busy: " << busy.out() << busy.err());
  REQUIRE(busy_status == 0);
  CHECK(busy.summary["short"] > 5000);
  json doc = diag.json_doc();
  REQUIRE(doc.contains("findings"));
  // findings about busy: its process, or a socket on its ports
  std::vector<std::string> bad;
  for (const auto& f : doc["findings"]) {
    const int pid = f.value("pid", 0);
    const std::string local = f.value("local", ""), remote = f.value("remote", "");
    auto port_of = [](const std::string& e) { return e.find(':') == std::string::npos ? 0 : endpoint_port(e); };
    const bool ours = pid == busy.pid || port_of(local) == busy.port || port_of(remote) == busy.port ||
                      port_of(local) == busy.udp_port || port_of(remote) == busy.udp_port;
    if (ours && f.value("severity", "") != "info") bad.push_back(f.dump());
  }
  INFO("findings: " << doc.dump(1).substr(0, 20000));
  CHECK(bad.empty());
}

// --- test 3: how single connections end, and sockets older than sockscope -

TEST_CASE("truth: ping, pong, client closes first: its TIME_WAIT has no finding and no drop",
          "[kernel][truth]") {
  const uint16_t port = free_port();
  SockscopeRun diag({"diagnose", "--json", "--duration", kUntilStopped}, "truth-pp-diag");
  Model model("truth-pp");
  uint64_t c_cookie = 0, s_cookie = 0;
  uint16_t cport = 0;
  {
    uint16_t p = port;
    Fd l = tcp_listen(AF_INET, p);
    Fd c = tcp_connect(AF_INET, port);
    Fd s = tcp_accept(l);
    c_cookie = so_cookie(c);
    s_cookie = so_cookie(s);
    cport = local_port(c);
    char buf[8];
    write_all(c, "ping", 4);
    REQUIRE(read_exact(s, buf, 4) == 4);
    write_all(s, "pong", 4);
    REQUIRE(read_exact(c, buf, 4) == 4);
    c.close();                            // the client closes first
    REQUIRE(read_exact(s, buf, 1) == 0);  // the server sees EOF
    s.close();
  }
  const std::string c_ep = ep("127.0.0.1", cport), s_ep = ep("127.0.0.1", port);
  bool tw = eventually(
      [&] {
        for (const auto& r : ss_snapshot(true, only("( sport = :" + std::to_string(cport) + " )")))
          if (r.state == "TIME-WAIT" && r.cookie == c_cookie) return true;
        return false;
      },
      5);
  REQUIRE(tw);
  sleep_s(kInterval + 0.5);
  Scope scope;
  scope.tcp_ports = {port};
  Snapshot snap = take(model, false);
  check_same(snap, scope, "after ping/pong/close");
  const json* client = by_cookie(snap.model, c_cookie);
  const json* server = by_cookie(snap.model, s_cookie);
  REQUIRE(client);
  REQUIRE(server);
  INFO("client: " << show(*client) << "\nserver: " << show(*server));
  CHECK(client->value("state", "") == "TIME_WAIT");
  CHECK(client->value("closed", true) == false);
  CHECK(client->value("drops", uint64_t(1)) == 0);
  CHECK(client->value("drops_by_reason", json::object()).empty());  // no QUEUE_PURGE: nothing was lost
  CHECK(client->value("bytes_sent", uint64_t(0)) == 4);
  CHECK(client->value("bytes_received", uint64_t(0)) == 4);
  CHECK(server->value("closed", false) == true);
  CHECK(server->value("end", json()) == "close");
  CHECK(server->value("drops", uint64_t(1)) == 0);
  CHECK(server->value("drops_by_reason", json::object()).empty());

  const int status = diag.stop();
  INFO("diagnose stderr: " << diag.child().err());
  REQUIRE((status == 0 || status == 1));
  json doc = diag.json_doc();
  REQUIRE(doc.contains("findings"));
  for (const auto& f : doc["findings"]) {
    INFO("finding: " << f.dump());
    CHECK(f.value("cookie", uint64_t(0)) != c_cookie);
    CHECK(f.value("cookie", uint64_t(0)) != s_cookie);
    CHECK(f.value("local", "") != c_ep);
    CHECK(f.value("remote", "") != c_ep);
  }
  CHECK(model.stop() == 0);
}

namespace {

// A child process running fn; it dies with the test (PR_SET_PDEATHSIG).
// Messages go through pipes: fixed-size writes, atomic below PIPE_BUF.
struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int p[2];
    if (pipe2(p, O_CLOEXEC) == 0) r = p[0], w = p[1];
  }
  ~Pipe() { close_r(), close_w(); }
  void close_r() {
    if (r >= 0) close(r);
    r = -1;
  }
  void close_w() {
    if (w >= 0) close(w);
    w = -1;
  }
};

struct Report {
  uint64_t a = 0, b = 0;
  int64_t c = 0, d = 0;
};

void send_report(int w, Report rep) { (void)!write(w, &rep, sizeof(rep)); }
bool get_report(int r, Report& rep, double timeout_s = 10) {
  pollfd p{r, POLLIN, 0};
  if (poll(&p, 1, int(timeout_s * 1000)) != 1) return false;
  return read(r, &rep, sizeof(rep)) == ssize_t(sizeof(rep));
}
// Blocks until the write end is closed (the test's "go").
void wait_go(int r) {
  char b;
  while (read(r, &b, 1) > 0) {
  }
}

pid_t fork_child(const std::function<void()>& fn) {
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    try {
      fn();
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  return pid;
}

int reap(pid_t pid, double timeout_s = 10) {
  int st = 0;
  auto end = Clock::now() + std::chrono::duration<double>(timeout_s);
  while (waitpid(pid, &st, WNOHANG) == 0) {
    if (Clock::now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      return -1;
    }
    sleep_s(0.01);
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

TEST_CASE("truth: a client reset by its peer, then exiting without close(): nothing of it stays live",
          "[kernel][truth]") {
  const uint16_t port = free_port();
  Model model("truth-rst");
  Scope scope;
  scope.tcp_ports = {port};
  // The server: listens, accepts, reads 2 bytes, closes with SO_LINGER 0
  // (a reset), then waits; it exits without closing its listener.
  Pipe s_rep, s_go;
  pid_t srv = fork_child([&] {
    s_rep.close_r();
    s_go.close_w();
    uint16_t p = port;
    Fd l = tcp_listen(AF_INET, p);
    send_report(s_rep.w, {so_cookie(l), 0, 0, 0});
    Fd s = tcp_accept(l);
    const uint64_t cookie = so_cookie(s);
    char buf[2];
    read_exact(s, buf, 2);
    linger lg{1, 0};
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    s.close();  // RST
    send_report(s_rep.w, {cookie, 0, 0, 0});
    wait_go(s_go.r);
    _exit(0);  // the listener is closed by the exit
  });
  s_rep.close_w();
  s_go.close_r();
  Report listening, reset;
  REQUIRE(get_report(s_rep.r, listening));
  // The client: connects, sends 2 bytes, reads (the reset), waits, exits
  // without close().
  Pipe c_rep, c_go;
  pid_t cli = fork_child([&] {
    c_rep.close_r();
    c_go.close_w();
    Fd c = tcp_connect(AF_INET, port);
    const uint64_t cookie = so_cookie(c);
    write_all(c, "hi", 2);
    char b;
    ssize_t n = read(c, &b, 1);
    send_report(c_rep.w, {cookie, local_port(c), n, n < 0 ? errno : 0});
    wait_go(c_go.r);
    _exit(0);  // no close()
  });
  c_rep.close_w();
  c_go.close_r();
  Report client;
  REQUIRE(get_report(c_rep.r, client));
  REQUIRE(get_report(s_rep.r, reset));
  CHECK(client.c == -1);
  CHECK(client.d == ECONNRESET);
  c_go.close_w();
  CHECK(reap(cli) == 0);
  sleep_s(kInterval + 0.5);

  Snapshot snap = take(model, false);
  check_same(snap, scope, "after the client exited");
  const json* c = by_cookie(snap.model, client.a);
  const json* a = by_cookie(snap.model, reset.a);
  const json* l = by_cookie(snap.model, listening.a);
  REQUIRE(c);
  REQUIRE(a);
  REQUIRE(l);
  INFO("client: " << show(*c) << "\naccepted: " << show(*a) << "\nlistener: " << show(*l));
  CHECK(c->value("closed", false) == true);
  CHECK(c->value("end", json()) == "reset");
  CHECK(c->value("owners", json::array()).empty());
  CHECK(a->value("closed", false) == true);
  CHECK(!a->value("end", json()).is_null());
  CHECK(a->value("end", json()) != "gone");  // seen ending, not found missing
  CHECK(l->value("closed", true) == false);
  CHECK(l->value("state", "") == "LISTEN");
  CHECK(l->value("pid", 0) == srv);

  s_go.close_w();
  CHECK(reap(srv) == 0);
  sleep_s(kInterval + 0.5);
  Snapshot gone = take(model, false);
  check_same(gone, scope, "after the server exited", false);  // no socket on the port is live, in ss nor in the model
  std::vector<std::string> live;
  for (const auto& s : gone.model)
    if (scope.covers(s) && !s.value("closed", true)) live.push_back(show(s));
  INFO("live:\n" << first(live));
  CHECK(live.empty());
  const json* l2 = by_cookie(gone.model, listening.a);
  REQUIRE(l2);
  INFO("listener: " << show(*l2));
  CHECK(l2->value("closed", false) == true);
  // closed by the exit: no close() was called
  const json end = l2->value("end", json());
  CHECK((end == "owner-exited" || end == "close"));
  CHECK(model.stop() == 0);
}

TEST_CASE("truth: three connections over one 4-tuple: one live TIME_WAIT, as ss shows", "[kernel][truth]") {
  uint16_t port = 0;
  Fd l = tcp_listen(AF_INET, port);
  Model model("truth-reuse");
  Scope scope;
  scope.tcp_ports = {port};
  uint16_t cport = 0;
  std::vector<uint64_t> cookies;
  for (int i = 0; i < 3; ++i) {
    // the same local port again: the kernel reuses the 4-tuple of a
    // TIME_WAIT (net.ipv4.tcp_tw_reuse, on loopback by default) once it is
    // older than a second
    Fd c;
    bool connected = eventually(
        [&] {
          c = Fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
          int one = 1;
          setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
          sockaddr_in a{};
          a.sin_family = AF_INET;
          a.sin_port = htons(cport);
          a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          if (bind(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return false;
          a.sin_port = htons(port);
          return connect(c, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
        },
        5);
    INFO("connection " << i + 1 << " from port " << cport << ": " << std::strerror(errno));
    REQUIRE(connected);
    cport = local_port(c);
    cookies.push_back(so_cookie(c));
    Fd s = tcp_accept(l);
    char b;
    write_all(c, "x", 1);
    REQUIRE(read_exact(s, &b, 1) == 1);
    write_all(s, "y", 1);
    REQUIRE(read_exact(c, &b, 1) == 1);
    c.close();
    REQUIRE(read_exact(s, &b, 1) == 0);
    s.close();
    bool tw = eventually(
        [&] {
          for (const auto& r : ss_snapshot(true, only("( sport = :" + std::to_string(cport) + " )")))
            if (r.state == "TIME-WAIT" && r.cookie == cookies.back()) return true;
          return false;
        },
        5);
    REQUIRE(tw);
    if (i < 2) sleep_s(1.2);
  }
  sleep_s(kInterval + 0.5);
  Snapshot snap = take(model, false);
  check_same(snap, scope, "after three connections over one 4-tuple");
  const std::string local = ep("127.0.0.1", cport), remote = ep("127.0.0.1", port);
  std::vector<const SsSocket*> ss_tw;
  for (const auto& r : snap.ss)
    if (r.local == local && r.peer == remote) ss_tw.push_back(&r);
  std::vector<const json*> live, all;
  for (const auto& s : snap.model)
    if (s.value("proto", "") == "tcp" && s.value("local", "") == local && s.value("remote", "") == remote) {
      all.push_back(&s);
      if (!s.value("closed", true)) live.push_back(&s);
    }
  std::string rows;
  for (const json* s : all) rows += "  " + show(*s) + "\n";
  INFO("cookies " << cookies[0] << " " << cookies[1] << " " << cookies[2] << "; the model's rows for " << local
                  << " -> " << remote << ":\n"
                  << rows);
  REQUIRE(ss_tw.size() == 1);
  CHECK(ss_tw[0]->cookie == cookies[2]);
  REQUIRE(live.size() == 1);
  CHECK((*live[0])["cookie"] == cookies[2]);
  CHECK((*live[0])["state"] == "TIME_WAIT");
  for (int i = 0; i < 2; ++i) {
    const json* old = by_cookie(snap.model, cookies[size_t(i)]);
    if (!old) continue;  // gone from the model is fine too
    CHECK(old->value("closed", false) == true);
    CHECK(!old->value("end", json()).is_null());
  }
  CHECK(model.stop() == 0);
}

TEST_CASE("truth: a listener inherited by a forked child whose parent closed it belongs to the child",
          "[kernel][truth]") {
  // one listener older than sockscope (seeded), one made while it runs
  uint16_t p_old = 0, p_new = 0;
  Fd l_old = tcp_listen(AF_INET, p_old);
  Model model("truth-inherit");
  Fd l_new = tcp_listen(AF_INET, p_new);
  const uint64_t k_old = so_cookie(l_old), k_new = so_cookie(l_new);
  const int fd_old = l_old, fd_new = l_new;
  Pipe go;
  pid_t child = fork_child([&] {
    go.close_w();
    wait_go(go.r);
  });
  go.close_r();
  l_old.close();  // only the child holds them now
  l_new.close();
  sleep_s(kInterval + 0.5);
  Scope scope;
  scope.tcp_ports = {p_old, p_new};
  Snapshot snap = take(model, false);
  check_same(snap, scope, "after the parent closed its listeners");  // owners included
  auto ss_l = ss_snapshot(
      true, only("( sport = :" + std::to_string(p_old) + " or sport = :" + std::to_string(p_new) + " )", true));
  for (auto [cookie, fd] : {std::pair{k_old, fd_old}, std::pair{k_new, fd_new}}) {
    const json* s = by_cookie(snap.model, cookie);
    REQUIRE(s);
    const SsSocket* r = nullptr;
    for (const auto& x : ss_l)
      if (x.cookie == cookie) r = &x;
    REQUIRE(r);
    INFO("model: " << show(*s) << "\nss: " << r->text << "\nchild pid " << child << ", test pid " << getpid());
    CHECK(s->value("state", "") == "LISTEN");
    CHECK(s->value("pid", 0) == child);
    CHECK(s->value("fd", -1) == fd);
    CHECK(owners_of(*s) == Owners{{child, fd}});
    CHECK(owners_of(*r) == Owners{{child, fd}});
  }
  go.close_w();
  CHECK(reap(child) == 0);
  CHECK(model.stop() == 0);
}

TEST_CASE("truth: a socket idle since before sockscope started: its ages come from the kernel",
          "[kernel][truth]") {
  TcpPair p = tcp_pair(AF_INET, 0);
  const auto established = Clock::now();
  char b;
  write_all(p.client, "a", 1);
  REQUIRE(read_exact(p.server, &b, 1) == 1);
  write_all(p.server, "b", 1);
  REQUIRE(read_exact(p.client, &b, 1) == 1);
  const auto last_traffic = Clock::now();
  sleep_s(5.5);  // stalled before sockscope starts
  const auto started = Clock::now();
  Model model("truth-idle");
  sleep_s(kInterval + 0.5);
  auto ss = ss_snapshot(true, only(on_port(p.port), false, true));
  json m = model.snapshot();
  const double idle_s = since(last_traffic), up_s = since(started), est_s = since(established);
  for (int fd : {int(p.client), int(p.server)}) {
    const uint64_t cookie = so_cookie(fd);
    const json* s = by_cookie(m, cookie);
    const SsSocket* r = nullptr;
    for (const auto& x : ss)
      if (x.cookie == cookie) r = &x;
    REQUIRE(s);
    REQUIRE(r);
    INFO("model: " << show(*s) << "\n  state_since_known=" << s->value("state_since_known", json()).dump()
                   << " time_in_state_ns=" << s->value("time_in_state_ns", json()).dump()
                   << " last_recv_age_ns=" << s->value("last_recv_age_ns", json()).dump()
                   << " last_send_age_ns=" << s->value("last_send_age_ns", json()).dump() << "\nss: " << r->text
                   << "\nidle for " << idle_s << " s, sockscope up for " << up_s << " s, established " << est_s
                   << " s ago");
    CHECK(s->value("seeded", false) == true);
    REQUIRE(r->lastrcv_ms.has_value());
    REQUIRE(s->contains("last_recv_age_ns"));
    REQUIRE((*s)["last_recv_age_ns"].is_number());
    const double recv_age = (*s)["last_recv_age_ns"].get<double>() / 1e9;
    CHECK(recv_age >= 5.0);
    CHECK(std::abs(recv_age - double(*r->lastrcv_ms) / 1e3) <= 2.0);
    REQUIRE((*s)["last_send_age_ns"].is_number());
    const double send_age = (*s)["last_send_age_ns"].get<double>() / 1e9;
    CHECK(send_age >= 5.0);
    CHECK(std::abs(send_age - double(*r->lastsnd_ms) / 1e3) <= 2.0);
    // the time in ESTABLISHED is the kernel's or declared unknown, never
    // the time since sockscope started
    const bool known = s->value("state_since_known", true);
    if (known) CHECK(s->value("time_in_state_ns", 0.0) / 1e9 >= est_s - 1.0);
  }
  CHECK(model.stop() == 0);
}

// --- test 4: a stopped sockscope catches up ------------------------------

TEST_CASE("truth: sockscope stopped for 5 s under churn agrees with ss within two intervals of resuming",
          "[kernel][truth]") {
  Model model("truth-stall", {"--retention", "5"});
  Busy busy("truth-stall-wl", {"--seconds", "25", "--short-rate", "2000"});
  Scope scope;
  scope.tcp_ports = {busy.port};
  sleep_s(3);
  model.signal(SIGSTOP);
  const auto stopped = Clock::now();
  sleep_s(4);
  busy.quiet();  // while sockscope is still stopped
  sleep_s(std::max(0.0, 5.0 - since(stopped)));
  model.signal(SIGCONT);
  const auto resumed = Clock::now();
  // ss any time while quiet; the model two intervals after SIGCONT
  Snapshot snap;
  snap.ss = ss_snapshot(true, owners_too());
  sleep_s(std::max(0.0, 2 * kInterval - since(resumed)));
  const double asked = since(resumed);
  snap.model = model.snapshot();
  busy.resume();
  INFO("the model was asked for " << asked << " s after SIGCONT");
  CHECK(asked <= 2 * kInterval + 0.5);
  check_same(snap, scope, "two intervals after SIGCONT");

  const int status = busy.finish(40);
  INFO("busy: " << busy.out() << busy.err());
  REQUIRE(status == 0);
  CHECK(busy.summary["short"] > 10000);
  REQUIRE(model.stop() == 0);
  INFO("sockscope stderr: " << model.err());
  const long long lost = model.summary("lost");
  CHECK(lost >= 0);  // reported, whatever it is
  // Lost records are allowed, unnoticed ones are not: a loss is a gap the
  // model counted (and repaired from the kernel's own tables).
  if (lost > 0) CHECK(model.summary("gaps") > 0);
}

// --- the live view reads the same model ----------------------------------

namespace {

// One socket row of top's table: its endpoints, state, queues and flag.
struct TopRow {
  bool flagged = false;  // '!': a finding
  std::string local, remote, state, recv_q, send_q, line;
};

// Rows of a screen whose local and remote cells are whole endpoints (the
// pane is wide enough for IPv4 ones): the first two tokens that look like
// "lo:P" (top's 127.0.0.1:P), then the state, the time in state, Recv-Q,
// its bar, Send-Q. Endpoints come back in list's spelling.
std::vector<TopRow> top_rows(const std::string& screen) {
  std::vector<TopRow> rows;
  std::istringstream in(screen);
  const std::regex endpoint(R"(^lo:[0-9*]+$)");
  auto listed = [](const std::string& e) { return "127.0.0.1" + e.substr(2); };
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    size_t i = 0;
    while (i + 1 < w.size() && !(std::regex_match(w[i], endpoint) && std::regex_match(w[i + 1], endpoint))) ++i;
    if (i + 5 >= w.size()) continue;
    TopRow r;
    r.line = line;
    r.flagged = !line.empty() && line[0] == '!';
    r.local = listed(w[i]);
    r.remote = listed(w[i + 1]);
    r.state = w[i + 2];
    size_t j = i + 4;  // after the time in state
    r.recv_q = w[j++];
    while (j < w.size() && w[j].find_first_not_of("#|") == std::string::npos) ++j;  // its bar
    if (j >= w.size()) continue;
    r.send_q = w[j];
    rows.push_back(r);
  }
  return rows;
}

// A state as top's table names it (ui/cells.cpp: ss's names).
std::string top_state(std::string s) {
  if (s == "ESTABLISHED") return "ESTAB";
  if (s == "FIN_WAIT1" || s == "FIN_WAIT2") s.insert(s.size() - 1, "-");
  if (s == "NEW_SYN_RECV") s = "SYN_RECV";
  for (char& c : s)
    if (c == '_') c = '-';
  return s;
}

// A queue as top prints it (ui/render_table.cpp: exact below 10,000).
std::string top_qty(uint64_t n) { return n < 10'000 ? std::to_string(n) : "big"; }

}  // namespace

TEST_CASE("truth: top's rows agree with list at a quiet instant, and none is flagged", "[kernel][truth]") {
  if (!have_tmux()) {
    WARN("tmux is not installed (packaging/install-deps.sh installs it): skipped");
    return;
  }
  // both sockscopes up before the load starts, on a port chosen now
  const uint16_t port = free_port();
  Model model("truth-top");
  const std::string err = temp_path("truth-top.err");
  Tmux t("truth-top");
  REQUIRE(t.start_script("exec " + sockscope_bin() + " top -d 1 --port " + std::to_string(port) + " 2>" + err + "\n",
                         230, 70));
  bool live = t.wait_until([](const std::string& sc) { return sc.rfind("live", 0) == 0; }, 30);
  INFO("top's stderr: " << read_file(err));
  REQUIRE(live);
  Busy busy("truth-top-wl", {"--seconds", "30", "--short-rate", "300", "--port", std::to_string(port)});
  for (int round = 0; round < 2; ++round) {
    sleep_s(4);
    busy.quiet();
    sleep_s(kSettle);
    const std::string screen = t.screen();
    const json m = model.snapshot();
    busy.resume();
    const std::vector<TopRow> rows = top_rows(screen);
    INFO("round " << round << ", top's screen:\n" << screen);
    CHECK(rows.size() >= 5);  // the listener, the long-lived connections, TIME_WAITs
    std::vector<std::string> problems;
    for (const TopRow& r : rows) {
      if (r.flagged) problems.push_back("flagged: " + r.line);
      if (r.state == "(closed)") continue;  // kept for --retention; list keeps them too
      const json* same = nullptr;
      for (const auto& s : m)
        if (!s.value("closed", true) && s.value("local", "") == r.local && s.value("remote", "") == r.remote)
          same = &s;
      if (!same) {
        problems.push_back("live in top, not in list: " + r.line);
        continue;
      }
      if (top_state(same->value("state", "")) != r.state || top_qty(same->value("rx_queue", uint64_t(0))) != r.recv_q ||
          top_qty(same->value("tx_queue", uint64_t(0))) != r.send_q)
        problems.push_back("differs: top `" + r.line + "` list: " + show(*same));
    }
    INFO(first(problems));
    CHECK(problems.empty());
  }
  busy.finish(40);
  std::remove(err.c_str());
}

TEST_CASE("truth: with the kernel's timewait table full, TIME_WAIT rows are exactly ss's, in another netns",
          "[kernel][truth]") {
  // A namespace of the test's own, its timewait table cut to 16: most
  // connections closed there skip TIME_WAIT (TcpExtTCPTimeWaitOverflow).
  NetnsPair pair;
  const std::string ns = pair.ns_a();
  must_in(ns, "sysctl -qw net.ipv4.tcp_max_tw_buckets=16");
  Model model("truth-twfull");
  const uint16_t port = 47000 + uint16_t(getpid() % 1000);
  Fd l = tcp_listen_in(ns, "127.0.0.1", port, 128);
  constexpr int kConns = 300;
  for (int i = 0; i < kConns; ++i) {
    Fd c = socket_in(ns, SOCK_STREAM);
    REQUIRE(connect_v4(c, "127.0.0.1", port) == 0);
    Fd a(accept(l, nullptr, nullptr));
    REQUIRE(a >= 0);
    c.close();  // the client closes first: its side would wait in TIME_WAIT
    char b;
    REQUIRE(read(a, &b, 1) == 0);
    a.close();
  }
  sleep_s(2 * kInterval + 0.5);
  const std::string ss_tw = must_in(ns, "ss -tanH state time-wait | wc -l");
  const long ss_count = std::stol(ss_tw);
  const json m = model.snapshot();
  long model_tw = 0, model_live = 0;
  std::vector<std::string> other;
  for (const auto& s : m) {
    if (s.value("netns", uint64_t(0)) != pair.inode_a() || s.value("closed", true)) continue;
    ++model_live;
    if (s.value("state", "") == "TIME_WAIT") ++model_tw;
    else if (s.value("state", "") != "LISTEN") other.push_back(show(s));
  }
  const std::string nstat = must_in(ns, "nstat -az TcpExtTCPTimeWaitOverflow");
  INFO("ss TIME-WAIT in the namespace: " << ss_count << "; model: " << model_tw << " TIME_WAIT, " << model_live
                                         << " live\n" << nstat << first(other));
  std::smatch overflow;
  REQUIRE(std::regex_search(nstat, overflow, std::regex("TcpExtTCPTimeWaitOverflow\\s+([0-9]+)")));
  CHECK(std::stol(overflow[1]) >= kConns - 16);  // the table really was full
  CHECK(ss_count <= 16);
  CHECK(model_tw == ss_count);
  CHECK(other.empty());            // nothing stuck in FIN_WAIT or CLOSE
  CHECK(model_live == ss_count + 1);  // and the listener
  CHECK(model.stop() == 0);
}

TEST_CASE("truth: kill -9 of sockscope leaves no BPF program or link behind", "[kernel][truth]") {
  auto ids_of = [](const std::vector<BpfProg>& progs) {
    std::set<uint32_t> ids;
    for (const auto& p : progs) ids.insert(p.id);
    return ids;
  };
  const std::set<uint32_t> before = ids_of(loaded_sockscope_prog_ids());
  SockscopeRun run({"list", "--json", "--duration", kUntilStopped}, "truth-kill");
  std::set<uint32_t> ours;
  for (uint32_t id : ids_of(loaded_sockscope_prog_ids()))
    if (!before.count(id)) ours.insert(id);
  REQUIRE(!ours.empty());
  auto linked = [&] {
    size_t n = 0;
    for (uint32_t id : bpf_link_prog_ids()) n += ours.count(id);
    return n;
  };
  CHECK(linked() > 0);  // its programs are attached through links, which die with the process
  run.child().signal(SIGKILL);
  CHECK(run.wait(10) == 128 + SIGKILL);
  auto left = [&] {
    size_t n = linked();
    for (uint32_t id : ids_of(loaded_sockscope_prog_ids())) n += ours.count(id);
    return n;
  };
  // freed after an RCU grace period, in the background
  bool clean = eventually([&] { return left() == 0; }, 10);
  INFO(ours.size() << " programs of the killed sockscope; programs and links left: " << left());
  CHECK(clean);
}
