// Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing.
//
// One track (a "thread") per socket, under its owner's process: TCP states
// as B/E slices, queue bytes as counters, drops, TCP records and lifecycle
// syscalls as instants. Packets that reached no socket get a track per
// device. Events are written as they come; only per-socket state is kept.
#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "export/exporter.h"
#include "model/filter.h"
#include "model/names.h"
#include "model/socket_facts.h"
#include "output/event_format.h"

namespace sockscope {
namespace {

using nlohmann::json;

// Synthetic processes sit above PID_MAX_LIMIT (2^22), so they never collide
// with a real pid; pid 0 would not do, Perfetto keeps it for the idle task.
constexpr uint32_t kUnknownOwnerPid = (1u << 22) + 1;
constexpr uint32_t kNoSocketPid = (1u << 22) + 2;
// A socket's events wait for its owner, at most this many: an accepted
// socket's handshake comes before the accept() that names its process.
constexpr size_t kMaxHeld = 64;

struct Track {
  uint64_t key = 0, first_seen_ns = 0;  // which socket (the model may reuse its memory)
  SockId id;                            // as last seen
  uint32_t tid = 0, pid = 0;
  bool placed = false;  // pid chosen and names written; until then events are held
  std::vector<json> held;
  uint64_t last_ns = 0;  // ts never goes back on a track, so B/E pairs nest
  bool began = false, open = false;  // a state slice was begun / is open
  TcpState state = TcpState::Unknown;
  uint64_t since_ns = 0;
  uint32_t rx = UINT32_MAX, tx = UINT32_MAX;  // counter values last written
  std::string counter_tag;                    // "cookie=N", fixed at the first counter
  SockId named;                               // identity the thread name shows
};

// An instant event: its name and category.
struct Mark {
  std::string_view name;
  const char* cat;
};

// Drops, TCP records and lifecycle syscalls; data calls (--detail calls)
// would bury the timeline.
std::optional<Mark> mark_of(const Event& e) {
  if (std::holds_alternative<Drop>(e)) return Mark{"drop", "drop"};
  if (auto* x = std::get_if<TcpEvent>(&e); x && x->kind != TcpKind::Metrics) return Mark{tcp_kind_name(x->kind), "tcp"};
  if (auto* c = std::get_if<SyscallEvent>(&e); c && c->call < Call::Sendto) return Mark{call_name(c->call), "syscall"};
  return std::nullopt;
}

bool same_name(const SockId& a, const SockId& b) {
  return a.cookie == b.cookie && a.protocol == b.protocol && a.family == b.family && a.local == b.local &&
         a.remote == b.remote;
}

std::string thread_name(const SockId& id) {
  return fmt::format("{} {} > {} {}", protocol_name(id.protocol), format_endpoint(id.family, id.local),
                     format_endpoint(id.family, id.remote),
                     id.cookie ? fmt::format("cookie={}", id.cookie) : std::string("no cookie yet"));
}

class PerfettoExporter : public Exporter {
 public:
  PerfettoExporter(std::ostream& out, const ExportContext& ctx) : out_(out), ctx_(ctx) { out_ << "{\"traceEvents\":["; }

  void on_event(const Event& e, const Socket* s) override {
    if (!origin_ns_) origin_ns_ = event_ts(e);
    if (auto* l = std::get_if<Lost>(&e)) return gap(*l);
    if (!s) return no_socket(e);
    Track* t = track_of(*s);
    if (!t) return;
    t->id = s->id;
    if (!t->placed && (s->owner.pid || s->closed))
      place(*t, s->owner);
    else if (t->placed && !same_name(t->named, t->id))
      name_thread(*t);
    sync_state(*t, *s);
    instant(*t, e, s);
    counters(*t, *s);
    if (!t->placed && t->held.size() >= kMaxHeld) place(*t, s->owner);
  }

  void finish(const SocketTable& table, uint64_t now_ns) override {
    std::vector<std::pair<const Socket*, Track*>> order;
    for (auto& [sock, t] : tracks_) order.emplace_back(sock, &t);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second->tid < b.second->tid; });
    for (auto [sock, t] : order) {
      // the socket may be gone from the table (evicted): end where it was last seen
      const Socket* s = table.find(t->key);
      if (s != sock || s->first_seen_ns != t->first_seen_ns) s = nullptr;
      if (s) sync_state(*t, *s);
      if (!t->placed) place(*t, s ? s->owner : Owner{});
      if (t->open) end_slice(*t, s ? now_ns : t->last_ns);
    }
    for (auto& [key, t] : devices_) {
      const Nic* nic = table.nics().find(key);
      if (nic && !nic->name.empty()) write_name("thread_name", kNoSocketPid, t.tid, device_name(key, nic->name));
    }
    json meta = {
        {"source", "sockscope export"},
        {"clock", "ts: microseconds since ts_origin_ns, CLOCK_MONOTONIC of the recording host"},
        {"ts_origin_ns", origin_ns_},
        {"ts_origin_wall_ns", int64_t(origin_ns_) + ctx_.wall_offset_ns},
        {"end_ns", now_ns},
        {"sockets", sockets_},
        {"unknown_owner_pid", kUnknownOwnerPid},
        {"no_socket_pid", kNoSocketPid},
        {"lost_events", table.counters().lost_total()},
        {"drops_unattributed", table.counters().drops_unattributed},
        {"resets_unattributed", table.counters().resets_unattributed},
    };
    out_ << "\n],\n\"displayTimeUnit\":\"ns\",\n\"metadata\":" << dump(meta) << "}\n";
    out_.flush();
  }

 private:
  static std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

  void write(const json& j) {
    out_ << (first_ ? "\n" : ",\n") << dump(j);
    first_ = false;
  }

  void write_name(const char* what, uint32_t pid, uint32_t tid, std::string_view name) {
    write({{"ph", "M"}, {"name", what}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
  }

  // An event on a track at ts (clamped so the track never goes back).
  json at(Track& t, const char* ph, uint64_t ts_ns) {
    t.last_ns = std::max(t.last_ns, ts_ns);
    return {{"ph", ph}, {"ts", double(int64_t(t.last_ns - origin_ns_)) / 1000.0}, {"tid", t.tid}};
  }

  void emit(Track& t, json j) {
    if (!t.placed) return t.held.push_back(std::move(j));
    j["pid"] = t.pid;
    write(j);
  }

  Track* track_of(const Socket& s) {
    if (auto it = tracks_.find(&s); it != tracks_.end()) {
      Track& t = it->second;
      // a provisional socket moved to its cookie keeps its memory and first_seen
      if (t.first_seen_ns == s.first_seen_ns && (t.key == s.key || is_provisional(t.key))) {
        t.key = s.key;
        return &t;
      }
      // the model freed that socket and made a new one in its memory
      if (!t.placed) place(t, Owner{});
      if (t.open) end_slice(t, t.last_ns);
      tracks_.erase(it);
    }
    // a socket is drawn from the first event at which it matches the filter
    if (ctx_.filter && !ctx_.filter->matches(s)) return nullptr;
    Track& t = tracks_[&s];
    ++sockets_;
    t.key = s.key;
    t.first_seen_ns = s.first_seen_ns;
    t.tid = next_tid_++;
    return &t;
  }

  void place(Track& t, const Owner& owner) {
    t.placed = true;
    t.pid = owner.pid ? owner.pid : kUnknownOwnerPid;
    std::string_view comm = owner.pid ? comm_view(owner.comm) : "unknown owner";
    // the process name goes with this thread's tid: without one Perfetto
    // would make a thread of tid == pid, which may be another socket's tid
    if (!comm.empty() && named_pids_.insert(t.pid).second) write_name("process_name", t.pid, t.tid, comm);
    name_thread(t);
    for (json& j : t.held) {
      j["pid"] = t.pid;
      write(j);
    }
    t.held = {};
  }

  void name_thread(Track& t) {
    t.named = t.id;
    write_name("thread_name", t.pid, t.tid, thread_name(t.id));
  }

  // The state the model holds now, as slices: a new state ends the open
  // slice and begins its own; a closed socket's slice ends when it closed.
  void sync_state(Track& t, const Socket& s) {
    if (s.history.empty()) return;  // no state known yet
    if (!t.began || s.state != t.state || s.state_since_ns != t.since_ns) {
      if (t.open) end_slice(t, s.state_since_ns);
      json b = at(t, "B", s.state_since_ns);
      b["name"] = socket_state_name(s);
      b["cat"] = "state";
      emit(t, std::move(b));
      t.began = t.open = true;
      t.state = s.state;
      t.since_ns = s.state_since_ns;
    }
    if (t.open && s.closed) end_slice(t, s.closed_ns);
  }

  void end_slice(Track& t, uint64_t ts_ns) {
    emit(t, at(t, "E", ts_ns));
    t.open = false;
  }

  void instant(Track& t, const Event& e, const Socket* s) {
    std::optional<Mark> m = mark_of(e);
    if (!m) return;
    json j = at(t, "i", event_ts(e));
    j["name"] = m->name;
    j["cat"] = m->cat;
    j["s"] = "t";
    j["args"] = watch_json(e, s, ctx_.reasons());
    emit(t, std::move(j));
  }

  // A gap: an instant across the whole timeline (scope global), with
  // what watch --json says of it.
  void gap(const Lost& l) {
    const uint64_t more = gaps_.more(l);
    if (!more) return;
    write({{"ph", "i"},
           {"s", "g"},
           {"name", "events lost"},
           {"cat", "gap"},
           {"ts", double(int64_t(l.ts_ns - origin_ns_)) / 1000.0},
           {"pid", kNoSocketPid},
           {"tid", 0},
           {"args", GapLines::json_line(l, more)}});
  }

  // Queue bytes, per socket: each socket has its own counter name, since
  // counters belong to the process in this format.
  void counters(Track& t, const Socket& s) {
    if (!s.occ_ts_ns || (s.occ.rx_queue == t.rx && s.occ.tx_queue == t.tx)) return;
    if (t.counter_tag.empty())
      t.counter_tag = s.id.cookie ? fmt::format("cookie={}", s.id.cookie) : fmt::format("socket={}", t.tid);
    auto put = [&](const char* name, uint32_t now, uint32_t& last) {
      if (now == last) return;
      last = now;
      json c = at(t, "C", s.occ_ts_ns);
      c["name"] = fmt::format("{} {}", name, t.counter_tag);
      c["args"] = {{"bytes", now}};
      emit(t, std::move(c));
    };
    put("rx_queue", s.occ.rx_queue, t.rx);
    put("tx_queue", s.occ.tx_queue, t.tx);
  }

  static std::string device_name(const DevKey& k, std::string_view dev) {
    if (!k.ifindex) return fmt::format("no socket, no device (netns {})", k.netns);
    return fmt::format("no socket {}ifindex={} netns={}", dev.empty() ? "" : std::string(dev) + " ", k.ifindex,
                       k.netns);
  }

  // Drops and resets of packets that reached no socket of ours: a track per
  // device (resets have none), filtered on the packet's addresses.
  void no_socket(const Event& e) {
    if (std::holds_alternative<SyscallEvent>(e) || !mark_of(e) || !filter_admits(ctx_.filter, e, nullptr)) return;
    DevKey key;
    if (auto* d = std::get_if<Drop>(&e))
      key = {d->dev_netns, d->ifindex};
    else
      key = {std::get<TcpEvent>(e).sock.netns, 0};
    auto [it, fresh] = devices_.try_emplace(key);
    Track& t = it->second;
    if (fresh) {
      t.tid = next_tid_++;
      t.placed = true;
      t.pid = kNoSocketPid;
      if (named_pids_.insert(kNoSocketPid).second) write_name("process_name", kNoSocketPid, t.tid, "no socket");
      write_name("thread_name", kNoSocketPid, t.tid, device_name(key, ""));
    }
    instant(t, e, nullptr);
  }

  std::ostream& out_;
  ExportContext ctx_;
  bool first_ = true;       // no event written yet: no comma
  uint64_t origin_ns_ = 0;  // the first event's ts: ts 0 in the output
  uint32_t next_tid_ = 1;
  size_t sockets_ = 0;
  std::unordered_map<const Socket*, Track> tracks_;
  std::map<DevKey, Track> devices_;
  std::unordered_set<uint32_t> named_pids_;
  GapLines gaps_;
};

}  // namespace

std::unique_ptr<Exporter> make_perfetto_exporter(std::ostream& out, const ExportContext& ctx) {
  return std::make_unique<PerfettoExporter>(out, ctx);
}

}  // namespace sockscope
