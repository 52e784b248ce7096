// The live view's cost with many sockets: what one refresh (snapshot,
// rates, sort, draw) and one key (no new snapshot) take, and the memory the
// model and a snapshot hold. The table is built from synthetic events:
// established TCP sockets of ~60 processes (servers with many clients,
// clients of a few backends, some IPv6), with queues, byte counts and TCP
// counters; a few listening, in CLOSE_WAIT, closed.
//
// Each size runs in a child process of its own, so its RSS is its own.
//
//   ui_bench [--sockets N[,N...]] [--reps R]
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "model/socket_table.h"
#include "source/source.h"
#include "tests/support/static_source.h"
#include "ui/keys.h"
#include "ui/rates.h"
#include "ui/row_delta.h"
#include "ui/render.h"
#include "ui/snapshot.h"

using namespace sockscope;
using namespace sockscope::ui;

namespace {

constexpr uint64_t kSec = 1'000'000'000;


// The reason names and probes a busy host's view would show.
synth::StaticSource bench_source() {
  synth::StaticSource s;
  s.names_.drop = {{2, "NOT_SPECIFIED"}, {3, "NO_SOCKET"}, {13, "SOCKET_RCVBUFF"}, {34, "NETFILTER_DROP"}};
  for (const char* p : {"tp/sock/inet_sock_set_state", "kprobe/tcp_sendmsg", "kprobe/tcp_recvmsg"})
    s.probes_.push_back({p, p, true, ""});
  return s;
}

Comm comm_of(const std::string& s) {
  Comm c{};
  s.copy(c.data(), c.size() - 1);
  return c;
}

Endpoint v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  Endpoint e;
  e.addr[0] = a, e.addr[1] = b, e.addr[2] = c, e.addr[3] = d;
  e.port = port;
  return e;
}

Endpoint v6(uint16_t last, uint16_t port) {
  Endpoint e;  // 2001:db8::<last>
  e.addr[0] = 0x20, e.addr[1] = 0x01, e.addr[2] = 0x0d, e.addr[3] = 0xb8;
  e.addr[14] = uint8_t(last >> 8), e.addr[15] = uint8_t(last);
  e.port = port;
  return e;
}

struct Process {
  uint32_t pid;
  std::string comm;
  enum Kind { Server, Client } kind;
  uint16_t port;  // server: its port; client: the backend's
};

struct Built {
  std::vector<uint64_t> cookies;
  uint64_t now = 0;
};

// The sockets, spread over 60 processes: two thirds accepted by servers
// (nginx, envoy, sshd...; 5% of them over IPv6), a third connected to
// backends (postgres, redis, kafka, mysql ports).
Built build(SocketTable& table, uint32_t sockets, std::mt19937_64& rng) {
  std::vector<Process> procs;
  const char* servers[] = {"nginx", "envoy", "haproxy", "sshd", "node", "java"};
  const uint16_t server_ports[] = {443, 8443, 80, 22, 3000, 8080};
  const char* clients[] = {"app-worker", "celery", "python3", "gunicorn"};
  const uint16_t backend_ports[] = {5432, 6379, 9092, 3306};
  for (uint32_t i = 0; i < 40; ++i) procs.push_back({2000 + i, servers[i % 6], Process::Server, server_ports[i % 6]});
  for (uint32_t i = 0; i < 20; ++i) procs.push_back({5000 + i, clients[i % 4], Process::Client, backend_ports[i % 4]});

  Built b;
  uint64_t ts = 1000 * kSec;
  uint64_t cookie = 1 << 20;
  auto seed = [&](const Process& p, Endpoint local, Endpoint remote, TcpState st, uint16_t family) {
    SockSeed e;
    e.ts_ns = ts += 1000;
    e.sock.cookie = ++cookie;
    e.sock.sk = 0xffff888000000000ull + cookie * 2048;
    e.sock.netns = 4026531840u;
    e.sock.inode = uint32_t(cookie);
    e.sock.family = family;
    e.sock.protocol = kProtoTcp;
    e.sock.type = 1;
    e.sock.state = uint8_t(st);
    e.sock.local = local;
    e.sock.remote = remote;
    e.inode = e.sock.inode;
    e.pid = p.pid;
    e.fd = int32_t(10 + cookie % 60000);
    e.comm = comm_of(p.comm);
    bool busy = rng() % 10 == 0;  // a tenth have data waiting
    e.occ.rx_queue = busy ? uint32_t(rng() % 200000) : 0;
    e.occ.tx_queue = busy ? uint32_t(rng() % 100000) : 0;
    e.occ.rmem_alloc = e.occ.rx_queue + 768;
    e.occ.wmem_queued = e.occ.tx_queue + 768;
    e.occ.rcvbuf = 131072 << (rng() % 4);
    e.occ.sndbuf = 87040 << (rng() % 3);
    if (st == TcpState::Listen) e.occ.max_ack_backlog = 4096, e.occ.ack_backlog = uint32_t(rng() % 8);
    table.apply(e);
    b.cookies.push_back(cookie);
    return e.sock;
  };
  // listeners first, one per server process's port and address family
  for (const auto& p : procs)
    if (p.kind == Process::Server) seed(p, v4(0, 0, 0, 0, p.port), v4(0, 0, 0, 0, 0), TcpState::Listen, kAfInet);
  std::vector<SockId> ids;
  while (b.cookies.size() < sockets) {
    const Process& p = procs[rng() % procs.size()];
    bool six = rng() % 20 == 0;
    uint16_t eph = uint16_t(32768 + rng() % 28000);
    Endpoint local, remote;
    if (p.kind == Process::Server) {
      local = six ? v6(1, p.port) : v4(10, 0, 1, 5, p.port);
      // clients from the documentation ranges: 192.0.2/24, 198.51.100/24, 203.0.113/24
      const uint8_t nets[3][3] = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
      const uint8_t* n = nets[rng() % 3];
      remote = six ? v6(uint16_t(2 + rng() % 60000), eph) : v4(n[0], n[1], n[2], uint8_t(1 + rng() % 254), eph);
    } else {
      local = v4(10, 0, 1, 5, eph);
      remote = v4(10, 0, 2, uint8_t(7 + rng() % 4), p.port);
    }
    ids.push_back(seed(p, local, remote, TcpState::Established, six ? kAfInet6 : kAfInet));
  }
  // byte counts and TCP counters, as the stats map gives them
  for (const SockId& id : ids) {
    StatsUpdate u;
    u.ts_ns = ts += 500;
    u.cookie = id.cookie;
    u.sk = id.sk;
    u.bytes_received = rng() % 50'000'000;
    u.bytes_sent = rng() % 500'000'000;
    u.recv_calls = u.bytes_received / 4096 + 1;
    u.send_calls = u.bytes_sent / 16384 + 1;
    u.last_recv_ns = ts - rng() % (20 * kSec);
    u.last_send_ns = ts - rng() % (20 * kSec);
    u.tcp.retrans_segs = rng() % 50 == 0 ? rng() % 40 : 0;
    u.tcp.drops = rng() % 200 == 0 ? rng() % 10 : 0;
    u.metrics.srtt_us = uint32_t(200 + rng() % 80000);
    u.metrics_ns = ts;
    table.apply(u);
  }
  // some peers closed (CLOSE_WAIT); some sockets closed by their owner,
  // kept a while as "(closed)"
  for (size_t i = 0; i < ids.size(); ++i) {
    uint64_t pick = rng() % 100;
    if (pick >= 8) continue;
    StateChange e;
    e.ts_ns = ts += 1000;
    e.sock = ids[i];
    e.old_state = TcpState::Established;
    e.new_state = pick < 3 ? TcpState::CloseWait : TcpState::Close;
    e.sock.state = uint8_t(e.new_state);
    table.apply(e);
    if (e.new_state != TcpState::Close) continue;
    const Socket* s = table.find(ids[i].cookie);
    SyscallEvent c;
    c.ts_ns = ts += 1000;
    c.enter_ns = c.ts_ns - 500;
    c.task = {s->owner.pid, s->owner.pid, s->owner.comm};
    c.sock = e.sock;
    c.call = Call::Close;
    c.fd = s->owner.fd;
    c.arg0 = 1;  // the last fd to it
    table.apply(c);
  }
  // a few devices, so the NIC view has something
  for (uint32_t i = 1; i <= 6; ++i) {
    DevStatsUpdate d;
    d.ts_ns = ts;
    d.dev = {4026531840u, i};
    d.name = comm_of(i == 1 ? "lo" : fmt::format("eth{}", i - 2));
    d.c.rx_packets = rng() % 1'000'000'000;
    d.c.rx_bytes = d.c.rx_packets * 800;
    table.apply(d);
  }
  b.now = ts + kSec;
  return b;
}

// The counters move a little between refreshes, as on a busy host.
void churn(SocketTable& table, const Built& b, uint64_t now, std::mt19937_64& rng) {
  for (int i = 0; i < 2000; ++i) {
    uint64_t c = b.cookies[rng() % b.cookies.size()];
    const Socket* s = table.find(c);
    if (!s || s->closed) continue;
    StatsUpdate u;
    u.ts_ns = now;
    u.cookie = c;
    u.sk = s->id.sk;
    u.bytes_received = s->io.bytes_received + rng() % 100000;
    u.bytes_sent = s->io.bytes_sent + rng() % 100000;
    u.tcp = s->tcp;
    table.apply(u);
  }
}

double rss_mb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  return -1;
}

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Stat {
  double median, max;
};
Stat stat_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.back()};
}

template <class F>
Stat time_it(int reps, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    f();
    t.push_back(ms_since(t0));
  }
  return stat_of(std::move(t));
}

// Sinks the results so the compiler keeps the work.
volatile size_t g_sink = 0;

// One size, in the child: "name<TAB>median<TAB>max" lines on out.
void run(uint32_t sockets, int reps, FILE* out) {
  std::mt19937_64 rng(42);
  SocketTable table;
  synth::StaticSource src = bench_source();
  auto t0 = Clock::now();
  Built b = build(table, sockets, rng);
  double build_ms = ms_since(t0);
  // timings: median and max; values: one number (max < 0)
  auto put = [&](const std::string& name, Stat s) { std::fprintf(out, "%s\t%.3f\t%.3f\n", name.c_str(), s.median, s.max); };
  auto value = [&](const std::string& name, double v) { put(name, {v, -1}); };
  value("build the table, once (ms)", build_ms);
  value("RSS, table built (MB)", rss_mb());

  // refreshes one second apart on the events' clock
  RateTracker rates;
  Snapshot snap;
  std::vector<double> t_take, t_rates;
  uint64_t now = b.now;
  for (int r = 0; r < reps + 1; ++r) {
    churn(table, b, now, rng);
    auto a = Clock::now();
    snap = take(table, src, now);
    t_take.push_back(ms_since(a));
    a = Clock::now();
    rates.update(snap);
    t_rates.push_back(ms_since(a));
    now += kSec;
  }
  t_rates.erase(t_rates.begin());  // the first only sets the baseline
  t_take.erase(t_take.begin());
  put("take() snapshot", stat_of(t_take));
  put("RateTracker::update", stat_of(t_rates));
  value("RSS, with a snapshot (MB)", rss_mb());
  value("rows in the snapshot", double(snap.rows.size()));
  value("  of which (closed)", double(snap.by_state.count("(closed)") ? snap.by_state.at("(closed)") : 0));
  value("  of which CLOSE_WAIT", double(snap.by_state.count("CLOSE_WAIT") ? snap.by_state.at("CLOSE_WAIT") : 0));

  ViewState view;
  view.sort = Column::Local;  // what this line has always measured; the default order is its own line below
  auto lines_with = [&](ViewState v) { return time_it(reps, [&] { g_sink = g_sink + visible_lines(snap, v).size(); }); };
  put("visible_lines, sort local", lines_with(view));
  ViewState v = view;
  v.sort = Column::RecvQ;
  put("visible_lines, sort recv-q", lines_with(v));
  v.reverse = true;
  put("visible_lines, recv-q reversed", lines_with(v));
  put("visible_lines, default order", lines_with(ViewState{}));  // what the view starts in
  v = view;
  v.filter = "postgres";  // matches nothing by name, so every field is searched
  put("visible_lines, filter 'postgres'", lines_with(v));
  v.filter = "10.0.2.8";
  put("visible_lines, filter '10.0.2.8'", lines_with(v));
  v = view;
  v.tree = true;
  put("visible_lines, tree", lines_with(v));

  put("render_table 80x24", time_it(reps, [&] { g_sink = g_sink + render_table(snap, view, 80, 24).size(); }));
  put("render_table 200x60", time_it(reps, [&] { g_sink = g_sink + render_table(snap, view, 200, 60).size(); }));

  uint64_t key = snap.rows[snap.rows.size() / 2].key;
  put("take() with one detail", time_it(reps, [&] { g_sink = g_sink + take(table, src, now, nullptr, key).rows.size(); }));
  // as the live view takes it: the diagnosis rules flag the rows (a tracker
  // that saw no event: the rules' walk over every socket is the cost)
  DiagnosisTracker tracker(table);
  put("take() with the diagnosis rules", time_it(reps, [&] {
        g_sink = g_sink + take(table, src, now, nullptr, key, false, &tracker).rows.size();
      }));
  Snapshot with_detail = take(table, src, now, nullptr, key);
  const Snapshot::Row* row = nullptr;
  for (const auto& r : with_detail.rows)
    if (r.key == key) row = &r;
  ViewState dv = view;
  dv.mode = Mode::Detail;
  dv.selected_key = key;
  put("render_detail 80x24",
      time_it(reps, [&] { g_sink = g_sink + render_detail(with_detail, *row, dv, 80, 24).size(); }));
  put("render_nic 200x50", time_it(reps, [&] { g_sink = g_sink + render_nic(snap, view, 200, 50).size(); }));

  // A key, as ui/top.cpp handles it on the UI thread: apply_key, then the
  // redraw (the lines again, the selection kept, the screen), no snapshot.
  const int page = table_page(60);
  std::vector<Line> lines = visible_lines(snap, view);
  ViewState kv = view;
  put("apply_key down", time_it(reps, [&] { apply_key(kv, KeyInput{kKeyDown}, snap, lines, page, 200); }));
  auto redraw = [&](const Snapshot& s) {
    lines = visible_lines(s, kv);
    follow_selection(kv, s, lines, page);
    g_sink = g_sink + render_table(s, kv, 200, 60, nullptr, &lines).size();
  };
  kv = view;
  put("key: apply_key + redraw 200x60", time_it(reps, [&] {
        apply_key(kv, KeyInput{kKeyDown}, snap, lines, page, 200);
        redraw(snap);
      }));

  // A refresh: take() on the intake thread; on the UI thread the frame
  // replaces the snapshot shown (freeing it), then rates and the redraw.
  std::vector<double> t_intake, t_ui, t_free;
  for (int r = 0; r < reps; ++r) {
    churn(table, b, now, rng);
    auto a = Clock::now();
    Snapshot fresh = take(table, src, now);
    t_intake.push_back(ms_since(a));
    a = Clock::now();
    snap = std::move(fresh);
    t_free.push_back(ms_since(a));
    rates.update(snap);
    redraw(snap);
    t_ui.push_back(ms_since(a));
    t_intake.back() += t_ui.back();  // the sum: one refresh's whole cost
    now += kSec;
  }
  put("refresh, UI: free old + rates + redraw", stat_of(t_ui));
  put("  of which freeing the old snapshot", stat_of(t_free));
  put("refresh, all: take + UI part", stat_of(t_intake));

  // A refresh as ui/top.cpp runs it: on the intake thread the snapshot
  // without rows, the diagnosis rules, and the rows of the sockets that
  // changed (churn(): 2,000 a second); on the UI thread the changes
  // applied to the rows it keeps, the rates, the redraw.
  ChangedRows changed;
  ShownRows shown_rows;
  changed.attach(table);
  Snapshot shown;
  auto frame = [&](std::vector<double>* t_rules, std::vector<double>* t_rows, std::vector<double>* t_apply,
                   std::vector<double>* t_ui_part) {
    auto a = Clock::now();
    Snapshot rest = take_rest(table, src, now);
    std::vector<Finding> findings = view_findings(table, tracker, rest, nullptr);
    double rules = ms_since(a);
    a = Clock::now();
    RowDelta d = changed.take(table, now, nullptr, findings, rest.by_state);
    double rows_ms = ms_since(a);
    a = Clock::now();
    std::vector<Snapshot::Row> rows = std::move(shown.rows);
    shown = std::move(rest);
    shown_rows.apply(rows, std::move(d), now);
    shown.rows = std::move(rows);
    double apply = ms_since(a);
    rates.update(shown);
    redraw(shown);
    if (t_rules) {
      t_rules->push_back(rules);
      t_rows->push_back(rows_ms);
      t_apply->push_back(apply);
      t_ui_part->push_back(ms_since(a));
    }
  };
  frame(nullptr, nullptr, nullptr, nullptr);  // the first sends every row
  std::vector<double> t_rules, t_rows, t_apply, t_ui_part, t_all;
  for (int r = 0; r < reps; ++r) {
    churn(table, b, now, rng);
    now += kSec;
    frame(&t_rules, &t_rows, &t_apply, &t_ui_part);
    t_all.push_back(t_rules.back() + t_rows.back() + t_ui_part.back());
  }
  value("top: rows shown", double(shown.rows.size()));
  put("top: intake, rest + rules", stat_of(t_rules));
  put("top: intake, changed rows", stat_of(t_rows));
  put("top: UI, apply changes", stat_of(t_apply));
  put("top: UI, apply+rates+redraw", stat_of(t_ui_part));
  put("top: a refresh, all", stat_of(t_all));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<uint32_t> sizes{10'000, 100'000};
  int reps = 21;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--sockets" && i + 1 < argc) {
      sizes.clear();
      std::stringstream ss(argv[++i]);
      for (std::string n; std::getline(ss, n, ',');) sizes.push_back(uint32_t(std::strtoul(n.c_str(), nullptr, 10)));
    } else if (a == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: ui_bench [--sockets N[,N...]] [--reps R]\n");
      return 2;
    }
  }
  // one core, as replay_bench: the numbers do not depend on what else runs
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof(set), &set);

  std::vector<std::string> order;
  std::map<std::string, std::vector<Stat>> results;
  for (uint32_t n : sizes) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      FILE* out = fdopen(fds[1], "w");
      run(n, reps, out);
      std::fclose(out);
      _exit(0);
    }
    close(fds[1]);
    FILE* in = fdopen(fds[0], "r");
    char buf[256];
    while (std::fgets(buf, sizeof buf, in)) {
      std::string line(buf);
      auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
      std::string name = line.substr(0, tab1);
      Stat s{std::strtod(line.c_str() + tab1 + 1, nullptr), std::strtod(line.c_str() + tab2 + 1, nullptr)};
      if (!results.count(name)) order.push_back(name);
      results[name].push_back(s);
    }
    std::fclose(in);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "ui_bench: the run with %u sockets failed\n", n);
      return 1;
    }
  }

  std::printf("%d repetitions; times in ms (median / max)\n\n%-36s", reps, "step");
  for (uint32_t n : sizes) std::printf(" %22s", fmt::format("{} sockets", n).c_str());
  std::printf("\n");
  for (const auto& name : order) {
    std::printf("%-36s", name.c_str());
    for (const Stat& s : results[name]) {
      std::printf(" %22s", s.max < 0 ? fmt::format("{:.0f}", s.median).c_str()
                                     : fmt::format("{:.2f} / {:.2f}", s.median, s.max).c_str());
    }
    std::printf("\n");
  }
  return 0;
}
