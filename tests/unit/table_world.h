// A SocketTable fed with synthetic events, as the live view's unit tests
// build it: sockets a process opens and takes through states, one second
// apart, and the snapshot the view would draw from it.
#pragma once

#include <utility>
#include <vector>

#include "builders.h"
#include "model/socket_table.h"
#include "snapshot.h"
#include "static_source.h"

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
  ui::Snapshot snap(uint64_t detail = 0) { return ui::take(table, src, now, nullptr, detail); }
};

}  // namespace sockscope::test
