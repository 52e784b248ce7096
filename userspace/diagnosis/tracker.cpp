#include "diagnosis/tracker.h"

#include <algorithm>
#include <cerrno>
#include <vector>

#include "model/socket_facts.h"

namespace sockscope {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;
constexpr size_t kMaxOpenSamples = 3600;  // an hour of once-a-second samples per process
constexpr uint64_t kPruneEvery = 10;      // samples between forgetting sockets the model dropped

void hold(DiagnosisTracker::Spell& sp, bool now, uint64_t value, uint64_t ts) {
  if (!now) {
    sp = {};
    return;
  }
  if (!sp.since_ns) sp.since_ns = ts;
  sp.peak = std::max(sp.peak, value);
}

bool owned_open(const Socket& s) { return !s.closed && !s.fd_closed && s.owner.pid; }

}  // namespace

void DiagnosisTracker::Tally::add(uint64_t ts, uint64_t n) {
  if (!count) first_ns = ts;
  count += n;
  last_ns = std::max(last_ns, ts);
}

void DiagnosisTracker::Tally::name(const Socket& s) {
  if (pid == s.owner.pid) return;  // named already: no string per event
  pid = s.owner.pid;
  comm = std::string(comm_view(s.owner.comm));
}

// Once per socket, whichever way the refusal showed (an RST in SYN_SENT,
// or ECONNREFUSED from a blocking connect(): both for one socket).
void DiagnosisTracker::refused(const Socket& s, uint64_t ts) {
  PerSocket& p = sockets_[s.serial];
  if (p.refused_ns || !s.owner.pid) return;
  p.refused_ns = ts;
  auto& r = refused_by_pid_[s.owner.pid];
  r.add(ts);
  r.name(s);
}

const DiagnosisTracker::PerSocket* DiagnosisTracker::socket(uint64_t serial) const {
  auto it = sockets_.find(serial);
  return it == sockets_.end() ? nullptr : &it->second;
}

void DiagnosisTracker::track(const Socket& s, uint64_t ts) {
  PerSocket& p = sockets_[s.serial];
  if (!p.first_ns) {
    p.first_ns = ts;
    p.rx_queue_at_start = s.occ.rx_queue;
  }
  if (!p.sk_drops_known && s.kernel_ns) {
    p.sk_drops_known = true;
    p.sk_drops_at_start = s.kernel.sk_drops;
  }
  bool listener = s.state == TcpState::Listen;
  hold(p.rx_queued, !listener && owner_can_act(s) && unread_bytes(s) > 0, s.occ.rx_queue, ts);
  // the peer's window is zero and we have data to send it
  // (a listener's Send-Q is its backlog and it has no window: not one)
  bool zero = s.is_tcp() && !listener && !s.closed && s.metrics_ns && s.metrics.snd_wnd == 0 && s.occ.tx_queue > 0;
  hold(p.zero_window, zero, s.occ.tx_queue, ts);
  bool full = listener && s.occ.max_ack_backlog && s.occ.ack_backlog >= s.occ.max_ack_backlog;
  hold(p.accept_full, full, s.occ.ack_backlog, ts);
}

void DiagnosisTracker::observe(const Event& e, const Socket* s) {
  uint64_t ts = event_ts(e);
  if (!start_ns_ || (ts && ts < start_ns_)) start_ns_ = ts;
  last_ns_ = std::max(last_ns_, ts);
  if (s) track(*s, ts);

  if (const auto* t = std::get_if<TcpEvent>(&e)) {
    if (t->kind == TcpKind::ResetSent || t->kind == TcpKind::ResetReceived) {
      auto& port = resets_by_port_[{t->sock.netns, t->sock.local.port}];
      port.add(ts);
      if (s && s->owner.pid) {
        auto& pid = resets_by_pid_[s->owner.pid];
        pid.add(ts);
        pid.name(*s);
        port.name(*s);
      }
    }
    // the record's own state: the move to SYN_SENT may come later, in the
    // socket's state run
    if (t->kind == TcpKind::ResetReceived && s &&
        (s->state == TcpState::SynSent || t->sock.state == uint8_t(TcpState::SynSent)))
      refused(*s, ts);
    if (t->kind == TcpKind::Retransmit && s)
      sockets_[s->serial].retransmits.add(ts, uint64_t(t->segs ? t->segs : 1) + t->suppressed);
  } else if (const auto* c = std::get_if<SyscallEvent>(&e)) {
    if ((c->call == Call::Accept || c->call == Call::Accept4) && c->ret >= 0 && c->arg1) {
      accepts_[c->arg1].add(ts);
      if (s) listener_of_[s->serial] = c->arg1;
    }
    if ((c->call == Call::Socket || c->call == Call::Listen) && s) sockets_[s->serial].made_in_window = true;
    // a blocking connect reports the refusal as its return value
    if (c->call == Call::Connect && c->ret == -ECONNREFUSED && s) refused(*s, ts);
  } else if (const auto* d = std::get_if<DevStatsUpdate>(&e)) {
    dev_start_.try_emplace(d->dev, d->c);
  }

  if (ts >= next_sample_ns_) {
    sample_open(ts);
    next_sample_ns_ = ts + kSecond;
  }
}

const DiagnosisTracker::Tally* DiagnosisTracker::accepts(uint64_t listener_cookie) const {
  auto it = accepts_.find(listener_cookie);
  return it == accepts_.end() ? nullptr : &it->second;
}

uint64_t DiagnosisTracker::listener_of(uint64_t serial) const {
  auto it = listener_of_.find(serial);
  return it == listener_of_.end() ? 0 : it->second;
}

void DiagnosisTracker::sample_open(uint64_t ts) {
  std::map<uint32_t, uint32_t> open;
  // sorted vectors, not hash sets: a set of 262,144 serials is as many
  // allocations every kPruneEvery seconds on the thread that drains events
  std::vector<uint64_t> serials, cookies;
  bool prune = ++samples_ % kPruneEvery == 0;
  if (prune) {
    serials.reserve(table_.size());
    cookies.reserve(table_.size());
  }
  for (const auto& [key, s] : table_.sockets()) {
    if (owned_open(s)) ++open[s.owner.pid];
    if (prune) serials.push_back(s.serial), cookies.push_back(s.id.cookie);
  }
  for (auto it = open_by_pid_.begin(); it != open_by_pid_.end();) {
    // a process with no socket open has nothing leaking: forget its series
    if (!open.count(it->first)) it = open_by_pid_.erase(it);
    else ++it;
  }
  for (const auto& [pid, n] : open) {
    auto& series = open_by_pid_[pid];
    if (series.size() >= kMaxOpenSamples) series.erase(series.begin());
    series.push_back({ts, n});
  }
  if (!prune) return;
  // sockets the model no longer holds (past retention, or evicted): a
  // long live view must not keep every socket it ever saw
  std::sort(serials.begin(), serials.end());
  std::sort(cookies.begin(), cookies.end());
  auto held = [](const std::vector<uint64_t>& v, uint64_t x) { return std::binary_search(v.begin(), v.end(), x); };
  std::erase_if(sockets_, [&](const auto& kv) { return !held(serials, kv.first); });
  std::erase_if(listener_of_, [&](const auto& kv) { return !held(serials, kv.first); });
  std::erase_if(accepts_, [&](const auto& kv) { return !held(cookies, kv.first); });
}

}  // namespace sockscope
