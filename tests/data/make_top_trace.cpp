// Writes tests/data/top.ssc: a small, readable trace for the live view's
// tests: a listener, a client and its accepted peer (that one never reads:
// stuck), a CLOSE_WAIT left for long, a SYN_SENT retransmitting, a
// closed connection, five connections a server on :7000 closed first (in
// TIME_WAIT: the table folds them into one line), near the end a pool of 30
// idle connections (more rows than an 80x24 screen holds; sorted by local
// port they come last), and a backup's socket whose receive buffer is
// nearly full but which is read (the fullest queue, with no finding).
// 30 s long. Run again after a format change:
//   build/tests/make_top_trace tests/data/top.ssc
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "trace/writer.h"

using namespace sockscope;

namespace {

constexpr uint64_t kSec = 1'000'000'000;

template <class T>
std::span<const uint8_t> bytes_of(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(T)};
}

struct Sock {
  ss_sock_id id{};
  uint32_t pid;
  const char* comm;
  int32_t fd;
};

Sock make(uint64_t cookie, uint32_t pid, const char* comm, int32_t fd, const char* saddr, uint16_t sport,
          const char* daddr, uint16_t dport) {
  Sock s{{}, pid, comm, fd};
  s.id.cookie = cookie;
  s.id.sk = 0xffff888000000000ull + cookie * 4096;
  s.id.netns = 4026531840u;
  s.id.inode = uint32_t(50000 + cookie);
  s.id.family = 2;
  s.id.protocol = 6;
  s.id.type = 1;
  s.id.sport = sport;
  s.id.dport = dport;
  unsigned a[4], b[4];
  std::sscanf(saddr, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
  std::sscanf(daddr, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]);
  for (int i = 0; i < 4; ++i) s.id.saddr[i] = uint8_t(a[i]), s.id.daddr[i] = uint8_t(b[i]);
  return s;
}

struct Script {
  trace::TraceWriter& w;

  ss_task task(const Sock& s) {
    ss_task t{};
    t.pid = t.tid = s.pid;
    std::strncpy(t.comm, s.comm, sizeof(t.comm) - 1);
    return t;
  }
  void state(Sock& s, uint64_t ts, uint8_t from, uint8_t to) {
    ss_state_event e{};
    e.hdr = {SS_EV_STATE, sizeof(e), 0, ts};
    e.task = task(s);
    s.id.state = to;
    e.sock = s.id;
    e.old_state = from;
    e.new_state = to;
    w.write(RawKind::Kernel, bytes_of(e));
  }
  void call(Sock& s, uint64_t ts, uint16_t which, int64_t ret) {
    ss_syscall_event e{};
    e.hdr = {SS_EV_SYSCALL, sizeof(e), 0, ts};
    e.task = task(s);
    e.sock = s.id;
    e.enter_ns = ts - 20'000;
    e.ret = ret;
    e.fd = s.fd;
    e.call = which;
    e.arg0 = which == SS_CALL_CLOSE ? 1 : 0;  // the last reference: the fd is gone
    w.write(RawKind::Kernel, bytes_of(e));
  }
  void sample(Sock& s, uint64_t ts, uint32_t rx_queue) {
    ss_sample_event e{};
    e.hdr = {SS_EV_SAMPLE, sizeof(e), 0, ts};
    e.sock = s.id;
    e.occ.rx_queue = rx_queue;
    e.occ.rmem_alloc = rx_queue + 768;
    e.occ.rcvbuf = 131072;
    e.occ.sndbuf = 16384;
    e.why = 1;
    w.write(RawKind::Kernel, bytes_of(e));
  }
  void retransmits(Sock& s, uint64_t ts, uint32_t n) {
    ss_sock_stats v{};
    v.sk = s.id.sk;
    v.owner_pid = s.pid;
    v.tcp.retrans_segs = n;
    std::vector<uint8_t> b;
    encode_sock_stats(b, ts, s.id.cookie, v);
    w.write(RawKind::SockStats, b);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_top_trace FILE\n");
    return 2;
  }
  trace::WriterOptions o;
  o.path = argv[1];
  o.flush_interval_ns = 0;
  trace::Meta m;
  m.host = "testhost";
  m.kernel = "6.18";
  m.wall_offset_ns = 1'700'000'000ll * 1'000'000'000;  // fixed, so the file is the same every time
  m.start_ns = kSec;
  m.probes = {{"ss_state", "tp_btf/inet_sock_set_state", true, ""}};
  trace::TraceWriter w(o, m);
  Script s{w};
  enum : uint8_t { ESTAB = 1, SYN_SENT = 2, SYN_RECV = 3, FIN_WAIT1 = 4, FIN_WAIT2 = 5, TIME_WAIT = 6, CLOSE = 7,
                   CLOSE_WAIT = 8, LISTEN = 10 };

  Sock lst = make(101, 200, "nginx", 6, "0.0.0.0", 8080, "0.0.0.0", 0);
  s.call(lst, 1 * kSec, SS_CALL_SOCKET, 6);
  s.state(lst, 1 * kSec + 1000, CLOSE, LISTEN);
  s.call(lst, 1 * kSec + 2000, SS_CALL_LISTEN, 0);

  Sock db = make(102, 300, "psql", 3, "10.0.0.5", 51000, "10.0.0.9", 5432);
  s.call(db, 2 * kSec, SS_CALL_SOCKET, 3);
  s.state(db, 2 * kSec + 1000, CLOSE, SYN_SENT);
  s.state(db, 2 * kSec + 300'000, SYN_SENT, ESTAB);
  s.call(db, 2 * kSec + 301'000, SS_CALL_CONNECT, 0);
  s.state(db, 4 * kSec, ESTAB, CLOSE_WAIT);  // the server went away; psql never closes

  Sock cli = make(103, 100, "curl", 5, "127.0.0.1", 40001, "127.0.0.1", 8080);
  Sock srv = make(104, 200, "nginx", 7, "127.0.0.1", 8080, "127.0.0.1", 40001);
  s.call(cli, 5 * kSec, SS_CALL_SOCKET, 5);
  s.state(cli, 5 * kSec + 1000, CLOSE, SYN_SENT);
  s.state(srv, 5 * kSec + 20'000, LISTEN, SYN_RECV);
  s.state(cli, 5 * kSec + 30'000, SYN_SENT, ESTAB);
  s.call(cli, 5 * kSec + 31'000, SS_CALL_CONNECT, 0);
  s.state(srv, 5 * kSec + 40'000, SYN_RECV, ESTAB);
  s.call(srv, 5 * kSec + 50'000, SS_CALL_ACCEPT, 7);
  s.sample(srv, 6 * kSec, 4096);  // a request nginx never reads

  Sock redis = make(105, 400, "redis-cli", 3, "127.0.0.1", 45000, "127.0.0.1", 6379);
  s.call(redis, 10 * kSec, SS_CALL_SOCKET, 3);
  s.state(redis, 10 * kSec + 1000, CLOSE, SYN_SENT);  // SYNs dropped: no answer
  s.retransmits(redis, 12 * kSec, 3);

  Sock wget = make(106, 500, "wget", 4, "127.0.0.1", 40002, "127.0.0.1", 8080);
  s.call(wget, 20 * kSec, SS_CALL_SOCKET, 4);
  s.state(wget, 20 * kSec + 1000, CLOSE, SYN_SENT);
  s.state(wget, 20 * kSec + 30'000, SYN_SENT, ESTAB);
  s.call(wget, 20 * kSec + 31'000, SS_CALL_CONNECT, 0);
  s.call(wget, 25 * kSec, SS_CALL_CLOSE, 0);
  s.state(wget, 25 * kSec + 1000, ESTAB, FIN_WAIT1);
  s.state(wget, 25 * kSec + 2000, FIN_WAIT1, FIN_WAIT2);
  s.state(wget, 25 * kSec + 50'000, FIN_WAIT2, CLOSE);
  for (int i = 0; i < 5; ++i) {
    Sock api = make(150 + i, 700, "api", 20 + i, "127.0.0.1", 7000, "127.0.0.1", uint16_t(41000 + i));
    uint64_t at = 15 * kSec + uint64_t(i) * kSec;
    s.state(api, at, SYN_RECV, ESTAB);
    s.state(api, at + 100'000'000, ESTAB, FIN_WAIT1);
    s.state(api, at + 100'010'000, FIN_WAIT1, FIN_WAIT2);
    s.state(api, at + 100'050'000, FIN_WAIT2, TIME_WAIT);
  }
  for (int i = 0; i < 30; ++i) {
    Sock pool = make(200 + i, 600, "worker", 10 + i, "127.0.0.1", uint16_t(52001 + i), "127.0.0.1", 9000);
    uint64_t at = 26 * kSec + uint64_t(i) * 10'000'000;
    s.call(pool, at, SS_CALL_SOCKET, 10 + i);
    s.state(pool, at + 1000, CLOSE, SYN_SENT);
    s.state(pool, at + 30'000, SYN_SENT, ESTAB);
    s.call(pool, at + 31'000, SS_CALL_CONNECT, 0);
  }
  // first seen a second before the end: read recently enough to have no finding
  Sock backup = make(107, 800, "backup", 3, "127.0.0.1", 41500, "127.0.0.1", 873);
  s.call(backup, 29 * kSec, SS_CALL_SOCKET, 3);
  s.state(backup, 29 * kSec + 1000, CLOSE, SYN_SENT);
  s.state(backup, 29 * kSec + 30'000, SYN_SENT, ESTAB);
  s.call(backup, 29 * kSec + 31'000, SS_CALL_CONNECT, 0);
  s.sample(backup, 30 * kSec, 120'000);  // 92% of rcvbuf
  w.tick();
  w.close(31 * kSec);
  return 0;
}
