// Writes the fuzzer's seed corpus: small traces that between them hold
// every record kind, every kernel record type and every value of each
// enum the decoder checks, for TCP and UDP over IPv4 and IPv6, so the
// fuzzer starts from files that get deep into the decoder and the model
// instead of having to find each kind and state by chance. Run again after
// a format change:
//   build/tests/make_fuzz_seeds tests/fuzz/corpus
//
// life-*.ssc   one host's story: a listener, a connection from socket() to
//              TIME_WAIT through every TCP state on both ends, every
//              syscall, sample reason, drop origin, TCP event kind, socket
//              record kind, pass kind (full and delta), file holders, map
//              reads, losses of each kind, softnet, devices, the End; whole
//              (IPv4 plain, IPv6 compressed) and in parts, each part after
//              the sockets that exist at start-up
// synth-*.ssc  the synthetic workload of the benchmarks (many short TCP
//              connections) after one record of each map kind
// plain.ssc    not written here: the command-line tests' sample trace
//              (tests/cli/cli_run.h), made by an earlier version of this
//              program and kept as it was, since those tests check its
//              exact contents; a seed like the others
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/support/synthetic.h"
#include "trace/writer.h"

using namespace sockscope;

namespace {

template <class T>
std::span<const uint8_t> bytes_of(const T& v) {
  return {reinterpret_cast<const uint8_t*>(&v), sizeof(T)};
}

constexpr uint32_t kNetns = 4026531840u;
constexpr uint8_t kEst = 1, kSynSent = 2, kSynRecv = 3, kFinWait1 = 4, kFinWait2 = 5, kTimeWait = 6, kClose = 7,
                  kCloseWait = 8, kLastAck = 9, kListen = 10, kClosing = 11, kNewSynRecv = 12, kBound = 13;

struct Life {
  Life(trace::TraceWriter& writer, bool ipv6, uint64_t start_ns = 1'000'000'000) : w(writer), v6(ipv6), ts(start_ns) {}
  trace::TraceWriter& w;
  bool v6;
  uint64_t ts;
  uint32_t cpu = 0;
  std::vector<uint8_t> b;
  // the parts of the story written; the others only move time and the
  // sockets on, so each part can be a seed of its own
  unsigned parts = ~0u;
  unsigned part = 0;

  void put(RawKind k, std::span<const uint8_t> bytes) {
    if (parts & (1u << part)) w.write(k, bytes);
  }
  void next_part() {
    if (parts & (1u << part)) w.tick();
    ++part;
  }

  ss_hdr hdr(uint16_t type, size_t size) {
    ts += 1000;
    cpu ^= 1;
    return {type, uint16_t(size), cpu, ts};
  }

  ss_sock_id sock(uint64_t cookie, uint16_t proto, uint8_t state, uint16_t sport, uint16_t dport) const {
    ss_sock_id s{};
    s.cookie = cookie;
    s.sk = 0xffff888000100000ull + cookie * 0x1000;
    s.netns = kNetns;
    s.inode = uint32_t(30000 + cookie);
    s.family = v6 ? 10 : 2;
    s.protocol = proto;
    s.type = proto == 6 ? 1 : 2;
    s.state = state;
    s.sport = sport;
    s.dport = dport;
    if (v6) {
      s.saddr[15] = 1;  // ::1
      s.daddr[15] = dport ? 1 : 0;
    } else {
      const uint8_t lo[4] = {127, 0, 0, 1};
      std::memcpy(s.saddr, lo, 4);
      if (dport) std::memcpy(s.daddr, lo, 4);
    }
    return s;
  }

  static ss_task task(uint32_t pid, const char* comm) {
    ss_task t{};
    t.pid = t.tid = pid;
    std::snprintf(t.comm, sizeof(t.comm), "%s", comm);
    return t;
  }

  template <class T>
  void kernel(const T& v) {
    put(RawKind::Kernel, bytes_of(v));
  }

  void seed(const ss_sock_id& s, uint32_t pid, int32_t fd, uint32_t backlog) {
    SockSeed e;
    e.ts_ns = ts;
    e.sock.cookie = s.cookie;
    e.sock.sk = s.sk;
    e.sock.netns = s.netns;
    e.sock.inode = s.inode;
    e.sock.family = s.family;
    e.sock.protocol = s.protocol;
    e.sock.type = s.type;
    e.sock.state = s.state;
    e.sock.local.port = s.sport;
    e.sock.remote.port = s.dport;
    std::memcpy(e.sock.local.addr.data(), s.saddr, 16);
    std::memcpy(e.sock.remote.addr.data(), s.daddr, 16);
    e.occ.rcvbuf = 131072;
    e.occ.sndbuf = 16384;
    e.occ.max_ack_backlog = backlog;
    e.inode = s.inode;
    e.uid = 1000;
    e.pid = pid;
    e.fd = fd;
    std::memcpy(e.comm.data(), "seeded", 7);
    encode_seed(b, e);
    put(RawKind::Seed, b);
  }

  void state(const ss_sock_id& s, uint8_t from, uint8_t to, uint32_t pid) {
    ss_state_event e{};
    e.hdr = hdr(SS_EV_STATE, sizeof(e));
    e.task = task(pid, pid ? "server" : "");
    e.sock = s;
    e.sock.state = to;
    e.old_state = from;
    e.new_state = to;
    kernel(e);
  }

  void call(const ss_sock_id& s, uint16_t which, int64_t ret, int32_t fd, uint16_t origin, uint64_t a0 = 0,
            uint64_t a1 = 0, uint64_t a2 = 0) {
    ss_syscall_event e{};
    e.hdr = hdr(SS_EV_SYSCALL, sizeof(e));
    e.task = task(4100, "client");
    e.sock = s;
    e.enter_ns = origin == SS_CALL_FROM_CGROUP ? e.hdr.ts_ns : e.hdr.ts_ns - 700;
    e.ret = ret;
    e.fd = origin == SS_CALL_FROM_CGROUP ? -1 : fd;
    e.call = which;
    e.origin = origin;
    e.arg0 = a0;
    e.arg1 = a1;
    e.arg2 = a2;
    if (which == SS_CALL_BIND || which == SS_CALL_CONNECT) {
      e.addr_family = s.family;
      e.addr_port = which == SS_CALL_BIND ? s.sport : s.dport;
      std::memcpy(e.addr, s.daddr, 16);
    }
    kernel(e);
  }

  void sample(const ss_sock_id& s, uint8_t why, uint32_t rx, uint32_t tx) {
    ss_sample_event e{};
    e.hdr = hdr(SS_EV_SAMPLE, sizeof(e));
    e.sock = s;
    e.occ = {rx, tx, rx * 2, tx * 2, 131072, 16384, why == SS_SAMPLE_ACCEPT ? 1u : 0u, 128};
    e.why = why;
    kernel(e);
  }

  void drop(const ss_sock_id& s, uint8_t origin, uint32_t reason, uint8_t from_packet) {
    ss_drop_event e{};
    e.hdr = hdr(SS_EV_DROP, sizeof(e));
    e.sock = s;
    e.location = 0xffffffff81a00000ull;
    e.reason = reason;
    e.ifindex = 1;
    e.dev_netns = kNetns;
    e.len = 1500;
    e.origin = origin;
    e.from_packet = from_packet;
    e.suppressed = origin == SS_DROP_KFREE_SKB ? 2 : 0;
    kernel(e);
  }

  void tcp(const ss_sock_id& s, uint8_t kind, uint8_t from_packet = 0) {
    ss_tcp_event e{};
    e.hdr = hdr(SS_EV_TCP, sizeof(e));
    e.sock = s;
    if (s.cookie) e.m = {120u + kind, 40, 10, 7, kind == SS_TCP_ZERO_WINDOW_RECEIVED ? 0u : 65535u,
                         kind == SS_TCP_ZERO_WINDOW_SENT ? 0u : 65535u, uint8_t(kind == SS_TCP_PERSIST_PROBE),
                         uint8_t(kind % 5), {}};
    e.reason = kind == SS_TCP_RESET_SENT ? 2 : 0;
    e.err = kind == SS_TCP_RETRANSMIT && from_packet ? -11 : 0;
    e.segs = kind == SS_TCP_RETRANSMIT ? 2 : 0;
    e.kind = kind;
    e.from_packet = from_packet;
    e.suppressed = kind == SS_TCP_RETRANSMIT ? 1 : 0;
    kernel(e);
  }

  ss_sock_info info(const ss_sock_id& s, uint8_t origin, uint8_t kind) {
    ss_sock_info e{};
    e.hdr = hdr(SS_EV_SOCK, sizeof(e));
    e.sock = s;
    e.occ = {10, 20, 4096, 8192, 131072, 16384, 0, s.state == kListen ? 128u : 0u};
    if (kind == SS_SK_FULL && s.protocol == 6) e.m = {100, 20, 10, 0x7fffffff, 65535, 65535, 0, 0, {}};
    e.bytes_sent = 5000;
    e.bytes_acked = 4000;
    e.bytes_received = 3000;
    e.segs_out = 20;
    e.segs_in = 18;
    e.total_retrans = 1;
    e.sk_drops = kind == SS_SK_FULL ? 1 : 0;
    e.last_send_ms = e.last_recv_ms = e.last_ack_ms = kind == SS_SK_FULL ? 15 : SS_AGE_UNKNOWN;
    e.tw_left_ms = kind == SS_SK_TIMEWAIT ? 59000 : SS_AGE_UNKNOWN;
    e.uid = 1000;
    e.err = origin == SS_SOCK_FINAL ? 104 : 0;
    e.origin = origin;
    e.kind = kind;
    e.bound_dev_if = kind == SS_SK_REQUEST ? 1 : 0;
    e.cgroup_id = 0x100000001ull;
    return e;
  }

  void pass_info(const ss_sock_id& s, uint8_t kind) { kernel(info(s, SS_SOCK_PASS, kind)); }

  // the same record as an ABI 4 or 5 file held it: without cgroup_id
  void pass_info_abi5(const ss_sock_id& s) {
    ss_sock_info e = info(s, SS_SOCK_PASS, SS_SK_FULL);
    e.hdr.size = uint16_t(sizeof(e) - 8);
    put(RawKind::Kernel, bytes_of(e).first(sizeof(e) - 8));
  }

  void file(const ss_sock_id& s, uint32_t pid, int32_t fd) {
    ss_file_event e{};
    e.hdr = hdr(SS_EV_FILE, sizeof(e));
    e.task = task(pid, "holder");
    e.cookie = s.cookie;
    e.sk = s.sk;
    e.inode = s.inode;
    e.fd = fd;
    e.netns = s.netns;
    e.family = s.family;
    e.protocol = s.protocol;
    e.state = s.state;
    kernel(e);
  }

  ss_state_run run(const ss_sock_id& s, std::initializer_list<uint8_t> states, uint32_t pid) {
    ss_state_run r{};
    const uint8_t* st = states.begin();
    r.n = uint8_t(states.size() - 1);
    for (uint8_t i = 0; i < r.n; ++i) {
      ts += 300;
      r.steps[i] = {ts, i == 0 ? pid : 0, st[i], st[i + 1], {}};
    }
    r.hdr = hdr(SS_EV_STATE_RUN, sizeof(r));
    r.sock = s;
    r.sock.state = st[r.n];
    return r;
  }

  void end(const ss_sock_id& s, std::initializer_list<uint8_t> states) {
    ss_state_end e{};
    e.run = run(s, states, 4100);
    e.run.hdr.type = SS_EV_STATE_END;
    e.run.hdr.size = sizeof(e);
    e.fin = info(e.run.sock, SS_SOCK_FINAL, SS_SK_FULL);
    e.fin.hdr.ts_ns = e.run.hdr.ts_ns;
    kernel(e);
  }

  void pass_end(PassWhat what, uint64_t start, uint32_t count, std::vector<uint64_t> gone = {}, bool delta = false) {
    ts += 1000;
    PassEnd p(ts, start, what == PassWhat::Files ? 0 : kNetns, what, count, delta, std::move(gone));
    const RawKind kind = encode_pass_end(b, p);
    put(kind, b);
  }

  void maps(uint64_t cookie, uint32_t k, bool journey = false) {
    ss_sock_stats st{};
    st.sk = 0xffff888000100000ull + cookie * 0x1000;
    st.bytes_sent = 1000 * k;
    st.bytes_received = 700 * k;
    st.send_calls = st.recv_calls = k;
    st.send_ns = st.recv_ns = 5000 * k;
    st.send_ns_max = st.recv_ns_max = 3000;
    st.last_send_ns = st.last_recv_ns = st.last_sample_ns = st.last_emit_ns = ts;
    st.occ = {k, k, 100, 100, 131072, 16384, 0, 0};
    st.occ_max = {10 * k, 10 * k, 1000, 1000, 131072, 16384, 0, 0};
    st.owner_pid = 4100;
    st.tcp.drops = k;
    st.tcp.retrans_segs = k;
    st.tcp.resets_received = k / 2;
    st.tcp.zero_window_sent = k;
    ts += 100;
    encode_sock_stats(b, ts, cookie, st);
    put(RawKind::SockStats, b);

    if (journey) {
      ss_journey j{};
        for (ss_hist* h : {&j.nic_to_queue, &j.queue_to_read}) {
        h->count = 3 * k;
        h->sum_ns = 9000 * k;
        h->max_ns = 5000;
        h->bucket[ss_hist_bucket(1000)] = 2 * k;
        h->bucket[ss_hist_bucket(5000)] = k;
      }
      encode_journey(b, ts, cookie, j);
      put(RawKind::Journey, b);
    }

    encode_sock_drops(b, ts, {cookie, 6, 0}, k);
    put(RawKind::SockDrops, b);
    encode_sock_drops(b, ts, {cookie, 2, 0}, 2 * k);
    put(RawKind::SockDrops, b);
  }

  void devices(uint32_t k) {
    ts += 100;
    ss_dev_name lo{}, eth{};
    std::memcpy(lo.name, "lo", 3);
    std::memcpy(eth.name, "eth0", 5);
    ss_dev_stats one[1]{};
    one[0] = {100 * k, 150000 * k, 10 * k, 100 * k, k, 90 * k, 90 * k, 120000 * k, k / 2};
    encode_dev_stats(b, ts, {kNetns, 1}, &lo, one);
    put(RawKind::DevStats, b);
    ss_dev_stats two[2]{};
    two[0] = one[0];
    two[1].rx_packets = 5 * k;
    encode_dev_stats(b, ts, {kNetns, 2}, k == 1 ? &eth : nullptr, two);
    put(RawKind::DevStats, b);
    const uint64_t drops[2] = {k, 2 * k};
    encode_dev_drops(b, ts, {kNetns, 1, 6, 0}, std::span(drops).first(1));
    put(RawKind::DevDrops, b);
    encode_dev_drops(b, ts, {kNetns, 2, 2, 0}, drops);
    put(RawKind::DevDrops, b);
    const uint64_t squeeze[4] = {0, k, 0, 3 * k};
    encode_softnet(b, ts, squeeze);
    put(RawKind::Softnet, b);
  }

  void lost(uint64_t total) {
    for (uint8_t k = 0; k < uint8_t(LostKind::Count); ++k) {
      ts += 10;
      encode_lost(b, ts, LostKind(k), total + k);
      put(RawKind::Lost, b);
    }
  }

  void story() {
    const uint16_t port = v6 ? 8443 : 8080;
    // at start-up: a listener and an established TCP pair, a UDP socket
    ss_sock_id lsn = sock(10, 6, kListen, port, 0);
    ss_sock_id old_c = sock(11, 6, kEst, 40001, port);
    ss_sock_id old_s = sock(12, 6, kEst, port, 40001);
    ss_sock_id dns = sock(13, 17, kClose, 5353, 0);
    seed(lsn, 4000, 3, 128);
    seed(old_c, 4100, 4, 0);
    seed(old_s, 4000, 5, 0);
    seed(dns, 4200, 6, 0);
    uint64_t pass_start = ts;
    for (const ss_sock_id* s : {&lsn, &old_c, &old_s}) pass_info(*s, SS_SK_FULL);
    pass_end(PassWhat::Tcp, pass_start, 3);
    pass_start = ts;
    pass_info(dns, SS_SK_FULL);
    pass_end(PassWhat::Udp, pass_start, 1);
    pass_start = ts;
    file(lsn, 4000, 3);
    file(old_c, 4100, 4);
    file(old_s, 4000, 5);
    file(dns, 4200, 6);
    file(dns, 4201, 7);  // shared by two processes
    pass_end(PassWhat::Files, pass_start, 5);
    next_part();

    // a new client socket, first known only by sk (no cookie yet)
    ss_sock_id cli = sock(20, 6, kClose, 0, 0);
    ss_sock_id anon = cli;
    anon.cookie = 0;
    call(anon, SS_CALL_SOCKET, 7, 7, SS_CALL_FROM_SYSCALL, anon.family, 1, 6);
    call(cli, SS_CALL_SOCKET, 0, -1, SS_CALL_FROM_CGROUP, cli.family, 1, 6);
    call(cli, SS_CALL_SETSOCKOPT, 0, 7, SS_CALL_FROM_SYSCALL, 1, 13, 1 | (5ull << 32));  // SO_LINGER
    call(cli, SS_CALL_SETSOCKOPT, 0, -1, SS_CALL_FROM_CGROUP, 6, 1, 1);                 // TCP_NODELAY
    cli.sport = 40002;
    cli.state = kBound;
    call(cli, SS_CALL_BIND, 0, 7, SS_CALL_FROM_SYSCALL);
    cli.dport = port;
    std::memcpy(cli.daddr, cli.saddr, 16);
    state(cli, kClose, kSynSent, 4100);
    call(cli, SS_CALL_CONNECT, -115, 7, SS_CALL_FROM_SYSCALL);  // EINPROGRESS
    tcp(cli, SS_TCP_SYNACK_RETRANSMIT);
    // the server's side: a request socket, then the accepted one
    ss_sock_id req = sock(21, 6, kNewSynRecv, port, 40002);
    pass_start = ts;
    pass_info(req, SS_SK_REQUEST);
    pass_end(PassWhat::Tcp, pass_start, 1, {}, true);
    ss_sock_id srv = sock(22, 6, kSynRecv, port, 40002);
    state(srv, kListen, kSynRecv, 0);
    sample(lsn, SS_SAMPLE_DATA_READY, 1, 0);
    state(cli, kSynSent, kEst, 0);
    sample(cli, SS_SAMPLE_STATE, 0, 0);
    state(srv, kSynRecv, kEst, 0);
    call(srv, SS_CALL_ACCEPT4, 8, 8, SS_CALL_FROM_SYSCALL, 3, lsn.cookie);
    call(srv, SS_CALL_ACCEPT, 9, 9, SS_CALL_FROM_SYSCALL, 3, lsn.cookie);
    sample(lsn, SS_SAMPLE_ACCEPT, 0, 0);
    next_part();

    // data: every data call, samples for every reason
    cli.state = srv.state = kEst;
    const uint16_t sends[] = {SS_CALL_SENDTO, SS_CALL_SENDMSG, SS_CALL_SENDMMSG, SS_CALL_WRITE, SS_CALL_WRITEV};
    const uint16_t recvs[] = {SS_CALL_RECVFROM, SS_CALL_RECVMSG, SS_CALL_RECVMMSG, SS_CALL_READ, SS_CALL_READV};
    for (int i = 0; i < 5; ++i) {
      call(cli, sends[i], 1000 * (i + 1), 7, SS_CALL_FROM_SYSCALL, 1000 * (i + 1), i == 1 ? 0x40 : 0);
      sample(cli, SS_SAMPLE_SEND, 0, 1000 * (i + 1));
      sample(srv, SS_SAMPLE_DATA_READY, 1000 * (i + 1), 0);
      call(srv, recvs[i], i == 4 ? -11 : 1000 * (i + 1), 8, SS_CALL_FROM_SYSCALL, 4096, 0);
      sample(srv, SS_SAMPLE_RECV, 0, 0);
    }
    maps(cli.cookie, 1, true);
    maps(srv.cookie, 1);
    maps(99, 1);  // a socket never seen otherwise
    devices(1);
    lost(0);
    next_part();

    // trouble: every drop origin and TCP event kind
    drop(srv, SS_DROP_KFREE_SKB, 6, 0);
    drop(srv, SS_DROP_RCVQUEUE_FULL, 0, 0);
    drop(cli, SS_DROP_EXCEED_BUF, 0, 0);
    drop(srv, SS_DROP_EXCEED_BUF, 1, 0);
    drop(sock(0, 6, 0, port, 50000), SS_DROP_KFREE_SKB, 3, 1);  // a packet to no socket
    for (uint8_t k = SS_TCP_RETRANSMIT; k <= SS_TCP_KIND_MAX; ++k) tcp(k % 2 ? cli : srv, k);
    tcp(sock(0, 6, 0, port, 50001), SS_TCP_RESET_SENT, 1);
    tcp(cli, SS_TCP_RETRANSMIT, 1);
    // an iterator pass sees them, full and in the shorter ABI 5 layout
    pass_start = ts;
    pass_info(lsn, SS_SK_FULL);
    pass_info(cli, SS_SK_FULL);
    pass_info_abi5(srv);
    pass_end(PassWhat::Tcp, pass_start, 3);
    maps(srv.cookie, 2, true);
    devices(2);
    lost(3);
    next_part();

    // the ends: the client closes first and waits in TIME_WAIT; the server
    // goes CLOSE_WAIT -> LAST_ACK -> CLOSE in one record with its final read
    call(cli, SS_CALL_SHUTDOWN, 0, 7, SS_CALL_FROM_SYSCALL, 1);
    state(cli, kEst, kFinWait1, 4100);
    state(srv, kEst, kCloseWait, 0);
    state(cli, kFinWait1, kFinWait2, 0);
    call(srv, SS_CALL_CLOSE, 0, 8, SS_CALL_FROM_SYSCALL, 1);
    end(srv, {kCloseWait, kLastAck, kClose});
    call(cli, SS_CALL_CLOSE, 0, 7, SS_CALL_FROM_SYSCALL, 1);
    end(cli, {kFinWait2, kTimeWait});
    cli.state = kTimeWait;
    // the old pair closes at once on both ends (CLOSING), in state runs
    kernel(run(old_c, {kEst, kFinWait1, kClosing, kTimeWait}, 4100));
    kernel(run(old_s, {kEst, kFinWait1, kClosing, kTimeWait}, 4000));
    // a delta pass: the client as a timewait socket, the old pair gone
    pass_start = ts;
    pass_info(cli, SS_SK_TIMEWAIT);
    pass_end(PassWhat::Tcp, pass_start, 1, {old_c.cookie, old_s.cookie, 12345}, true);
    // UDP: the seeded socket used, dropping, closed; a second one bound
    ss_sock_id dns_up = dns;
    call(dns, SS_CALL_SENDTO, 60, 6, SS_CALL_FROM_SYSCALL, 60, 0);
    call(dns, SS_CALL_RECVFROM, 120, 6, SS_CALL_FROM_SYSCALL, 1500, 0x40);
    drop(dns, SS_DROP_UDP_QUEUE_FAIL, 105, 0);
    drop(dns, SS_DROP_RCVQUEUE_FULL, 0, 0);
    sample(dns, SS_SAMPLE_DATA_READY, 2000, 0);
    ss_sock_id udp2 = sock(30, 17, kClose, 0, 0);
    call(udp2, SS_CALL_SOCKET, 0, -1, SS_CALL_FROM_CGROUP, udp2.family, 2, 17);
    udp2.sport = 6000;
    call(udp2, SS_CALL_BIND, 0, -1, SS_CALL_FROM_CGROUP);
    call(udp2, SS_CALL_CONNECT, 0, 9, SS_CALL_FROM_SYSCALL);
    pass_start = ts;
    pass_info(dns_up, SS_SK_FULL);
    pass_info(udp2, SS_SK_FULL);
    pass_end(PassWhat::Udp, pass_start, 2, {}, true);
    call(dns, SS_CALL_CLOSE, 0, 6, SS_CALL_FROM_SYSCALL, 1);
    pass_start = ts;
    file(udp2, 4300, 9);
    pass_end(PassWhat::Files, pass_start, 1);
    // the listener closed; calls that failed
    call(lsn, SS_CALL_LISTEN, 0, 3, SS_CALL_FROM_SYSCALL, 128);
    call(sock(40, 6, kClose, 0, 0), SS_CALL_CONNECT, -111, 10, SS_CALL_FROM_SYSCALL);  // ECONNREFUSED
    state(lsn, kListen, kClose, 4000);
    maps(cli.cookie, 3);
    lost(10);
    next_part();
  }
};

// parts: bit 0 the sockets at start-up, 1 the handshake, 2 data, 3
// trouble, 4 the ends
trace::WriterOptions seed_options(const std::string& path, bool compress) {
  trace::WriterOptions o;
  o.path = path;
  o.compress = compress;
  o.flush_interval_ns = 0;
  return o;
}

trace::Meta seed_meta() {
  trace::Meta m;
  m.host = "seed";
  m.kernel = "6.18";
  return m;
}

void write_life(const std::string& path, bool v6, bool compress, unsigned parts = ~0u) {
  const trace::WriterOptions o = seed_options(path, compress);
  trace::Meta m = seed_meta();
  m.command = "sockscope record -w life.ssc";
  m.wall_offset_ns = 1'700'000'000'000'000'000;
  m.start_ns = 1'000'000'000;
  m.sample_interval_ns = 250'000'000;
  m.probes = {{"ss_state", "tp_btf/inet_sock_set_state", true, ""},
              {"ss_kfree_skb", "tp_btf/kfree_skb", false, "not in this kernel"}};
  m.reasons.drop = {{2, "NOT_SPECIFIED"}, {3, "NO_SOCKET"}, {6, "NETFILTER_DROP"}};
  m.reasons.reset = {{2, "TCP_ABORT_ON_DATA"}};
  trace::TraceWriter w(o, m);
  Life life(w, v6);
  life.parts = parts;
  life.story();
  w.close(life.ts + 1000);
}

// One record of each map kind, then the synthetic workload.
void write_synth(const std::string& path, bool compress) {
  const trace::WriterOptions o = seed_options(path, compress);
  trace::Meta m = seed_meta();
  m.probes = {{"ss_state", "tp_btf/inet_sock_set_state", true, ""}};
  m.reasons.drop = {{6, "NETFILTER_DROP"}};
  trace::TraceWriter w(o, m);
  Life life(w, false, 900'000'000);
  life.maps(4242, 1, true);
  life.devices(1);
  life.lost(5);
  w.tick();
  synth::Options so;
  so.connections = 3;
  so.samples_per_connection = 3;
  uint64_t n = 0;
  synth::generate(so, [&](RawKind k, std::span<const uint8_t> b) {
    w.write(k, b);
    if (++n % 10 == 0) w.tick();
  });
  w.close(2'000'000'000);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  write_life(dir + "/life-v4.ssc", false, false);
  write_life(dir + "/life-v6-zstd.ssc", true, true);
  // the same story in smaller pieces: a fuzzer runs faster on small inputs
  write_life(dir + "/life-v6-open.ssc", true, false, 0b00011);
  write_life(dir + "/life-v6-data.ssc", true, false, 0b00101);
  write_life(dir + "/life-v4-trouble.ssc", false, false, 0b01001);
  write_life(dir + "/life-v4-ends.ssc", false, false, 0b10001);
  write_synth(dir + "/synth.ssc", false);
  write_synth(dir + "/synth-zstd.ssc", true);
  return 0;
}
