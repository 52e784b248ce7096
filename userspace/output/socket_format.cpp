#include "output/socket_format.h"

#include <algorithm>
#include <iterator>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "model/names.h"

namespace sockscope {
namespace {

std::string age(uint64_t ns) {
  uint64_t s = ns / 1'000'000'000;
  if (s < 60) return fmt::format("{}.{}s", s, ns / 100'000'000 % 10);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
}

std::string bytes(uint64_t b) {
  if (b < 10'000) return std::to_string(b);
  if (b < 10'000'000) return fmt::format("{}K", b / 1000);
  if (b < 10'000'000'000) return fmt::format("{}M", b / 1'000'000);
  return fmt::format("{}G", b / 1'000'000'000);
}

// "-": not measured by the tiers in force (never a zero that looks measured)
std::string known_bytes(std::optional<uint64_t> b) { return b ? bytes(*b) : "-"; }

}  // namespace

std::string rtt_text(const Socket& s) {
  if (!s.metrics_ns) return "-";
  uint32_t us = s.metrics.srtt_us;
  if (us < 1000) return fmt::format("{}us", us);
  if (us < 100'000) return fmt::format("{:.1f}ms", us / 1000.0);
  if (us < 10'000'000) return fmt::format("{}ms", us / 1000);
  return fmt::format("{:.1f}s", us / 1e6);
}

nlohmann::json histogram_json(const Histogram& h) {
  HistSummary x = summarize(h);
  return {{"count", x.count}, {"p50", x.p50_us}, {"p99", x.p99_us}, {"max", x.max_us}};
}

// The header's and the rows' widths must agree. Rcv% and Snd% in whole
// percents, as top, the detail and diagnose spell a buffer's use ("102%");
// --json and the CSV export keep the exact value.
constexpr auto kHeader =
    "{:<5} {:<11} {:>7} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7} {:<28} {:<28} {:>7} {:>7} {:>6} {:>6} {:>7} {}\n";
constexpr auto kRow =
    "{:<5} {:<11} {:>7} {:>7} {:>7} {:>5.0f} {:>5.0f} {:>7} {:>7} {:<28} {:<28} {:>7} {:>7} {:>6} {:>6} {:>7} {}\n";

void write_list_table(std::ostream& out, const std::vector<const Socket*>& sockets, uint64_t now_ns) {
  out << fmt::format(kHeader, "Netid", "State", "Age", "Recv-Q", "Send-Q", "Rcv%", "Snd%", "RxMax", "TxMax",
                     "Local Address:Port", "Peer Address:Port", "Sent", "Rcvd", "Drops", "Retr", "RTT", "Process");
  std::string row;
  for (const Socket* s : sockets) {
    SocketRow r = socket_row(*s, now_ns);
    row.clear();
    // in its state since before start-up: the kernel does not say how long
    fmt::format_to(std::back_inserter(row), kRow, r.netid, r.state, s->state_since_known ? age(r.age_ns) : "?",
                   r.recv_q, r.send_q, r.rcv_pct, r.snd_pct, r.rx_max, r.tx_max, r.local, r.peer,
                   known_bytes(r.sent), known_bytes(r.rcvd), bytes(r.drops), bytes(r.retransmits), rtt_text(*s),
                   r.process);
    out << row;
  }
}

std::string list_table(const std::vector<const Socket*>& sockets, uint64_t now_ns) {
  std::ostringstream out;
  write_list_table(out, sockets, now_ns);
  return std::move(out).str();
}

nlohmann::json socket_json(const Socket& s, uint64_t now_ns, const ReasonNames& names) {
  nlohmann::json j;
  j["cookie"] = s.id.cookie;
  j["family"] = family_name(s.id.family);
  j["proto"] = protocol_name(s.id.protocol);
  j["state"] = socket_state_name(s);
  j["closed"] = s.closed;
  // how its end was seen; null while live
  j["end"] = s.closed ? nlohmann::json(end_how_name(s.end).empty() ? "gone" : end_how_name(s.end)) : nlohmann::json();
  j["seeded"] = s.seeded;
  j["local"] = format_endpoint(s.id.family, s.id.local);
  j["remote"] = format_endpoint(s.id.family, s.id.remote);
  j["netns"] = s.id.netns;
  j["pid"] = s.owner.pid;
  j["comm"] = std::string(comm_view(s.owner.comm));
  j["fd"] = s.owner.fd;
  // every process holding an fd to it (the latest files pass, kept up by
  // close calls); before the first pass that saw it, the owner alone
  auto& owners = j["owners"] = nlohmann::json::array();
  if (s.holders_ns || s.closed) {
    for (const auto& h : s.holders)
      owners.push_back({{"pid", h.pid}, {"comm", std::string(comm_view(h.comm))}, {"fd", h.fd}});
  } else if (s.owner.pid && s.owner.fd >= 0 && !s.fd_closed) {
    owners.push_back({{"pid", s.owner.pid}, {"comm", std::string(comm_view(s.owner.comm))}, {"fd", s.owner.fd}});
  }
  j["state_since_ns"] = s.state_since_ns;
  j["state_since_known"] = s.state_since_known;
  j["time_in_state_ns"] = time_in_state_ns(s, now_ns);
  j["rx_queue"] = s.occ.rx_queue;
  j["tx_queue"] = s.occ.tx_queue;
  j["rcvbuf"] = s.occ.rcvbuf;
  j["sndbuf"] = s.occ.sndbuf;
  j["rmem_alloc"] = s.occ.rmem_alloc;
  j["wmem_queued"] = s.occ.wmem_queued;
  j["rx_use_pct"] = rx_use_pct(s);
  j["tx_use_pct"] = tx_use_pct(s);
  j["rx_queue_max"] = s.occ_max.rx_queue;
  j["tx_queue_max"] = s.occ_max.tx_queue;
  j["rmem_alloc_max"] = s.occ_max.rmem_alloc;
  j["wmem_queued_max"] = s.occ_max.wmem_queued;
  if (s.state == TcpState::Listen) {
    j["accept_queue"] = s.occ.ack_backlog;
    j["accept_queue_max"] = s.occ_max.ack_backlog;
    j["backlog"] = s.occ.max_ack_backlog;
  }
  // null, not 0, where the tiers in force did not measure it
  auto known = [](std::optional<uint64_t> v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  auto calls = [&](uint64_t v) { return s.io.calls_measured ? nlohmann::json(v) : nlohmann::json(); };
  j["bytes_sent"] = known(bytes_sent(s));
  j["bytes_received"] = known(bytes_received(s));
  // "app": what the app wrote and read (--detail packets); "kernel": the
  // kernel's TCP counts (retransmitted bytes count again)
  j["bytes_from"] = s.io.bytes_measured ? "app" : bytes_sent(s) ? "kernel" : nlohmann::json();
  j["send_calls"] = calls(s.io.send_calls);
  j["recv_calls"] = calls(s.io.recv_calls);
  j["send_ns_max"] = calls(s.io.send_ns_max);
  j["recv_ns_max"] = calls(s.io.recv_ns_max);
  j["last_send_ns"] = s.io.last_send_ns;
  j["last_recv_ns"] = s.io.last_recv_ns;
  // ages of the last data sent / received: the kernel's own timestamps
  // where it keeps them (older than start-up included); null when unknown
  auto ago = [&](uint64_t t) { return t ? nlohmann::json(now_ns > t ? now_ns - t : 0) : nlohmann::json(); };
  j["last_send_age_ns"] = ago(last_send_ns(s));
  j["last_recv_age_ns"] = ago(last_recv_ns(s));
  if (s.kernel_ns)
    j["kernel"] = {{"bytes_sent", s.kernel.bytes_sent},     {"bytes_acked", s.kernel.bytes_acked},
                   {"bytes_received", s.kernel.bytes_received}, {"segs_out", s.kernel.segs_out},
                   {"segs_in", s.kernel.segs_in},           {"total_retrans", s.kernel.total_retrans},
                   {"sk_drops", s.kernel.sk_drops}};

  j["drops"] = total_drops(s);
  auto& by_reason = j["drops_by_reason"] = nlohmann::json::object();
  for (const auto& [code, n] : s.drops_by_reason) {
    auto& slot = by_reason[names.drop_name(code)];  // two codes, one name: add them up
    slot = (slot.is_null() ? 0 : slot.get<uint64_t>()) + n;
  }
  const TcpCounters& t = s.tcp;
  j["retransmits"] = t.retrans_segs;
  j["retransmits_failed"] = t.retrans_failed;
  j["synack_retransmits"] = t.synack_retrans;
  j["resets_sent"] = t.resets_sent;
  j["resets_received"] = t.resets_received;
  j["zero_window_events"] = t.zero_window_sent + t.zero_window_received;
  j["zero_window_sent"] = t.zero_window_sent;
  j["zero_window_received"] = t.zero_window_received;
  j["persist_probes"] = t.persist_probes;
  j["rcvqueue_full"] = t.rcvqueue_full;
  j["buf_limit_hits"] = t.buf_limit;
  j["udp_queue_fails"] = t.udp_queue_fail;
  const TcpMetrics& m = s.metrics;
  j["rtt_us"] = m.srtt_us;
  j["rttvar_us"] = m.rttvar_us;
  j["cwnd"] = m.cwnd;
  j["ssthresh"] = m.ssthresh;
  j["snd_wnd"] = m.snd_wnd;
  j["rcv_wnd"] = m.rcv_wnd;
  j["metrics_ns"] = s.metrics_ns;
  j["journey"] = {{"nic_to_queue_us", histogram_json(s.nic_to_queue())},
                  {"queue_to_read_us", histogram_json(s.queue_to_read())}};
  auto& h = j["history"] = nlohmann::json::array();
  for (const auto& p : s.history) h.push_back({{"state", tcp_state_name(p.state)}, {"ts_ns", p.ts_ns}});
  auto& o = j["options"] = nlohmann::json::array();
  for (const auto& x : s.options)
    o.push_back({{"option", sockopt_name(x.level, x.optname)}, {"value", x.value}, {"ts_ns", x.ts_ns}});
  return j;
}

}  // namespace sockscope
