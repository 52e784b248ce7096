// A SocketTable fed with synthetic events, as the live view's unit tests
// build it: sockets a process opens and takes through states, one second
// apart, and the snapshot the view would draw from it.
#pragma once

#include <utility>
#include <vector>

#include "model/socket_table.h"
#include "tests/support/static_source.h"
#include "tests/unit/builders.h"
#include "ui/snapshot.h"

namespace sockscope::test {

struct TableWorld {
  SocketTable table;
  synth::StaticSource src;
  uint64_t now = 10 * kSec;

  explicit TableWorld(synth::StaticSource s = synth::StaticSource{}) : src(std::move(s)) {}

  static SockId id(uint64_t cookie, Endpoint local, Endpoint remote, TcpState st, uint16_t family = kAfInet) {
    return tcp_sock(cookie, local, remote, st, family);
  }
  // A socket owned by t: socket() (fd 3), then these states one second apart.
  void sock(uint64_t cookie, const Task& t, Endpoint local, Endpoint remote, std::vector<TcpState> path,
            uint16_t family = kAfInet) {
    SyscallEvent c;
    c.enter_ns = now;
    c.ts_ns = now += kMs;
    c.task = t;
    c.sock = id(cookie, local, remote, TcpState::Close, family);
    c.sock.cookie = 0;
    c.call = Call::Socket;
    c.fd = 3;
    c.ret = 3;
    table.apply(c);
    states(cookie, t, local, remote, std::move(path), family);
  }
  // State changes only (as seen in softirq): no socket() call.
  void states(uint64_t cookie, const Task& t, Endpoint local, Endpoint remote, std::vector<TcpState> path,
              uint16_t family = kAfInet, TcpState old = TcpState::Close) {
    for (TcpState to : path) {
      StateChange e;
      e.ts_ns = now += kSec;
      e.task = t;
      e.sock = id(cookie, local, remote, old, family);
      e.old_state = old;
      e.new_state = to;
      old = to;
      table.apply(e);
    }
  }
  // The owner's last close() of it.
  void close(uint64_t cookie, const Task& t, Endpoint local, Endpoint remote, TcpState st) {
    SyscallEvent c;
    c.enter_ns = now;
    c.ts_ns = now += kMs;
    c.task = t;
    c.sock = id(cookie, local, remote, st);
    c.call = Call::Close;
    c.fd = 3;
    c.arg0 = 1;  // the last reference
    table.apply(c);
  }
  ui::Snapshot snap(uint64_t detail = 0) { return ui::take(table, src, now, nullptr, detail); }
};

// The views' usual world: an nginx listener (pid 200), a curl client of it
// (100), and a psql connection in CLOSE_WAIT (300). W: TableWorld or a
// test's own world derived from it.
template <class W = TableWorld>
W three_sockets() {
  W w;
  w.sock(1, task(200, "nginx"), v4("0.0.0.0", 8080), v4("0.0.0.0", 0), {TcpState::Listen});
  w.sock(2, task(100, "curl"), v4("127.0.0.1", 40001), v4("127.0.0.1", 8080),
         {TcpState::SynSent, TcpState::Established});
  w.sock(3, task(300, "psql"), v4("10.0.0.5", 51000), v4("10.0.0.9", 5432),
         {TcpState::SynSent, TcpState::Established, TcpState::CloseWait});
  return w;
}

}  // namespace sockscope::test
