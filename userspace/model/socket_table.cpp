#include "model/socket_table.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "util/bounded.h"

namespace sockscope {
namespace {

bool addr_set(const Endpoint& e) {
  return std::any_of(e.addr.begin(), e.addr.end(), [](uint8_t b) { return b != 0; });
}

void merge_endpoint(Endpoint& into, const Endpoint& from) {
  if (from.port) into.port = from.port;
  if (addr_set(from)) into.addr = from.addr;
}

void max_into(Occupancy& m, const Occupancy& o) {
  m.rx_queue = std::max(m.rx_queue, o.rx_queue);
  m.tx_queue = std::max(m.tx_queue, o.tx_queue);
  m.rmem_alloc = std::max(m.rmem_alloc, o.rmem_alloc);
  m.wmem_queued = std::max(m.wmem_queued, o.wmem_queued);
  m.rcvbuf = std::max(m.rcvbuf, o.rcvbuf);
  m.sndbuf = std::max(m.sndbuf, o.sndbuf);
  m.ack_backlog = std::max(m.ack_backlog, o.ack_backlog);
  m.max_ack_backlog = std::max(m.max_ack_backlog, o.max_ack_backlog);
}

template <class T>
void push_bounded(std::vector<T>& v, const T& x, size_t max) {
  if (v.size() >= max) v.erase(v.begin());
  v.push_back(x);
}

bool valid_state(uint8_t s) { return s >= 1 && s <= kTcpStateMax; }

// Every occupancy reading goes into the per-second series too, older ones
// included (they still say how full that second was). A listener's reading
// means other things (read_occupancy in the BPF side).
void record_occupancy(Socket& s, uint64_t ts_ns, const Occupancy& o) {
  s.occ_series.record(ts_ns, o, s.is_tcp() && s.state == TcpState::Listen);
}

// Whether the kernel keeps the socket in a table an iterator walks: TCP
// listening, connecting, connected, timewait and request sockets; UDP
// sockets once bound. Others (a TCP socket never connected or already
// closed, a UDP socket never bound) exist only while an fd holds them.
bool in_tables(const Socket& s) {
  if (s.is_tcp()) return s.state != TcpState::Close && s.state != TcpState::Unknown;
  return s.id.local.port != 0;
}

// The queues of a socket in TIME_WAIT or closed: the kernel purged them
// (a timewait socket has none), whatever a reading taken just before said.
void clear_queues(Socket& s, uint64_t ts_ns) {
  s.occ.rx_queue = s.occ.tx_queue = s.occ.rmem_alloc = s.occ.wmem_queued = 0;
  s.occ.ack_backlog = 0;
  s.occ_ts_ns = std::max(s.occ_ts_ns, ts_ns);
}

// No more queue readings once the queues are gone: the state hook's own
// sample at the move to TIME_WAIT still counts the peer's FIN as unread.
bool queues_gone(const Socket& s) { return s.closed || (s.is_tcp() && s.state == TcpState::TimeWait); }

constexpr uint64_t kMs = 1'000'000;
// The kernel's TCP_TIMEWAIT_LEN: a timewait socket lives this long.
constexpr uint32_t kTimeWaitMs = 60'000;

// Time from then to now; 0 when then is later (an event applied after the
// caller read its clock), never a wrapped-around huge value.
uint64_t elapsed(uint64_t then, uint64_t now) { return now > then ? now - then : 0; }

}  // namespace

uint64_t TableCounters::lost_total() const {
  uint64_t n = 0;
  for (auto x : lost) n += x;
  return n;
}

const Socket* SocketTable::apply(const Event& e) {
  ++counters_.events;
  Socket* s = std::visit([this](const auto& x) { return on(x); }, e);
  if (!s) return s;
  touched(*s);
  uint64_t ts = event_ts(e);
  s->last_event_ns = std::max(s->last_event_ns, ts);
  if (order_.tail != s) {  // the most recently active goes last (a socket's events come in runs)
    unplace(*s);
    place(*s);
  }
  // measured from here on, if the tiers in force measure them
  s->io.bytes_measured |= coverage_.packets;
  s->io.calls_measured |= coverage_.syscalls;
  // since when a pass must show it (PassEnd)
  if (!in_tables(*s)) {
    s->hashed_ns = 0;
    if (!s->closed) due_files(*s);  // it lives only while an fd holds it
  } else if (!s->hashed_ns) {
    s->hashed_ns = ts;
  }
  // the limit holds after every event, live or replayed: a file of a
  // million sockets a nanosecond apart never holds more than it
  if (sockets_.size() > limits_.max_sockets) make_room(s);
  return s;
}

void SocketTable::place(Socket& s) {
  s.link.next = nullptr;
  s.link.prev = order_.tail;
  if (order_.tail) order_.tail->link.next = &s;
  else order_.head = &s;
  order_.tail = &s;
}

void SocketTable::unplace(Socket& s) {
  if (s.link.prev) s.link.prev->link.next = s.link.next;
  else if (order_.head == &s) order_.head = s.link.next;
  if (s.link.next) s.link.next->link.prev = s.link.prev;
  else if (order_.tail == &s) order_.tail = s.link.prev;
  s.link.prev = s.link.next = nullptr;
}

void SocketTable::make_room(const Socket* keep) {
  std::optional<std::pair<uint64_t, uint64_t>> kept;  // keep's own entry, put back
  while (sockets_.size() > limits_.max_sockets) {
    bool done = false;
    while (!done && !closed_due_.empty()) {
      const auto due = closed_due_.top();
      closed_due_.pop();
      Socket* s = find_key(due.second);
      if (!s || !s->closed || s->closed_ns != due.first) continue;  // reopened, erased, or closed again later
      if (s == keep) {
        kept = due;
        continue;
      }
      erase(due.second);
      done = true;
    }
    // nothing closed left: the least recently active
    Socket* v = order_.head;
    if (!done && v == keep) v = v->link.next;
    if (!done && v) {
      erase(v->key);
      done = true;
    }
    if (!done) break;  // only keep is left
    ++counters_.evicted_for_room;
  }
  if (kept) closed_due_.push(*kept);
}

const Socket* SocketTable::find(uint64_t key) const {
  auto it = sockets_.find(key);
  return it == sockets_.end() ? nullptr : &it->second;
}

Socket& SocketTable::create(uint64_t key, const SockId& id, uint64_t ts_ns) {
  Socket& s = sockets_[key];
  s.key = key;
  s.serial = ++counters_.sockets_created;
  s.id = id;
  s.first_seen_ns = s.last_event_ns = ts_ns;
  if (is_provisional(key)) by_sk_[id.sk] = key;
  if (!s.link.prev && order_.head != &s) place(s);  // not placed yet
  unconfirmed_.push_back(key);
  due_files(s);
  return s;
}

void SocketTable::due_files(Socket& s) {
  if (s.files_due) return;
  s.files_due = true;
  files_due_.push_back(s.key);
}

// Finds or creates the socket a record is about. fresh: the record starts
// a new socket (socket() returned), so an sk match is an old one whose
// address the kernel reused.
//
// by_sk_ holds provisional sockets only: those seen on the syscall path
// before the kernel generated their cookie. Records that carry a cookie
// never update it, since a late record (a stats poll) of an old socket at
// the same address would otherwise steal a new socket's entry.
Socket* SocketTable::resolve(const SockId& id, uint64_t ts_ns, bool fresh) {
  if (id.cookie) {
    if (Socket* s = find_key(id.cookie)) return s;
    if (auto a = id.sk ? by_sk_.find(id.sk) : by_sk_.end(); !fresh && a != by_sk_.end()) {
      // first record with the cookie: move the provisional socket to it
      forget_last();
      auto node = sockets_.extract(a->second);
      by_sk_.erase(a);
      if (!node.empty()) {
        if (tracking_) {  // a view knows it by its old key: gone there, new here
          erased_.push_back(node.key());
          node.mapped().changed = false;
        }
        node.key() = id.cookie;
        node.mapped().key = id.cookie;
        node.mapped().id.cookie = id.cookie;
        Socket& moved = sockets_.insert(std::move(node)).position->second;
        take_pending_stats(moved);
        schedule(moved);  // its queue entries name the old key
        unconfirmed_.push_back(id.cookie);
        if (moved.files_due) files_due_.push_back(id.cookie);
        return &moved;
      }
    }
    Socket& fresh_sock = create(id.cookie, id, ts_ns);
    take_pending_stats(fresh_sock);
    return &fresh_sock;
  }
  if (!id.sk) {
    ++counters_.unattributed;
    return nullptr;
  }
  if (auto a = by_sk_.find(id.sk); !fresh && a != by_sk_.end()) {
    if (auto it = sockets_.find(a->second); it != sockets_.end()) return &it->second;
  }
  return &create(kProvisionalBit | ++next_provisional_, id, ts_ns);
}

void SocketTable::merge_identity(Socket& s, const SockId& id) {
  if (id.sk) s.id.sk = id.sk;
  if (id.netns) s.id.netns = id.netns;
  if (id.inode) s.id.inode = id.inode;
  if (id.family) s.id.family = id.family;
  if (id.protocol) s.id.protocol = id.protocol;
  if (id.type) s.id.type = id.type;
  merge_endpoint(s.id.local, id.local);
  merge_endpoint(s.id.remote, id.remote);
}

void SocketTable::set_state(Socket& s, TcpState st, uint64_t ts_ns) {
  if (st == s.state && !s.history.empty()) {
    // The same state, known from earlier than we had it: the change came
    // after a pass had shown its result (state runs travel with the pass
    // that visits the socket), so it has been in it since the change.
    StatePoint& now = s.history.back();
    const bool after_previous = s.history.size() < 2 || s.history[s.history.size() - 2].ts_ns <= ts_ns;
    if (ts_ns < now.ts_ns && after_previous && s.state_since_known) {
      now.ts_ns = ts_ns;
      s.state_since_ns = ts_ns;
      if (st == TcpState::TimeWait) schedule(s);
    }
    return;
  }
  if (!s.history.empty() && ts_ns < s.history.back().ts_ns) {
    // older than what we know (records from two CPUs, or a snapshot taken
    // later): history stays in time order, the current state stays
    auto at = std::upper_bound(s.history.begin(), s.history.end(), ts_ns,
                               [](uint64_t t, const StatePoint& p) { return t < p.ts_ns; });
    s.history.insert(at, {st, ts_ns});
    if (s.history.size() > Socket::kMaxHistory) {
      s.history.erase(s.history.begin() + 1);
      ++s.history_dropped;
    }
    return;
  }
  s.state = st;
  s.state_since_ns = ts_ns;
  if (st == TcpState::TimeWait) schedule(s);
  if (s.history.capacity() == 0) {
    // Room for a whole connection's states at once for a socket seen from
    // its start (growing one by one made four allocations per socket
    // under churn); a socket first seen established or in TIME_WAIT (a
    // seed, a pass) mostly stays there: 262,144 of them held 32 MiB of
    // room they never used.
    const bool from_start = st == TcpState::Close || st == TcpState::SynSent || st == TcpState::SynRecv;
    s.history.reserve(from_start ? 8 : 2);
  }
  if (s.history.size() >= Socket::kMaxHistory) {
    s.history.erase(s.history.begin() + 1);  // keep how it started
    ++s.history_dropped;
  }
  s.history.push_back({st, ts_ns});
}

void SocketTable::schedule(const Socket& s) {
  if (s.is_tcp() && s.state == TcpState::TimeWait) timewait_due_.push({s.state_since_ns + kTimeWaitNs, s.key});
  if (s.closed) closed_due_.push({s.closed_ns, s.key});
}

void SocketTable::mark_closed(Socket& s, uint64_t ts_ns, EndHow how) {
  if (s.closed) return;
  s.closed = true;
  s.closed_ns = ts_ns;
  touched(s);  // a pass or expiry ends many sockets outside apply()'s own
  closed_due_.push({ts_ns, s.key});
  if (how == EndHow::Close && (s.err || s.tcp.resets_received)) how = EndHow::Reset;
  s.end = how;
  s.holders.clear();  // nobody holds a socket that is gone
  clear_queues(s, ts_ns);
  // A socket gone before it had a cookie gets no more records: the next
  // record at its address is a new socket the kernel put there.
  if (auto a = by_sk_.find(s.id.sk); a != by_sk_.end() && a->second == s.key) by_sk_.erase(a);
}

Socket* SocketTable::on(const StateChange& e) {
  Socket* s = resolve(e.sock, e.ts_ns);
  if (!s) return nullptr;
  merge_identity(*s, e.sock);
  s->request = false;  // state changes are a full socket's (a request's child keeps its cookie)
  if (s->closed && e.new_state != TcpState::Close) {  // reused by connect()
    s->closed = false;
    s->end = EndHow::None;
  }
  set_state(*s, e.new_state, e.ts_ns);
  if (e.new_state == TcpState::TimeWait) clear_queues(*s, e.ts_ns);
  // gone once CLOSE is reached and no fd holds it (or none we ever saw)
  if (e.new_state == TcpState::Close && (s->fd_closed || (s->owner.fd < 0 && !s->fd_unnumbered)))
    mark_closed(*s, e.ts_ns, EndHow::Close);
  return s;
}

// With --detail syscalls switched on for a process while the cgroup hooks
// run, one call arrives twice: the cgroup hook's record inside the call,
// then the syscall hook's at its exit, with the fd and the time it took.
// The later one replaces the earlier in the history.
void SocketTable::note_call(Socket& s, const SyscallEvent& e) {
  CallRecord c{e.call, e.enter_ns, e.ts_ns, e.ret, e.arg0, e.origin};
  if (!s.calls.empty() && e.origin == CallOrigin::Syscall) {
    CallRecord& last = s.calls.back();
    if (last.origin == CallOrigin::Cgroup && last.call == e.call && last.exit_ns >= e.enter_ns &&
        last.exit_ns <= e.ts_ns) {
      last = c;
      return;
    }
  }
  if (s.calls.capacity() == 0) s.calls.reserve(4);  // a connection's few calls in one allocation
  push_bounded(s.calls, c, Socket::kMaxCalls);
}

Socket* SocketTable::on(const SyscallEvent& e) {
  bool creates = e.call == Call::Socket;
  if (creates && e.ret < 0) return nullptr;
  Socket* s = resolve(e.sock, e.ts_ns, creates);
  if (!s) return nullptr;
  merge_identity(*s, e.sock);
  if (creates || (!s->is_tcp() && valid_state(e.sock.state)))
    set_state(*s, static_cast<TcpState>(e.sock.state ? e.sock.state : uint8_t(TcpState::Close)), e.ts_ns);

  // a cgroup hook's record knows no fd: the files pass brings it
  // made by socket(), seen by cgroup/sock_create: an fd holds it until
  // sock_release, though its number comes only with the files pass
  if (creates && e.origin == CallOrigin::Cgroup) s->fd_unnumbered = true;
  bool returns_fd = e.origin == CallOrigin::Syscall &&
                    (creates || ((e.call == Call::Accept || e.call == Call::Accept4) && e.ret >= 0));
  if (e.call != Call::Close && e.task.pid) {
    s->owner.pid = e.task.pid;
    s->owner.comm = e.task.comm;
    if (returns_fd) s->owner.fd = static_cast<int32_t>(e.ret);
    else if (e.fd >= 0) s->owner.fd = e.fd;
  }
  switch (e.call) {
    case Call::Listen:
      if (e.ret == 0) s->listen_backlog = static_cast<uint32_t>(e.arg0);
      break;
    case Call::Setsockopt:
      if (e.ret == 0) push_bounded(s->options, {e.arg0, e.arg1, e.arg2, e.ts_ns}, Socket::kMaxOptions);
      break;
    case Call::Close:
      // sock_release runs in the process that let go of the last reference:
      // a socket nobody was seen to hold (accepted and closed between two
      // passes, without the syscalls tier) was that process's
      if (e.origin == CallOrigin::Cgroup && s->owner.pid == 0 && e.task.pid) {
        s->owner.pid = e.task.pid;
        s->owner.comm = e.task.comm;
      }
      if (e.ret == 0) {
        std::erase_if(s->holders, [&](const Owner& o) { return o.pid == e.task.pid && o.fd == e.fd; });
        pick_owner(*s);
      }
      if (e.ret == 0 && e.arg0) {
        s->holders.clear();  // the last reference is gone: nobody holds it
        pick_owner(*s);
        s->fd_closed = true;
        // The state the kernel had at the release: a TCP socket's state
        // changes travel in runs, which may come after this record.
        if (s->is_tcp() && e.origin == CallOrigin::Cgroup && valid_state(e.sock.state))
          set_state(*s, static_cast<TcpState>(e.sock.state), e.ts_ns);
        if (!s->is_tcp() || s->state == TcpState::Close) mark_closed(*s, e.ts_ns, EndHow::Close);
      }
      break;
    default:
      break;
  }
  note_call(*s, e);
  return s;
}

Socket* SocketTable::on(const Sample& e) {
  Socket* s = resolve(e.sock, e.ts_ns);
  if (!s) return nullptr;
  merge_identity(*s, e.sock);
  if (!s->is_tcp() && valid_state(e.sock.state)) set_state(*s, static_cast<TcpState>(e.sock.state), e.ts_ns);
  if (queues_gone(*s)) return s;
  if (e.ts_ns >= s->occ_ts_ns) {
    s->occ = e.occ;
    s->occ_ts_ns = e.ts_ns;
  }
  max_into(s->occ_max, e.occ);
  record_occupancy(*s, e.ts_ns, e.occ);
  return s;
}

Socket* SocketTable::find_key(uint64_t key) {
  if (last_.s && last_.key == key) return last_.s;
  auto it = sockets_.find(key);
  if (it == sockets_.end()) return nullptr;
  last_.key = key;
  last_.s = &it->second;
  return last_.s;
}

// Where a map update for a socket not seen yet waits; nullptr when too
// many already wait (then it is counted as unmatched).
SocketTable::Pending* SocketTable::pending(uint64_t cookie, uint64_t ts_ns) {
  auto it = pending_.find(cookie);
  if (it == pending_.end()) {
    if (pending_.size() >= kMaxPendingStats) return nullptr;
    it = pending_.emplace(cookie, Pending{}).first;
  }
  it->second.ts_ns = std::max(it->second.ts_ns, ts_ns);
  return &it->second;
}

Socket* SocketTable::on(const StatsUpdate& e) {
  if (Socket* s = find_key(e.cookie)) {
    apply_stats(*s, e);
    return s;
  }
  if (Pending* p = pending(e.cookie, e.ts_ns)) p->stats = e;
  else ++counters_.stats_unmatched;
  return nullptr;
}

void SocketTable::take_pending_stats(Socket& s) {
  if (pending_.empty() || !s.id.cookie) return;
  auto it = pending_.find(s.id.cookie);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (p.stats) apply_stats(s, *p.stats);
  if (p.journey) {
    Journey& j = s.journey.make();
    j.nic_to_queue = std::move(p.journey->nic_to_queue);
    j.queue_to_read = std::move(p.journey->queue_to_read);
  }
  for (const auto& [reason, count] : p.drops)
    if (!put_bounded(s.drops_by_reason, reason, count, kMaxReasonsPerKey)) ++counters_.reasons_refused;
}

void SocketTable::apply_stats(Socket& sock, const StatsUpdate& e) {
  Socket* s = &sock;
  IoCounters& io = s->io;
  io.bytes_sent = e.bytes_sent;
  io.bytes_received = e.bytes_received;
  io.send_calls = e.send_calls;
  io.recv_calls = e.recv_calls;
  io.send_ns = e.send_ns;
  io.recv_ns = e.recv_ns;
  io.send_ns_max = e.send_ns_max;
  io.recv_ns_max = e.recv_ns_max;
  io.last_send_ns = e.last_send_ns;
  io.last_recv_ns = e.last_recv_ns;
  // a count above zero was measured, whatever the tiers said (top's D key
  // turns the syscall hooks on for one process only)
  if (e.bytes_sent || e.bytes_received) io.bytes_measured = true;
  if (e.send_calls || e.recv_calls) io.calls_measured = true;
  if (e.last_sample_ns && e.last_sample_ns >= s->occ_ts_ns && !queues_gone(*s)) {
    s->occ = e.occ;
    s->occ_ts_ns = e.last_sample_ns;
  }
  if (e.last_sample_ns) record_occupancy(*s, e.last_sample_ns, e.occ);  // as of when it was read
  max_into(s->occ_max, e.occ_max);
  if (!s->owner.pid) s->owner.pid = e.owner_pid;
  s->tcp = e.tcp;
  if (e.metrics_ns && e.metrics_ns >= s->metrics_ns) {
    s->metrics = e.metrics;
    s->metrics_ns = e.metrics_ns;
  }
}

// A socket created between attach and the sock_diag dump is seen twice:
// on the syscall path without a cookie (provisional), and in the dump with
// one. Its inode joins the two.
Socket* SocketTable::provisional_by_inode(uint32_t inode) {
  if (!inode) return nullptr;
  for (const auto& [sk, key] : by_sk_) {
    auto it = sockets_.find(key);
    if (it != sockets_.end() && it->second.id.inode == inode) return &it->second;
  }
  return nullptr;
}

Socket* SocketTable::on(const SockSeed& e) {
  bool known = sockets_.count(e.sock.cookie) != 0;
  SockId id = e.sock;
  if (Socket* p = known ? nullptr : provisional_by_inode(e.inode ? e.inode : id.inode)) {
    id.sk = p->id.sk;  // resolve() moves it to the cookie
    known = true;
  }
  Socket* s = resolve(id, e.ts_ns);
  if (!s) return nullptr;
  if (!known) {
    s->seeded = true;
    s->state_since_known = false;  // in its state since before start-up: when it began, sock_diag does not say
  }
  merge_identity(*s, e.sock);
  if (valid_state(e.sock.state)) set_state(*s, static_cast<TcpState>(e.sock.state), e.ts_ns);
  if (e.pid) {
    s->owner.pid = e.pid;
    s->owner.fd = e.fd;
    s->owner.comm = e.comm;
  }
  if (e.ts_ns >= s->occ_ts_ns) {
    s->occ = e.occ;
    s->occ_ts_ns = e.ts_ns;
  }
  max_into(s->occ_max, e.occ);
  record_occupancy(*s, e.ts_ns, e.occ);
  return s;
}

Socket* SocketTable::on(const Lost& e) {
  auto i = static_cast<size_t>(e.kind);
  if (i < counters_.lost.size() && e.total > counters_.lost[i]) {
    if (gaps_.size() >= kMaxGapMarks) gaps_.pop_front();
    gaps_.push_back({e.ts_ns, e.kind, e.total - counters_.lost[i]});
    counters_.lost[i] = e.total;
    if (!in_gap_) ++counters_.gaps;
    in_gap_ = true;
  }
  return nullptr;
}

// Drop and TCP records come from softirq and timers: they name a socket
// by cookie (or sk) but carry no owner. One that names no socket of ours
// (from_packet: the addresses are the packet's) must not create one.
Socket* SocketTable::attach(const SockId& id, bool from_packet, uint64_t ts_ns) {
  if (from_packet) return nullptr;
  auto prov = id.sk ? by_sk_.find(id.sk) : by_sk_.end();
  if (!id.cookie) return prov != by_sk_.end() ? find_key(prov->second) : nullptr;
  bool known = find_key(id.cookie) || prov != by_sk_.end();
  // A request socket ends with the handshake and its child is a new socket
  // with its own cookie: an entry made for it would never be closed.
  if (!known && id.state == uint8_t(TcpState::NewSynRecv)) return nullptr;
  Socket* s = resolve(id, ts_ns);
  // first seen here (a socket from before start-up in another netns, or a
  // timewait socket): its state now, so that TIME_WAIT expires
  if (s && !known && valid_state(id.state)) set_state(*s, static_cast<TcpState>(id.state), ts_ns);
  return s;
}

Socket* SocketTable::on(const Drop& e) {
  Socket* s = attach(e.sock, e.from_packet, e.ts_ns);
  if (!s) {
    ++counters_.drops_unattributed;
    return nullptr;
  }
  merge_identity(*s, e.sock);
  if (!s->is_tcp() && valid_state(e.sock.state)) set_state(*s, static_cast<TcpState>(e.sock.state), e.ts_ns);
  NetEvent n;
  n.ts_ns = e.ts_ns;
  n.is_drop = true;
  n.origin = e.origin;
  n.reason = e.reason;
  if (s->net_events.size() >= Socket::kMaxNetEvents) ++s->net_events_dropped;
  push_bounded(s->net_events, n, Socket::kMaxNetEvents);
  return s;
}

Socket* SocketTable::on(const TcpEvent& e) {
  Socket* s = attach(e.sock, e.from_packet, e.ts_ns);
  if (!s) {
    if (e.kind == TcpKind::ResetSent || e.kind == TcpKind::ResetReceived) ++counters_.resets_unattributed;
    else ++counters_.unattributed;
    return nullptr;
  }
  merge_identity(*s, e.sock);
  if (e.kind == TcpKind::Metrics) {
    // records from two CPUs can arrive out of order, and the stats map may
    // already hold a later reading
    if (e.ts_ns >= s->metrics_ns) {
      s->metrics = e.m;
      s->metrics_ns = e.ts_ns;
    }
    return s;
  }
  NetEvent n;
  n.ts_ns = e.ts_ns;
  n.kind = e.kind;
  n.reason = e.reason;
  n.segs = e.segs;
  n.err = e.err;
  if (s->net_events.size() >= Socket::kMaxNetEvents) ++s->net_events_dropped;
  push_bounded(s->net_events, n, Socket::kMaxNetEvents);
  return s;
}

Socket* SocketTable::on(const JourneyUpdate& e) {
  if (Socket* s = find_key(e.cookie)) {
    Journey& j = s->journey.make();
    j.nic_to_queue = e.nic_to_queue;
    j.queue_to_read = e.queue_to_read;
    return s;
  }
  if (Pending* p = pending(e.cookie, e.ts_ns)) p->journey = e;
  else ++counters_.stats_unmatched;
  return nullptr;
}

Socket* SocketTable::on(const SockDropsUpdate& e) {
  if (Socket* s = find_key(e.cookie)) {
    if (!put_bounded(s->drops_by_reason, e.reason, e.count, kMaxReasonsPerKey)) ++counters_.reasons_refused;
    return s;
  }
  if (Pending* p = pending(e.cookie, e.ts_ns)) {
    if (!put_bounded(p->drops, e.reason, e.count, kMaxReasonsPerKey)) ++counters_.reasons_refused;
  } else {
    ++counters_.stats_unmatched;
  }
  return nullptr;
}

Socket* SocketTable::on(const DevStatsUpdate& e) {
  nics_.apply(e);
  return nullptr;
}

Socket* SocketTable::on(const DevDropsUpdate& e) {
  nics_.apply(e);
  return nullptr;
}

Socket* SocketTable::on(const SoftnetUpdate& e) {
  nics_.apply(e);
  return nullptr;
}

// The kernel's last-send and last-receive times, ms before the record.
void SocketTable::take_kernel_ages(Socket& s, const SockInfo& e) {
  auto at = [&](uint32_t ms) { return ms == kAgeUnknown || uint64_t(ms) * kMs > e.ts_ns ? 0 : e.ts_ns - uint64_t(ms) * kMs; };
  s.kernel_last_send_ns = std::max(s.kernel_last_send_ns, at(e.last_send_ms));
  s.kernel_last_recv_ns = std::max(s.kernel_last_recv_ns, at(e.last_recv_ms));
}

// What the kernel's tcp_sock says (bytes, segments, metrics, sk_err, last
// send/receive): from a pass, or read at the move to CLOSE (or TIME_WAIT)
// in the state hook, so a socket that lived between passes ends complete.
void SocketTable::apply_kernel_read(Socket& s, const SockInfo& e) {
  if (e.ts_ns >= s.kernel_ns) {
    s.kernel = e.k;
    s.kernel_ns = e.ts_ns;
  }
  if (e.err) s.err = e.err;
  if (e.ts_ns >= s.metrics_ns && s.is_tcp()) {
    s.metrics = e.m;
    s.metrics_ns = e.ts_ns;
  }
  max_into(s.occ_max, e.occ);
  take_kernel_ages(s, e);
}

Socket* SocketTable::on(const SockInfo& e) {
  const SockId& id0 = e.sock;
  bool known = find_key(id0.cookie) || (id0.sk && by_sk_.count(id0.sk));
  SockId id = id0;
  if (Socket* p = known ? nullptr : provisional_by_inode(id0.inode)) {
    id.sk = p->id.sk;  // resolve() moves it to the cookie
    known = true;
  }
  Socket* s = resolve(id, e.ts_ns);
  if (!s) return nullptr;
  merge_identity(*s, id0);
  s->bound_dev_if = e.bound_dev_if;
  if (e.cgroup_id) s->cgroup_id = e.cgroup_id;  // a timewait socket has none: keep its full socket's
  if (e.origin == SockOrigin::Final) {
    apply_kernel_read(*s, e);
    if (!known && valid_state(id0.state)) set_state(*s, static_cast<TcpState>(id0.state), e.ts_ns);
    return s;
  }

  // A pass: the kernel has this socket, in this state, now.
  const auto what = uint8_t(s->is_tcp() ? PassWhat::Tcp : PassWhat::Udp);
  // The accepted child takes its request socket's cookie: the row goes on
  // as the child once a full socket is seen.
  s->request = e.kind == SockKind::Request;
  if (!known) {
    // in the first pass of its namespace: it existed before start-up
    if (!passed_.count({id0.netns, what})) {
      s->seeded = true;
      s->state_since_known = false;
    }
  }
  if (s->closed && s->closed_ns <= e.ts_ns) {  // an fd closed, another still holds it
    s->closed = false;
    s->end = EndHow::None;
  }
  s->confirmed_ns = std::max(s->confirmed_ns, e.ts_ns);
  TcpState st = e.kind == SockKind::Request    ? TcpState::SynRecv
                : e.kind == SockKind::TimeWait ? (id0.state == uint8_t(TcpState::FinWait2) ? TcpState::FinWait2
                                                                                          : TcpState::TimeWait)
                : valid_state(id0.state)       ? static_cast<TcpState>(id0.state)
                                               : s->state;
  if (st != s->state || s->history.empty()) {
    uint64_t since = e.ts_ns;
    // a timewait socket says how long it has left of its fixed life
    if (st == TcpState::TimeWait && e.tw_left_ms <= kTimeWaitMs) {
      since = e.ts_ns - std::min<uint64_t>(e.ts_ns, uint64_t(kTimeWaitMs - e.tw_left_ms) * kMs);
      s->state_since_known = true;
    }
    if (!s->history.empty() && since < s->history.back().ts_ns) since = e.ts_ns;
    set_state(*s, st, since);
  }
  if (e.err) s->err = e.err;
  if (e.kind != SockKind::Full) {
    clear_queues(*s, e.ts_ns);
    return s;
  }
  if (e.ts_ns >= s->occ_ts_ns) {
    s->occ = e.occ;
    s->occ_ts_ns = e.ts_ns;
  }
  max_into(s->occ_max, e.occ);
  record_occupancy(*s, e.ts_ns, e.occ);
  if (s->is_tcp()) apply_kernel_read(*s, e);
  return s;
}

// The owner stays the process that made, accepted or last used the socket
// while it still holds it; otherwise (it closed its fd, exited, or the
// socket came through fork or fd passing) the first holder. Its name is
// the holder's now, so it follows exec and prctl.
void SocketTable::pick_owner(Socket& s) {
  if (s.holders.empty()) return;
  for (const auto& h : s.holders)
    if (h.pid == s.owner.pid) {
      s.owner.comm = h.comm;
      if (std::none_of(s.holders.begin(), s.holders.end(),
                       [&](const Owner& o) { return o.pid == s.owner.pid && o.fd == s.owner.fd; }))
        s.owner.fd = h.fd;
      return;
    }
  s.owner = s.holders.front();
}

Socket* SocketTable::on(const FileHolder& e) {
  bool known = find_key(e.cookie) || (e.sk && by_sk_.count(e.sk));
  if (!known) {
    // an fd to a socket in no table (never bound): nothing to show
    ++counters_.holders_unmatched;
    return nullptr;
  }
  SockId id;
  id.cookie = e.cookie;
  id.sk = e.sk;
  id.inode = e.inode;
  id.netns = e.netns;
  Socket* s = resolve(id, e.ts_ns);
  if (!s) return nullptr;
  merge_identity(*s, id);
  if (s->holders_ns <= files_end_ns_) s->holders.clear();  // the first of a new pass
  s->holders_ns = e.ts_ns;
  due_files(*s);
  Owner o{e.task.pid, e.fd, e.task.comm};
  if (std::none_of(s->holders.begin(), s->holders.end(),
                   [&](const Owner& h) { return h.pid == o.pid && h.fd == o.fd; }))
    s->holders.push_back(o);
  pick_owner(*s);
  return s;
}

// A socket a pass should have shown but did not: the kernel has let it go.
void SocketTable::end_gone(Socket& s, uint64_t ts_ns) {
  EndHow how = s.is_tcp() && s.state == TcpState::TimeWait ? EndHow::TimewaitExpired
               : s.err || s.tcp.resets_received || s.tcp.resets_sent ? EndHow::Reset
               : s.fd_closed                                        ? EndHow::Close
               : s.owner.pid                                        ? EndHow::OwnerExited
                                                                    : EndHow::Gone;
  if (s.is_tcp() && s.state != TcpState::Close) set_state(s, TcpState::Close, ts_ns);
  mark_closed(s, ts_ns, how);
  // The kernel has no event for the end of a timewait socket: a pass is
  // how each one ends, so it is not a missed event (closed_by_pass). On
  // loopback under churn most go long before their 60 s, their port taken
  // by a new connection (tcp_tw_reuse=2, the default, counted by nstat as
  // TcpExtTWRecycled).
  if (how == EndHow::TimewaitExpired) ++counters_.timewait_gone;
  else ++counters_.closed_by_pass;
}

Socket* SocketTable::on(const PassEnd& e) {
  if (e.what == PassWhat::Files) {
    // Sockets in no table live only while an fd holds them: held by
    // nobody now, they are gone (their holders exited without close()).
    size_t keep = 0;
    for (size_t i = 0; i < files_due_.size(); ++i) {
      const uint64_t key = files_due_[i];
      auto it = sockets_.find(key);
      if (it == sockets_.end()) continue;  // erased, or re-keyed (listed again under its new key)
      Socket& s = it->second;
      if (s.key != key || s.closed) {
        if (s.key == key) s.files_due = false;
        continue;
      }
      if (s.first_seen_ns >= e.start_ns || s.holders_ns >= e.start_ns) {
        files_due_[keep++] = key;  // too new for this pass, or held: looked at again next time
        continue;
      }
      s.holders.clear();
      s.holders_ns = e.ts_ns;  // checked: no process holds it
      if (in_tables(s)) {
        s.files_due = false;  // until an fd holds it again or it leaves the tables
        continue;
      }
      end_gone(s, e.start_ns);
      if (s.end == EndHow::Gone) s.end = EndHow::OwnerExited;
      s.files_due = false;
    }
    files_due_.resize(keep);
    files_end_ns_ = e.ts_ns;
    return nullptr;
  }
  const uint16_t proto = e.what == PassWhat::Tcp ? kProtoTcp : kProtoUdp;
  std::vector<uint64_t> requests_done;
  // it was in a table for the whole pass, and the pass did not show it
  auto missed = [&](const Socket& s) {
    return !s.closed && s.id.protocol == proto && s.id.netns == e.netns && s.hashed_ns &&
           s.hashed_ns < e.start_ns && s.confirmed_ns < e.start_ns;
  };
  auto gone = [&](uint64_t key, Socket& s) {
    if (s.request) requests_done.push_back(key);  // a handshake that never completed: no row to keep
    else end_gone(s, e.start_ns);
  };
  // A delta pass did not show the sockets it found unchanged: one an
  // earlier pass showed (or a seed) is gone only when listed.
  if (e.delta)
    for (uint64_t key : e.gone)
      if (auto it = sockets_.find(key); it != sockets_.end() && missed(it->second)) gone(key, it->second);
  // Besides those, a delta pass can end only sockets no pass ever showed:
  // unconfirmed_ lists them, so a delta pass end touches those alone
  // instead of walking the table (two walks a second over 250,000 sockets
  // were a fifth of the reader's time under churn). A full pass walks all.
  if (!e.delta)
    for (auto& [key, s] : sockets_)
      if (missed(s)) gone(key, s);
  size_t keep = 0;
  for (uint64_t key : unconfirmed_) {
    auto it = sockets_.find(key);
    if (it == sockets_.end()) continue;  // erased, or re-keyed (listed again under its new key)
    Socket& s = it->second;
    if (s.closed || s.confirmed_ns || s.seeded) continue;  // ended, or a pass has shown it
    if (e.delta && missed(s)) {
      gone(key, s);
      continue;
    }
    unconfirmed_[keep++] = key;
  }
  unconfirmed_.resize(keep);
  for (auto k : requests_done) erase(k);
  passed_.insert({e.netns, uint8_t(e.what)});
  // What the lost events would have said, the pass has settled. A delta
  // pass too: a socket whose events were lost changed since the pass
  // before (a state never goes back, counters only grow), so it was shown;
  // one that ended was listed gone, and one that no pass ever showed was
  // ended above.
  if (in_gap_) {
    in_gap_ = false;
    ++counters_.gaps_healed;
  }
  return nullptr;
}

void SocketTable::erase(uint64_t key) {
  auto it = sockets_.find(key);
  if (it == sockets_.end()) return;
  forget_last();
  if (auto a = by_sk_.find(it->second.id.sk); a != by_sk_.end() && a->second == key) by_sk_.erase(a);
  unplace(it->second);
  sockets_.erase(it);
  if (tracking_) {
    erased_.push_back(key);
    // nobody drained for long: a full read is cheaper than the list
    if (erased_.size() > std::max<size_t>(limits_.max_sockets, 4096)) {
      resync_ = true;
      erased_.clear();
    }
  }
}

void SocketTable::track_changes() {
  tracking_ = true;
  resync_ = true;
}

void SocketTable::expire(uint64_t now_ns) {
  // TIME_WAIT sockets at the end of the kernel's fixed 60 s
  while (!timewait_due_.empty() && timewait_due_.top().first <= now_ns) {
    const uint64_t key = timewait_due_.top().second;
    timewait_due_.pop();
    Socket* s = find_key(key);
    if (!s || !s->is_tcp() || s->state != TcpState::TimeWait || elapsed(s->state_since_ns, now_ns) < kTimeWaitNs)
      continue;
    uint64_t end = s->state_since_ns + kTimeWaitNs;
    set_state(*s, TcpState::Close, end);
    mark_closed(*s, end, EndHow::TimewaitExpired);
  }
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (elapsed(it->second.ts_ns, now_ns) > kPendingStatsNs) {
      counters_.stats_unmatched += it->second.entries();
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  // closed sockets past the retention, oldest first
  while (!closed_due_.empty()) {
    const auto [closed_ns, key] = closed_due_.top();
    if (elapsed(closed_ns, now_ns) <= limits_.retention_ns) break;
    closed_due_.pop();
    Socket* s = find_key(key);
    if (!s || !s->closed || s->closed_ns != closed_ns) continue;  // reopened, erased, or closed again later
    erase(key);
    ++counters_.evicted_closed;
  }
}

}  // namespace sockscope
