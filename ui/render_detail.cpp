// Enter on a row: one socket in full, the most telling parts first so an
// 80x24 terminal shows them; the rest by scrolling.
#include <string.h>

#include <algorithm>

#include <sstream>

#include <fmt/format.h>

#include "model/histogram.h"
#include "model/names.h"
#include "model/socket_facts.h"
#include "output/event_format.h"
#include "output/finding_format.h"
#include "output/human_text.h"
#include "ui/render.h"
#include "ui/text.h"

namespace sockscope::ui {
namespace {

using Row = Snapshot::Row;

// Lines cut to the screen's width as they are added.
struct Page {
  int width;
  std::vector<std::string> lines;
  void add(std::string s) {
    s.erase(s.find_last_not_of(' ') + 1);  // columns padded for what did not come
    lines.push_back(fit(std::move(s), width));
  }
  // Words wrapped at the width, later lines indented: prose that must not be cut.
  void wrapped(const std::string& text, const std::string& indent) {
    std::istringstream words(text);
    std::string word, line;
    while (words >> word) {
      if (!line.empty() && int(line.size() + 1 + word.size()) > width) {
        add(line);
        line = indent;
      }
      line += (line.empty() || line == indent ? "" : " ") + word;
    }
    if (!line.empty() && line != indent) add(line);
  }
};

// "850us", "1.5ms", "45ms", "2.1s"; microseconds as TcpMetrics has them.
std::string us_text(uint64_t us) {
  if (us < 1000) return fmt::format("{}us", us);
  if (us < 10'000) return fmt::format("{:.1f}ms", double(us) / 1000);
  return duration_text(us * 1000);
}

std::string errno_text(int64_t err) {
  if (err > 0 && err < 4096)
    if (const char* n = strerrorname_np(int(err))) return n;
  return fmt::format("errno {}", err);
}

uint64_t span(uint64_t from, uint64_t to) { return to > from ? to - from : 0; }

bool is_data_call(Call c) { return c >= Call::Sendto; }
bool is_receive(Call c) {
  return c == Call::Recvfrom || c == Call::Recvmsg || c == Call::Recvmmsg || c == Call::Read || c == Call::Readv;
}

// What a call returned; for data calls what was asked for, and "short"
// when less came back. arg0 is the requested length for sendto, recvfrom,
// read and write, the message count for the mmsg calls; sendmsg, recvmsg
// and the vector calls do not say (bpf/hooks/syscalls.bpf.h).
// The default tier's cgroup hooks do not time a call: say so, never "0ns".
std::string took_text(const CallRecord& c) {
  return call_timed(c.origin) ? duration_text(span(c.enter_ns, c.exit_ns)) : "? (needs --detail syscalls)";
}

std::string call_result(const CallRecord& c) {
  if (!call_result_known(c.origin, c.call)) return "result ?";
  if (c.ret < 0) return fmt::format("-{}", errno_text(-c.ret));
  bool bytes = c.call == Call::Sendto || c.call == Call::Recvfrom || c.call == Call::Read || c.call == Call::Write;
  bool msgs = c.call == Call::Sendmmsg || c.call == Call::Recvmmsg;
  if ((bytes || msgs) && c.arg0) {
    std::string s = fmt::format("{} of {}{}", c.ret, c.arg0, msgs ? " msgs" : " B");
    if (uint64_t(c.ret) < c.arg0) s += c.ret == 0 && is_receive(c.call) ? "  short (EOF)" : "  short";
    return s;
  }
  if (c.ret == 0 && is_receive(c.call)) return "0 (EOF)";
  return fmt::format("= {}", c.ret);
}

// A lifecycle call's arguments worth a word.
std::string call_args(const CallRecord& c) {
  switch (c.call) {
    case Call::Listen: return fmt::format("backlog {}", c.arg0);
    case Call::Shutdown: return c.arg0 == 0 ? "SHUT_RD" : c.arg0 == 1 ? "SHUT_WR" : "SHUT_RDWR";
    case Call::Close: return c.arg0 ? "last fd" : "";
    default: return "";
  }
}

void identity(Page& p, const Snapshot& snap, const Row& r, const Snapshot::Detail* d) {
  p.add(fmt::format("socket {}  {}  {} -> {}", r.cookie, r.proto, r.local, r.remote));
  p.add(fmt::format("owner  pid {}  comm {}  fd {}", r.pid ? std::to_string(r.pid) : "-", r.comm,
                    r.fd >= 0 ? std::to_string(r.fd) : "-"));
  std::string cg = snap.replay ? "not recorded" : d && !d->cgroup.empty() ? d->cgroup : "unknown";
  p.add("cgroup " + cg);
  std::string state = r.age_known ? fmt::format("state  {} for {}", r.state, duration_text(r.age_ns))
                                   : fmt::format("state  {} since before start", r.state);
  if (r.closed) state += fmt::format(", closed {} ago", duration_text(r.closed_ago_ns));
  if (d && d->sock.seeded) state += "  (open before sockscope started)";
  p.add(state);
  if (d && !d->findings.empty()) {
    for (const Finding& f : d->findings) {
      p.wrapped(fmt::format("{} {}: {}", severity_name(f.severity), finding_kind_name(f.kind), f.summary), "    ");
      p.wrapped(fmt::format("  evidence: {}", evidence_text(f.evidence)), "    ");
      p.wrapped("  what to do: " + f.advice, "    ");
    }
  } else if (!r.stuck.empty()) {
    p.add("stuck  " + r.stuck);
  }
}

// The last two minutes, max over k seconds per mark so the whole window
// fits in cells marks.
std::vector<double> squeeze(const std::vector<OccupancyPoint>& v, bool rx, size_t k) {
  std::vector<double> out;
  for (size_t end = v.size(); end > 0; end = end > k ? end - k : 0) {
    uint32_t m = 0;
    for (size_t i = end > k ? end - k : 0; i < end; ++i) m = std::max(m, rx ? v[i].rx : v[i].tx);
    out.push_back(m);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void queues(Page& p, const Snapshot& snap, const Row& r, const Snapshot::Detail* d) {
  bool listener = d && d->sock.is_tcp() && d->sock.state == TcpState::Listen;
  const Occupancy* occ = d ? &d->sock.occ : nullptr;
  const Occupancy* max = d ? &d->sock.occ_max : nullptr;
  p.add("Queues");
  // the percentages are the table's: memory (rmem, wmem) against the limit
  if (listener) {
    p.add(fmt::format("  accept-q {:>7}  [{}] {:>4} of backlog {}  max {}", occ->ack_backlog, bar(r.rx_pct, 10),
                      percent_text(r.rx_pct), occ->max_ack_backlog, max->ack_backlog));
  } else {
    p.add(fmt::format("  recv-q {:>9}  [{}] {:>4} of rcvbuf {}  max {}", r.recv_q, bar(r.rx_pct, 10), percent_text(r.rx_pct),
                      occ ? std::to_string(occ->rcvbuf) : "-", max ? std::to_string(max->rx_queue) : "-"));
    p.add(fmt::format("  send-q {:>9}  [{}] {:>4} of sndbuf {}  max {}", r.send_q, bar(r.tx_pct, 10), percent_text(r.tx_pct),
                      occ ? std::to_string(occ->sndbuf) : "-", max ? std::to_string(max->tx_queue) : "-"));
  }
  if (!d) return;
  const auto& series = d->sock.occ_series;
  OccupancyPoint lim = series.limits();
  if (!lim.rx && !lim.tx)
    lim = listener ? OccupancyPoint{occ->max_ack_backlog, 0} : OccupancyPoint{occ->rcvbuf, occ->sndbuf};
  constexpr size_t kWindow = OccupancySeries::kSeconds;
  auto v = series.last(kWindow, snap.now_ns);
  if (std::all_of(v.begin(), v.end(), [](const OccupancyPoint& x) { return !x.rx && !x.tx; }))
    return p.add("  nothing queued in the last 2 min");  // two blank sparklines say less
  // the scale goes above, so the marks get the width: at 80 columns the
  // whole two minutes at 2 s per mark
  int room = p.width - 7;  // "  rx [" ... "]"
  if (room < 10) return;
  size_t k = (kWindow + size_t(room) - 1) / size_t(room);  // seconds per mark
  int cells = int((kWindow + k - 1) / k);
  auto scale = [](const char* what, uint32_t limit) {
    return limit ? fmt::format("{} {}", what, limit) : fmt::format("{} unknown, own max", what);
  };
  std::string scales = scale(listener ? "backlog" : "rcvbuf", lim.rx);
  if (!listener) scales += ", " + scale("sndbuf", lim.tx);
  p.add(fmt::format("  last 2 min, {}s per mark; scale: {}", k, scales));
  p.add(fmt::format("  rx [{}]", sparkline(squeeze(v, true, k), lim.rx, cells)));
  if (!listener) p.add(fmt::format("  tx [{}]", sparkline(squeeze(v, false, k), lim.tx, cells)));
}

void traffic(Page& p, const Row& r, const Snapshot::Detail* d) {
  auto rate = [](double x) { return x < 0 ? std::string("-") : rate_text(x) + "/s"; };
  p.add("Traffic");
  // what the tiers in force did not measure is named, never shown as 0
  if (!r.bytes_known) {
    p.add("  bytes in and out: needs --detail packets (top: the 'D' key)");
  } else {
    p.add(fmt::format("  in  {:>9} B  {:>8}", r.bytes_received, rate(r.rx_rate)));
    p.add(fmt::format("  out {:>9} B  {:>8}", r.bytes_sent, rate(r.tx_rate)));
  }
  if (!d) return;
  const IoCounters& io = d->sock.io;
  if (!io.calls_measured) {
    p.add("  send/recv calls and time blocked in them: needs --detail syscalls (top: the 'D' key)");
    return;
  }
  p.add(fmt::format("  recv: {} calls, blocked {}, longest {}", io.recv_calls, duration_text(io.recv_ns),
                    duration_text(io.recv_ns_max)));
  p.add(fmt::format("  send: {} calls, blocked {}, longest {}", io.send_calls, duration_text(io.send_ns),
                    duration_text(io.send_ns_max)));
}

// State changes and lifecycle calls in time order, each with how long
// until the next.
void timeline(Page& p, const Snapshot& snap, const Snapshot::Detail* d) {
  p.add("State history and lifecycle calls (how long until the next)");
  if (!d) {
    p.add("  (no history kept)");
    return;
  }
  const Socket& s = d->sock;
  struct Entry {
    uint64_t ts;
    std::string what, more;
  };
  std::vector<Entry> e;
  for (const auto& h : s.history) e.push_back({h.ts_ns, std::string(state_name_for(s, h.state)), ""});
  for (const auto& c : s.calls) {
    if (is_data_call(c.call)) continue;
    std::string more = call_result(c) + ", took " + took_text(c);
    if (auto a = call_args(c); !a.empty()) more += ", " + a;
    e.push_back({c.enter_ns, std::string(call_name(c.call)) + "()", more});
  }
  // a gap: what the lost events said of this socket is missing here (the
  // next pass set its state right)
  for (const GapMark& g : d->gaps)
    e.push_back({g.ts_ns, "(gap)", fmt::format("{} lost ({}): changes here may be missing", g.lost, lost_kind_name(g.kind))});
  std::stable_sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) { return a.ts < b.ts; });
  if (s.history_dropped) p.add(fmt::format("  ... {} earlier changes not kept", s.history_dropped));
  for (size_t i = 0; i < e.size(); ++i) {
    bool newest = i + 1 == e.size();
    std::string until = !newest ? duration_text(span(e[i].ts, e[i + 1].ts))
                        : s.closed ? std::string("-")
                                   : duration_text(span(e[i].ts, snap.now_ns)) + " (now)";
    p.add(fmt::format("  {}  {:<12} {:<11} {}", clock_text(e[i].ts, snap.wall_offset_ns), e[i].what, until,
                      e[i].more));
  }
}

void recent_calls(Page& p, const Snapshot& snap, const Snapshot::Detail& d) {
  p.add("Recent calls (data calls only when recorded with --detail calls)");
  if (d.sock.calls.empty()) p.add("  none");
  for (const auto& c : d.sock.calls)
    p.add(fmt::format("  {}  {:<10} {:<24} took {}", clock_text(c.enter_ns, snap.wall_offset_ns), call_name(c.call),
                      call_result(c), took_text(c)));
}

std::string net_event_text(const NetEvent& n, const ReasonNames& names) {
  if (n.is_drop) {
    Drop drop;
    drop.origin = n.origin;
    drop.reason = n.reason;
    return fmt::format("drop {} ({})", drop_reason_name(drop, names), drop_origin_name(n.origin));
  }
  switch (n.kind) {
    case TcpKind::Retransmit:
    case TcpKind::SynackRetransmit:
      return fmt::format("{} {} segs{}", tcp_kind_name(n.kind), n.segs, n.err ? fmt::format(" failed {}", n.err) : "");
    case TcpKind::ResetSent: return fmt::format("reset_sent {}", names.reset_name(n.reason));
    default: return std::string(tcp_kind_name(n.kind));
  }
}

void drops(Page& p, const Snapshot& snap, const Snapshot::Detail& d) {
  const Socket& s = d.sock;
  const TcpCounters& t = s.tcp;
  p.add(s.is_tcp() ? "Drops and TCP health" : "Drops");
  std::vector<std::pair<uint64_t, uint32_t>> by;  // count, reason: most first
  for (const auto& [reason, n] : s.drops_by_reason) by.push_back({n, reason});
  std::sort(by.begin(), by.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string line = fmt::format("  drops {}", total_drops(s));
  for (size_t i = 0; i < by.size(); ++i)
    line += fmt::format("{} {} {}", i ? "," : ":", snap.reasons.drop_name(by[i].second), by[i].first);
  p.add(line);
  // each protocol's own counters only: a UDP socket has no retransmits to
  // count, and a 0 there would read as "none happened"
  if (s.is_tcp()) {
    p.add(fmt::format("  retransmits {} (failed {}, SYN-ACK {})  resets sent {} received {}", t.retrans_segs,
                      t.retrans_failed, t.synack_retrans, t.resets_sent, t.resets_received));
    p.add(fmt::format("  zero windows sent {} received {}  persist probes {}", t.zero_window_sent,
                      t.zero_window_received, t.persist_probes));
    p.add(fmt::format("  rcvqueue_full {}  buf_limit {}", t.rcvqueue_full, t.buf_limit));
  } else {
    p.add(fmt::format("  rcvqueue_full {}  buf_limit {}  udp queue fails {}", t.rcvqueue_full, t.buf_limit,
                      t.udp_queue_fail));
  }
  if (s.net_events_dropped) p.add(fmt::format("  ... {} earlier records not kept", s.net_events_dropped));
  for (const auto& n : s.net_events)
    p.add(fmt::format("  {}  {}", clock_text(n.ts_ns, snap.wall_offset_ns), net_event_text(n, snap.reasons)));
}

void tcp_metrics(Page& p, const Snapshot& snap, const Socket& s) {
  if (!s.is_tcp()) return;
  const TcpMetrics& m = s.metrics;
  bool known = s.metrics_ns != 0;
  auto v = [&](uint32_t x) { return known ? std::to_string(x) : std::string("-"); };
  auto us = [&](uint32_t x) { return known ? us_text(x) : std::string("-"); };
  // the kernel's "no threshold yet" (TCP_INFINITE_SSTHRESH)
  std::string ssthresh = known && m.ssthresh >= 0x7fffffff ? "inf" : v(m.ssthresh);
  p.add(known ? fmt::format("TCP (measured {})", clock_text(s.metrics_ns, snap.wall_offset_ns))
              : std::string("TCP (never measured)"));
  p.add(fmt::format("  srtt {}  rttvar {}  cwnd {}  ssthresh {}", us(m.srtt_us), us(m.rttvar_us), v(m.cwnd),
                    ssthresh));
  p.add(fmt::format("  send window {}  receive window {}", v(m.snd_wnd), v(m.rcv_wnd)));
}

void journey(Page& p, const Socket& s) {
  p.add("Journey of received data        count      p50      p99      max");
  auto row = [&](const char* name, const Histogram& h) {
    if (!h.count) return p.add(fmt::format("  {:<28} {:>7}", name, 0));
    p.add(fmt::format("  {:<28} {:>7} {:>8} {:>8} {:>8}", name, h.count, duration_text(percentile(h, 0.5)),
                      duration_text(percentile(h, 0.99)), duration_text(h.max_ns)));
  };
  row("NIC -> receive queue", s.nic_to_queue());
  row("receive queue -> read", s.queue_to_read());
}

std::string option_value(const SockOption& o) {
  if (o.level == 1 && o.optname == 13)  // SO_LINGER: onoff, then seconds in the high half
    return fmt::format("onoff {} linger {}s", o.value & 0xffffffff, o.value >> 32);
  return std::to_string(o.value);
}

void options(Page& p, const Snapshot& snap, const Socket& s) {
  p.add(s.listen_backlog ? fmt::format("Options set  (listen backlog {})", s.listen_backlog)
                         : std::string("Options set"));
  if (s.options.empty()) p.add("  none");
  for (const auto& o : s.options)
    p.add(fmt::format("  {}  {} = {}", clock_text(o.ts_ns, snap.wall_offset_ns), sockopt_name(o.level, o.optname),
                      option_value(o)));
}

}  // namespace

std::vector<std::string> render_detail(const Snapshot& snap, const Snapshot::Row& r, const ViewState& view, int width,
                                       int height) {
  const Snapshot::Detail* d = snap.detail && snap.detail->sock.key == r.key ? &*snap.detail : nullptr;
  Page p{width, {}};
  identity(p, snap, r, d);
  queues(p, snap, r, d);
  traffic(p, r, d);
  timeline(p, snap, d);
  if (d) {
    recent_calls(p, snap, *d);
    drops(p, snap, *d);
    tcp_metrics(p, snap, d->sock);
    journey(p, d->sock);
    options(p, snap, d->sock);
  }

  // one screen of it, from the scroll position (clamped: the keys do not
  // know how long the page is), and where that is in the last line
  size_t body = size_t(std::max(height - 1, 0));
  size_t n = p.lines.size();
  size_t first = std::min(view.detail_scroll, n > body ? n - body : 0);
  std::vector<std::string> out(p.lines.begin() + long(first), p.lines.begin() + long(std::min(n, first + body)));
  out.resize(body);
  if (height > 0)
    out.push_back(fit(fmt::format("lines {}-{} of {}  Up/Down PgUp/PgDn Home/End: scroll  Esc/q: back",
                                  n ? first + 1 : 0, std::min(n, first + body), n),
                      width));
  return out;
}

}  // namespace sockscope::ui
