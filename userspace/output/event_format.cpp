#include "output/event_format.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "model/names.h"
#include "model/nic_table.h"
#include "model/socket_facts.h"

namespace sockscope {
namespace {

using nlohmann::json;

// The socket's owner from the model. A state change's own task is
// whoever was on the CPU (on loopback the connecting process runs the
// receiver's path), so it is never shown as the owner.
Task who(const Task& task, const Socket* s) {
  if (!s || !s->owner.pid) return task;
  Task t = task;
  t.pid = s->owner.pid;
  t.comm = s->owner.comm;
  return t;
}

const SockId& sock_of(const Event& e, SockId& scratch) {
  if (auto* x = std::get_if<StateChange>(&e)) return x->sock;
  if (auto* x = std::get_if<SyscallEvent>(&e)) return x->sock;
  if (auto* x = std::get_if<Sample>(&e)) return x->sock;
  if (auto* x = std::get_if<SockSeed>(&e)) return x->sock;
  if (auto* x = std::get_if<Drop>(&e)) return x->sock;
  if (auto* x = std::get_if<TcpEvent>(&e)) return x->sock;
  return scratch;
}

std::string ns_short(uint64_t ns) {
  if (ns < 10'000) return fmt::format("{}ns", ns);
  if (ns < 10'000'000) return fmt::format("{}us", ns / 1000);
  if (ns < 10'000'000'000) return fmt::format("{}ms", ns / 1'000'000);
  return fmt::format("{}s", ns / 1'000'000'000);
}

std::string call_details(const SyscallEvent& e) {
  // a cgroup hook's record: no fd, no duration (and for connect and
  // setsockopt no result yet), shown as '-', never as a measured 0
  std::string d = fmt::format("fd={} ret={} took={}", e.fd >= 0 ? std::to_string(e.fd) : "-",
                              call_result_known(e.origin, e.call) ? std::to_string(e.ret) : "-",
                              call_timed(e.origin) ? ns_short(e.ts_ns - e.enter_ns) : "-");
  switch (e.call) {
    case Call::Socket:
      return d + fmt::format(" domain={} type={} proto={}", e.arg0, e.arg1, e.arg2);
    case Call::Bind:
    case Call::Connect:
      return d + " addr=" + format_endpoint(e.addr_family, e.addr);
    case Call::Listen:
      return d + fmt::format(" backlog={}", e.arg0);
    case Call::Accept:
    case Call::Accept4:
      return d + fmt::format(" listen_fd={}", e.arg0);
    case Call::Shutdown:
      return d + fmt::format(" how={}", e.arg0);
    case Call::Close:
      return d + (e.arg0 ? " last_ref" : "");
    case Call::Setsockopt:
      return d + fmt::format(" {}={}", sockopt_name(e.arg0, e.arg1), e.arg2);
    default:
      return d + fmt::format(" len={}", e.arg0);
  }
}

std::string occ_text(const Occupancy& o) {
  return fmt::format("rx={}/{} tx={}/{} rmem={} wmem={}", o.rx_queue, o.rcvbuf, o.tx_queue, o.sndbuf,
                     o.rmem_alloc, o.wmem_queued);
}

void put_occ(json& j, const Occupancy& o) {
  j["rx_queue"] = o.rx_queue;
  j["tx_queue"] = o.tx_queue;
  j["rcvbuf"] = o.rcvbuf;
  j["sndbuf"] = o.sndbuf;
  j["rmem_alloc"] = o.rmem_alloc;
  j["wmem_queued"] = o.wmem_queued;
  j["ack_backlog"] = o.ack_backlog;
  j["max_ack_backlog"] = o.max_ack_backlog;
}

std::string errno_name(int64_t err) {
  if (err > 0 && err < 4096)
    if (const char* n = strerrorname_np(static_cast<int>(err))) return n;
  return fmt::format("errno_{}", err);
}

// The reason as the record's origin stores it: udp_fail_queue an errno, signed.
int64_t drop_reason_code(const Drop& d) {
  if (d.origin == DropOrigin::UdpQueueFail) return static_cast<int32_t>(d.reason);
  return d.reason;
}

bool has_metrics(const TcpMetrics& m) { return m != TcpMetrics{}; }

// The refusals that the kernel follows with a kfree_skb of the same packet
// (drops.bpf.h): that kfree_skb hits the socket's record throttle right
// after the refusal's record, so every record after the first carries
// suppressed >= 1 for a drop already shown.
bool paired_refusal(const Drop& d) {
  return d.origin == DropOrigin::RcvqueueFull || d.origin == DropOrigin::UdpQueueFail;
}

// The device by its name where the model knows it ("if7" else, "(no
// device)" for none), as `nic` and the NIC view name it.
std::string drop_device(const Drop& d, const NicTable* nics) {
  const Nic* n = nics ? nics->find(DevKey{d.dev_netns, d.ifindex}) : nullptr;
  return n ? nic_name(*n) : device_name(d.ifindex, "");
}

std::string drop_details(const Drop& d, const Socket* s, const ReasonNames& names, const NicTable* nics) {
  std::string out = fmt::format("reason={} origin={} dev={} len={}", drop_reason_name(d, names),
                                drop_origin_name(d.origin), drop_device(d, nics), d.len);
  if (d.location) out += fmt::format(" loc={:#x}", d.location);
  if (d.from_packet) out += " no_socket";
  // what a user wants from a throttled stream is how many drops there were:
  // the socket's exact count (JSON keeps the record's suppressed as is)
  if (uint64_t n = s ? total_drops(*s) : 0) out += fmt::format(" total_drops={}", n);
  else if (d.suppressed && !paired_refusal(d)) out += fmt::format(" suppressed={}", d.suppressed);
  return out;
}

std::string tcp_details(const TcpEvent& e, const ReasonNames& names) {
  std::string out;
  auto add = [&out](const std::string& x) { out += (out.empty() ? "" : " ") + x; };
  switch (e.kind) {
    case TcpKind::Retransmit:
    case TcpKind::SynackRetransmit:
      add(fmt::format("segs={}", e.segs));
      if (e.err) add(fmt::format("err={}", e.err));
      break;
    case TcpKind::ResetSent:
      add("reason=" + names.reset_name(e.reason));
      break;
    default:
      break;
  }
  if (has_metrics(e.m))
    add(fmt::format("srtt={}us cwnd={} snd_wnd={} rcv_wnd={}", e.m.srtt_us, e.m.cwnd, e.m.snd_wnd, e.m.rcv_wnd));
  if (e.from_packet) add("no_socket");
  if (e.suppressed) add(fmt::format("suppressed={}", e.suppressed));
  return out;
}

}  // namespace

std::string drop_reason_name(const Drop& d, const ReasonNames& names) {
  switch (d.origin) {
    case DropOrigin::KfreeSkb: return names.drop_name(d.reason);
    case DropOrigin::RcvqueueFull: return "rcvbuf_full";
    case DropOrigin::ExceedBuf: return d.reason ? "proto_mem_recv" : "proto_mem_send";
    case DropOrigin::UdpQueueFail: {
      // the ABI stores the errno; take either sign, as the kernel's rc is
      // negative. ENOMEM: the receive buffer was full, ENOBUFS: udp_mem
      // (__udp_enqueue_schedule_skb): named as the other origins name them
      int64_t err = static_cast<int32_t>(d.reason);
      err = err < 0 ? -err : err;
      if (err == ENOMEM) return "rcvbuf_full";
      if (err == ENOBUFS) return "proto_mem_recv";
      return errno_name(err);
    }
  }
  return names.drop_name(d.reason);
}

bool is_watch_event(const Event& e) {
  if (auto* t = std::get_if<TcpEvent>(&e)) return t->kind != TcpKind::Metrics;  // throttled samples, not events
  return std::holds_alternative<StateChange>(e) || std::holds_alternative<SyscallEvent>(e) ||
         std::holds_alternative<Sample>(e) || std::holds_alternative<Drop>(e);
}

std::string clock_time(uint64_t ts_ns, int64_t wall_offset_ns) {
  int64_t wall = int64_t(ts_ns) + wall_offset_ns;
  time_t secs = wall / 1'000'000'000;
  tm t{};
  localtime_r(&secs, &t);
  return fmt::format("{:02}:{:02}:{:02}.{:06}", t.tm_hour, t.tm_min, t.tm_sec, (wall % 1'000'000'000) / 1000);
}

std::string watch_header() {
  return fmt::format("{:<15} {:>7} {:<15} {:<46} {:<10} {}", "TIME", "PID", "COMM", "SOCKET", "EVENT", "DETAILS");
}

std::string watch_text(const Event& e, const Socket* s, int64_t wall_offset_ns, const ReasonNames& names,
                       const NicTable* nics) {
  SockId none;
  const SockId& id = s ? s->id : sock_of(e, none);
  std::string sock = fmt::format("{} {}>{}", protocol_name(id.protocol), format_endpoint(id.family, id.local),
                                 format_endpoint(id.family, id.remote));
  // a drop with no socket and no packet addresses: where it was dropped
  if (auto* x = std::get_if<Drop>(&e); x && !s && id.family == 0) {
    sock = x->ifindex ? fmt::format("no socket, on {}", drop_device(*x, nics)) : std::string("no socket, no device");
  }
  Task task;
  std::string name, details;
  if (auto* x = std::get_if<StateChange>(&e)) {
    task = who(Task{}, s);
    name = "state";
    details = fmt::format("{} -> {}", tcp_state_name(x->old_state), tcp_state_name(x->new_state));
  } else if (auto* x = std::get_if<SyscallEvent>(&e)) {
    task = x->task;
    name = call_name(x->call);
    details = call_details(*x);
  } else if (auto* x = std::get_if<Sample>(&e)) {
    task = who(Task{}, s);
    name = "sample";
    details = fmt::format("{} why={}", occ_text(x->occ), sample_why_name(x->why));
  } else if (auto* x = std::get_if<Drop>(&e)) {
    task = who(Task{}, s);  // softirq: only the socket's owner means anything
    name = "drop";
    details = drop_details(*x, s, names, nics);
  } else if (auto* x = std::get_if<TcpEvent>(&e)) {
    task = who(Task{}, s);
    name = tcp_kind_name(x->kind);
    details = tcp_details(*x, names);
  }
  uint64_t cookie = s ? s->id.cookie : id.cookie;
  return fmt::format("{:<15} {:>7} {:<15} {:<46} {:<10} {} cookie={}", clock_time(event_ts(e), wall_offset_ns),
                     task.pid, comm_view(task.comm), sock, name, details, cookie);
}

uint64_t GapLines::more(const Lost& l) {
  const size_t k = size_t(l.kind);
  if (k >= shown_.size() || l.total <= shown_[k]) return 0;
  const uint64_t n = l.total - shown_[k];
  shown_[k] = l.total;
  return n;
}

namespace {

// What a kind of loss leaves out, and what makes up for it.
std::string_view lost_meaning(LostKind k) {
  switch (k) {
    case LostKind::Ringbuf: return "records the ring buffer had no room for; the next pass restores every socket's state";
    case LostKind::StatsMap: return "sockets the counters map had no room for; their counters come from the next pass";
    case LostKind::Inflight: return "calls whose start was not kept; their durations are unknown";
    case LostKind::DropMap: return "drops not counted per socket (map full); the device counters still have them";
    case LostKind::Journey: return "sockets without journey histograms (map full)";
    case LostKind::Skipped:
      return "probe runs the kernel skipped (the probe was already running on that CPU, interrupted by a softirq); "
             "counts are short by as much, the next pass restores states and queues";
    case LostKind::Count: break;
  }
  return "";
}

}  // namespace

std::string GapLines::text(const Lost& l, uint64_t more, int64_t wall_offset_ns) {
  return fmt::format("{:<15} {:>7} {:<15} {:<46} {:<10} {} lost, {} in all ({}): {}", clock_time(l.ts_ns, wall_offset_ns),
                     "-", "-", "(gap)", "lost", more, l.total, lost_kind_name(l.kind), lost_meaning(l.kind));
}

json GapLines::json_line(const Lost& l, uint64_t more) {
  return {{"ts_ns", l.ts_ns}, {"type", "lost"}, {"kind", lost_kind_name(l.kind)}, {"lost", more}, {"lost_total", l.total}};
}

json watch_json(const Event& e, const Socket* s, const ReasonNames& names) {
  SockId none;
  const SockId& id = s ? s->id : sock_of(e, none);
  json j;
  j["ts_ns"] = event_ts(e);
  Task task;
  if (auto* x = std::get_if<StateChange>(&e)) {
    j["type"] = "state";
    task = who(Task{}, s);
    j["old_state"] = tcp_state_name(x->old_state);
    j["new_state"] = tcp_state_name(x->new_state);
    j["task_pid"] = x->task.pid;
  } else if (auto* x = std::get_if<SyscallEvent>(&e)) {
    j["type"] = "syscall";
    task = x->task;
    j["call"] = call_name(x->call);
    j["origin"] = x->origin == CallOrigin::Cgroup ? "cgroup" : "syscall";
    // what a cgroup hook cannot know is left out, not written as 0
    if (x->fd >= 0) j["fd"] = x->fd;
    if (call_result_known(x->origin, x->call)) j["ret"] = x->ret;
    if (call_timed(x->origin)) {
      j["enter_ns"] = x->enter_ns;
      j["duration_ns"] = x->ts_ns - x->enter_ns;
    }
    switch (x->call) {
      case Call::Bind:
      case Call::Connect: j["addr"] = format_endpoint(x->addr_family, x->addr); break;
      case Call::Listen: j["backlog"] = x->arg0; break;
      case Call::Accept:
      case Call::Accept4: j["listen_fd"] = x->arg0; j["listen_cookie"] = x->arg1; break;
      case Call::Shutdown: j["how"] = x->arg0; break;
      case Call::Close: j["last_ref"] = x->arg0 != 0; break;
      case Call::Setsockopt:
        j["option"] = sockopt_name(x->arg0, x->arg1);
        j["value"] = x->arg2;
        break;
      case Call::Socket: j["domain"] = x->arg0; j["sock_type"] = x->arg1; j["protocol"] = x->arg2; break;
      default: j["len"] = x->arg0; j["flags"] = x->arg1; break;
    }
  } else if (auto* x = std::get_if<Sample>(&e)) {
    j["type"] = "sample";
    task = who(Task{}, s);
    j["why"] = sample_why_name(x->why);
    put_occ(j, x->occ);
  } else if (auto* x = std::get_if<Drop>(&e)) {
    j["type"] = "drop";
    task = who(Task{}, s);
    j["reason"] = drop_reason_name(*x, names);
    j["reason_code"] = drop_reason_code(*x);
    j["origin"] = drop_origin_name(x->origin);
    j["ifindex"] = x->ifindex;
    j["dev_netns"] = x->dev_netns;
    j["len"] = x->len;
    j["location"] = fmt::format("{:#x}", x->location);
    j["from_packet"] = x->from_packet;
    j["suppressed"] = x->suppressed;
  } else if (auto* x = std::get_if<TcpEvent>(&e)) {
    j["type"] = "tcp";
    task = who(Task{}, s);
    j["event"] = tcp_kind_name(x->kind);
    j["segs"] = x->segs;
    j["err"] = x->err;
    if (x->kind == TcpKind::ResetSent) {
      j["reason"] = names.reset_name(x->reason);
      j["reason_code"] = x->reason;
    }
    j["srtt_us"] = x->m.srtt_us;
    j["cwnd"] = x->m.cwnd;
    j["snd_wnd"] = x->m.snd_wnd;
    j["rcv_wnd"] = x->m.rcv_wnd;
    j["from_packet"] = x->from_packet;
    j["suppressed"] = x->suppressed;
  }
  j["cookie"] = s ? s->id.cookie : id.cookie;
  j["pid"] = task.pid;
  j["tid"] = task.tid;
  j["comm"] = std::string(comm_view(task.comm));
  j["proto"] = protocol_name(id.protocol);
  j["family"] = family_name(id.family);
  j["local"] = format_endpoint(id.family, id.local);
  j["remote"] = format_endpoint(id.family, id.remote);
  j["netns"] = id.netns;
  return j;
}

}  // namespace sockscope
