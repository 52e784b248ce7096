// Exporters: JSON Lines, CSV and Perfetto JSON written from synthetic
// events fed through a SocketTable, as `sockscope export` feeds them.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "export/exporter.h"
#include "model/socket_table.h"
#include "output/event_format.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;
using nlohmann::json;
using Names = std::vector<std::string>;

namespace {

const ReasonNames kNames = test_reason_names();
const Task kCurl = task(100, "curl");
const Task kSoftirq = task(0, "swapper/1");
constexpr uint64_t kT0 = 10 * kSec;  // the first event
constexpr uint32_t kUnknownOwnerPid = (1u << 22) + 1;
constexpr uint32_t kNoSocketPid = (1u << 22) + 2;

SockId tcp_id(uint64_t cookie, TcpState st, uint16_t local_port = 40000, uint16_t remote_port = 80) {
  SockId id = tcp_sock(cookie, v4("10.0.0.1", local_port), v4("10.0.0.2", remote_port), st);
  id.netns = 4026531840;
  return id;
}

SyscallEvent call(uint64_t ts, const SockId& id, const Task& t, Call c, int fd, int64_t ret, uint64_t arg0 = 0) {
  SyscallEvent e;
  e.enter_ns = ts - 1000;
  e.ts_ns = ts;
  e.task = t;
  e.sock = id;
  e.call = c;
  e.fd = fd;
  e.ret = ret;
  e.arg0 = arg0;
  return e;
}

StateChange change(uint64_t ts, SockId id, TcpState from, TcpState to, const Task& t = kSoftirq) {
  id.state = uint8_t(from);
  return {ts, t, id, from, to};
}

Sample sample(uint64_t ts, const SockId& id, uint32_t rx, uint32_t tx, uint32_t wmem) {
  Sample e;
  e.ts_ns = ts;
  e.sock = id;
  e.occ = {.rx_queue = rx, .tx_queue = tx, .rmem_alloc = rx ? 2048u : 0u, .wmem_queued = wmem, .rcvbuf = 131072,
           .sndbuf = 16384};
  e.why = SampleWhy::Recv;
  return e;
}

Drop drop(uint64_t ts, const SockId& id, uint32_t reason) {
  Drop d;
  d.ts_ns = ts;
  d.sock = id;
  d.reason = reason;
  d.ifindex = 2;
  d.dev_netns = 4026531840;
  d.len = 1500;
  return d;
}

// A packet to no socket, dropped on ifindex 2.
Drop packet_drop(uint64_t ts, uint16_t dport) {
  SockId id;
  id.family = kAfInet;
  id.protocol = kProtoTcp;
  id.local = v4("10.0.0.1", dport);  // the packet's destination
  id.remote = v4("10.0.0.9", 33333);
  Drop d = drop(ts, id, 3);
  d.from_packet = true;
  return d;
}

TcpEvent retransmit(uint64_t ts, const SockId& id) {
  TcpEvent e;
  e.ts_ns = ts;
  e.sock = id;
  e.kind = TcpKind::Retransmit;
  e.segs = 1;
  return e;
}

// curl, fd 3: socket(), connect, traffic with a drop and a retransmit, an
// active close through TIME_WAIT. One millisecond per event from kT0.
std::vector<Event> client_life() {
  using S = TcpState;
  SockId id = tcp_id(1001, S::Established);
  SockId bare = id;  // before connect: no cookie, no addresses
  bare.cookie = 0;
  bare.local = bare.remote = {};
  bare.state = uint8_t(S::Close);
  uint64_t t = kT0;
  StatsUpdate stats;
  stats.cookie = 1001;
  stats.bytes_sent = 123456;
  stats.bytes_received = 7890;
  stats.tcp.retrans_segs = 3;
  stats.tcp.drops = 2;
  stats.metrics.srtt_us = 350;
  return {
      call(t, bare, kCurl, Call::Socket, 3, 3, kAfInet),
      change(t += kMs, id, S::Close, S::SynSent, kCurl),
      call(t += kMs, id, kCurl, Call::Connect, 3, -115),
      change(t += kMs, id, S::SynSent, S::Established),
      sample(t += kMs, id, 100, 200, 8192),
      drop(t += kMs, id, 13),
      retransmit(t += kMs, id),
      sample(t += kMs, id, 0, 50, 4096),
      [&] {
        stats.ts_ns = stats.metrics_ns = t += kMs;
        return Event(stats);
      }(),
      change(t += kMs, id, S::Established, S::FinWait1, kCurl),
      call(t += kMs, id, kCurl, Call::Close, 3, 0, /*last_ref*/ 1),
      change(t += kMs, id, S::FinWait1, S::FinWait2),
      change(t += kMs, id, S::FinWait2, S::TimeWait),
      change(t += kMs, id, S::TimeWait, S::Close),
  };
}
constexpr uint64_t kClientEnd = kT0 + 13 * kMs;  // its last event: CLOSE

// Events through a SocketTable into an exporter, as cmd_export runs them.
struct Feed {
  SocketTable table;
  std::ostringstream out;
  Filter filter;
  std::unique_ptr<Exporter> ex;

  explicit Feed(const std::string& format, Filter f = {}) : filter(std::move(f)) {
    ex = make_exporter(format, out, {&kNames, 0, &filter});
  }
  const Socket* operator()(const Event& e) {
    const Socket* s = table.apply(e);
    ex->on_event(e, s);
    return s;
  }
  void all(const std::vector<Event>& events) {
    for (const auto& e : events) (*this)(e);
  }
  std::string finish(uint64_t now_ns) {
    ex->finish(table, now_ns);
    return out.str();
  }
};

// JSON Lines: every line must parse on its own.
std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  size_t at = 0;
  for (size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    out.push_back(json::parse(text.substr(at, nl - at)));
  CHECK(at == text.size());  // the last line ends too
  return out;
}

}  // namespace

TEST_CASE("make_exporter knows the three formats and refuses others", "[export]") {
  std::ostringstream out;
  for (const auto& f : export_formats()) CHECK(make_exporter(f, out, {}) != nullptr);
  CHECK_THROWS_AS(make_exporter("xml", out, {}), std::invalid_argument);
}

// ---------------------------------------------------------------------------
// jsonl

TEST_CASE("jsonl: one line per watch event, each the object watch --json prints", "[export][jsonl]") {
  Feed feed("jsonl");
  SocketTable twin;  // what watch would have seen
  std::vector<json> want;
  for (const auto& e : client_life()) {
    feed(e);
    const Socket* s = twin.apply(e);
    if (is_watch_event(e)) want.push_back(watch_json(e, s, kNames));
  }
  auto got = json_lines(feed.finish(kClientEnd));
  REQUIRE(got.size() == 13);  // every event but the stats update
  CHECK(got == want);
  const json& d = got.at(5);
  CHECK(d.at("type") == "drop");
  CHECK(d.at("reason") == "SOCKET_RCVBUFF");
  CHECK(d.at("cookie") == 1001);
  CHECK(d.at("pid") == 100);  // the owner, not the softirq
  CHECK(got[0].at("call") == "socket");
}

TEST_CASE("jsonl: the filter applies as in watch, packets by their addresses", "[export][jsonl]") {
  Filter port80;
  port80.ports = {80};
  Feed feed("jsonl", port80);
  feed.all(client_life());
  feed(packet_drop(kClientEnd + kMs, 80));     // to port 80, no socket: shown
  feed(packet_drop(kClientEnd + 2 * kMs, 9));  // elsewhere: not
  feed(call(kClientEnd + 3 * kMs, tcp_id(2002, TcpState::Established, 5000, 6000), kCurl, Call::Connect, 4, 0));
  auto got = json_lines(feed.finish(kClientEnd + 3 * kMs));
  // socket() had no port yet, so it is not shown, like in watch
  REQUIRE(got.size() == 13);
  CHECK(got.front().at("type") == "state");
  const json& last = got.back();
  CHECK(last.at("type") == "drop");
  CHECK(last.at("from_packet") == true);
  CHECK(last.at("local") == "10.0.0.1:80");

  Filter by_pid;
  by_pid.pids = {100};
  Feed owned("jsonl", by_pid);
  owned(packet_drop(kT0, 80));  // a packet has no owner: never matches -p
  CHECK(owned.finish(kT0).empty());
}

// ---------------------------------------------------------------------------
// csv

namespace {

// RFC 4180 records, enough to check what the exporter writes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"')
        rows.back().back() += c;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        rows.back().back() += text[++i];  // a doubled quote
      else
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

// A UDP socket owned by a process with an awkward name.
SockSeed udp_seed(uint64_t ts, const char* name) {
  SockSeed e;
  e.ts_ns = ts;
  e.sock.cookie = 3003;
  e.sock.family = kAfInet;
  e.sock.protocol = kProtoUdp;
  e.sock.type = 2;
  e.sock.state = uint8_t(TcpState::Close);
  e.sock.local = v4("0.0.0.0", 5353);
  e.pid = 400;
  e.fd = 9;
  e.comm = comm(name);
  return e;
}

}  // namespace

TEST_CASE("csv: a header and one row per socket, raw numbers, list's order", "[export][csv]") {
  Feed feed("csv");
  feed.all(client_life());
  feed(udp_seed(kT0, "we\"ird,name"));
  auto rows = parse_csv(feed.finish(kClientEnd + 2500 * kMs));
  REQUIRE(rows.size() == 3);
  const Names header = {"netid",  "state",  "age_s", "recv_q", "send_q", "rcv_pct",     "snd_pct",
                        "rx_max", "tx_max", "local", "peer",   "sent",   "rcvd",        "process",
                        "pid",    "comm",   "fd",    "cookie", "drops",  "retransmits", "rtt_us", "gaps"};
  CHECK(rows[0] == header);
  for (const auto& r : rows) CHECK(r.size() == header.size());

  std::map<std::string, std::string> tcp;
  for (size_t i = 0; i < header.size(); ++i) tcp[header[i]] = rows[1][i];
  CHECK(tcp["netid"] == "tcp");  // TCP sorts first
  CHECK(tcp["state"] == "(closed)");
  CHECK(tcp["age_s"] == "2.500");  // in CLOSE since the last event
  CHECK(tcp["recv_q"] == "0");
  CHECK(tcp["send_q"] == "0");  // the kernel purged its queues at TIME_WAIT
  CHECK(tcp["rcv_pct"] == "0.00");
  CHECK(tcp["snd_pct"] == "0.00");
  CHECK(tcp["rx_max"] == "100");
  CHECK(tcp["tx_max"] == "200");
  CHECK(tcp["local"] == "10.0.0.1:40000");
  CHECK(tcp["peer"] == "10.0.0.2:80");
  CHECK(tcp["sent"] == "123456");  // not "123K" as list shows it
  CHECK(tcp["rcvd"] == "7890");
  CHECK(tcp["process"] == "curl,pid=100,fd=3");
  CHECK(tcp["pid"] == "100");
  CHECK(tcp["comm"] == "curl");
  CHECK(tcp["fd"] == "3");
  CHECK(tcp["cookie"] == "1001");
  CHECK(tcp["drops"] == "2");
  CHECK(tcp["retransmits"] == "3");
  CHECK(tcp["rtt_us"] == "350");

  CHECK(rows[2][0] == "udp");
  CHECK(rows[2][15] == "we\"ird,name");
  CHECK(rows[2][13] == "we\"ird,name,pid=400,fd=9");
  CHECK(rows[2][20].empty());  // no RTT measured
}

TEST_CASE("csv: quoting keeps a name with quotes, commas or line breaks in its field", "[export][csv]") {
  std::string name = GENERATE(as<std::string>{}, "a,b", "say \"hi\"", "two\nlines", "cr\rlf", "plain \xff\xfe");
  Feed feed("csv");
  feed(udp_seed(kT0, name.c_str()));
  std::string text = feed.finish(kT0 + kSec);
  auto rows = parse_csv(text);
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[1].size() == rows[0].size());
  CHECK(rows[1][15] == name);  // bytes kept as they are
  std::string doubled;
  for (char c : name) doubled += c == '"' ? std::string("\"\"") : std::string(1, c);
  bool needs_quotes = name.find_first_of(",\"\r\n") != std::string::npos;
  CHECK(text.find(fmt::format(",{},9,", needs_quotes ? fmt::format("\"{}\"", doubled) : name)) != std::string::npos);
}

TEST_CASE("csv: the filter picks sockets as list does", "[export][csv]") {
  Filter udp;
  udp.udp = true;
  Feed feed("csv", udp);
  feed.all(client_life());
  feed(udp_seed(kT0, "avahi-daemon"));
  auto rows = parse_csv(feed.finish(kClientEnd));
  REQUIRE(rows.size() == 2);
  CHECK(rows[1][0] == "udp");
  CHECK(rows[1][17] == "3003");  // cookie
}

// ---------------------------------------------------------------------------
// perfetto

namespace {

using TrackKey = std::pair<uint64_t, uint64_t>;  // pid, tid

// What a trace viewer needs of the file, checked: every B closed by a later
// E on its track, ts never going back on a track, a name for every thread,
// numeric counters. Returns the events by track, in file order.
struct Timeline {
  json doc;
  std::map<TrackKey, std::vector<json>> tracks;
  std::map<TrackKey, std::string> thread_names;
  std::map<uint64_t, std::string> process_names;

  explicit Timeline(const std::string& text) : doc(json::parse(text)) {
    REQUIRE(doc.at("traceEvents").is_array());
    CHECK(doc.at("displayTimeUnit") == "ns");
    CHECK(doc.at("metadata").is_object());
    for (const json& e : doc["traceEvents"]) {
      TrackKey k{e.at("pid").get<uint64_t>(), e.at("tid").get<uint64_t>()};
      std::string ph = e.at("ph");
      if (ph == "M") {
        if (e.at("name") == "thread_name") thread_names[k] = e.at("args").at("name");
        if (e.at("name") == "process_name") process_names[k.first] = e.at("args").at("name");
        continue;
      }
      REQUIRE(e.at("ts").is_number());
      if (!tracks[k].empty()) CHECK(tracks[k].back().at("ts").get<double>() <= e.at("ts").get<double>());
      if (ph == "C")
        for (const auto& [name, v] : e.at("args").items()) CHECK(v.is_number());
      if (ph == "i") CHECK(e.at("s") == "t");
      tracks[k].push_back(e);
    }
    for (const auto& [k, events] : tracks) {
      INFO("pid " << k.first << " tid " << k.second);
      CHECK(thread_names.count(k) == 1);
      int open = 0;
      for (const json& e : events) {
        if (e["ph"] == "B") ++open;
        if (e["ph"] == "E") CHECK(--open >= 0);
      }
      CHECK(open == 0);
    }
  }

  // The track whose thread name is this.
  TrackKey track(const std::string& name) const {
    for (const auto& [k, n] : thread_names)
      if (n == name) return k;
    FAIL("no thread named " << name);
    return {};
  }
  std::vector<json> of(const TrackKey& k, const std::string& ph) const {
    std::vector<json> out;
    if (auto it = tracks.find(k); it != tracks.end())
      for (const json& e : it->second)
        if (e["ph"] == ph) out.push_back(e);
    return out;
  }
  Names slices(const TrackKey& k) const {
    Names out;
    for (const json& b : of(k, "B")) out.push_back(b.at("name"));
    return out;
  }
};

const std::string kClientName = "tcp 10.0.0.1:40000 > 10.0.0.2:80 cookie=1001";

}  // namespace

TEST_CASE("perfetto: a socket's states are slices in order on its owner's track", "[export][perfetto]") {
  Feed feed("perfetto");
  feed.all(client_life());
  Timeline tl(feed.finish(kClientEnd + kSec));
  TrackKey k = tl.track(kClientName);
  CHECK(k.first == 100);
  CHECK(tl.process_names.at(100) == "curl");
  CHECK(tl.slices(k) == Names{"CLOSE", "SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE"});
  // ts in microseconds from the first event; each state ends where the next begins
  auto b = tl.of(k, "B"), e = tl.of(k, "E");
  REQUIRE(e.size() == b.size());
  CHECK(b[0].at("ts") == 0.0);
  CHECK(b[1].at("ts") == 1000.0);
  CHECK(e[0].at("ts") == 1000.0);
  CHECK(b[2].at("ts") == 3000.0);
  for (size_t i = 0; i + 1 < b.size(); ++i) CHECK(e[i].at("ts") == b[i + 1].at("ts"));
  CHECK(e.back().at("ts") == 13000.0);  // closed at CLOSE, not at the end of the trace
  CHECK(tl.doc["metadata"].at("ts_origin_ns") == kT0);
}

TEST_CASE("perfetto: drops, retransmits and syscalls are instants, queues are per-socket counters",
          "[export][perfetto]") {
  Feed feed("perfetto");
  feed.all(client_life());
  Timeline tl(feed.finish(kClientEnd));
  TrackKey k = tl.track(kClientName);
  Names instants;
  for (const json& i : tl.of(k, "i")) instants.push_back(i.at("name"));
  CHECK(instants == Names{"socket", "connect", "drop", "retransmit", "close"});
  json d = tl.of(k, "i")[2];
  CHECK(d.at("ts") == 5000.0);
  CHECK(d.at("args").at("reason") == "SOCKET_RCVBUFF");
  CHECK(d.at("args").at("origin") == "kfree_skb");
  CHECK(tl.of(k, "i")[3].at("args").at("segs") == 1);

  std::map<std::string, std::vector<double>> counters;
  for (const json& c : tl.of(k, "C")) counters[c.at("name")].push_back(c.at("args").at("bytes"));
  CHECK(counters == std::map<std::string, std::vector<double>>{{"rx_queue cookie=1001", {100, 0}},
                                                              {"tx_queue cookie=1001", {200, 50, 0}}});  // none in TIME_WAIT
}

TEST_CASE("perfetto: an accepted socket's handshake waits for accept() to name its process", "[export][perfetto]") {
  using S = TcpState;
  const Task nginx = task(200, "nginx");
  SockId child = tcp_id(2002, S::Established, 8080, 40000);
  Feed feed("perfetto");
  feed(change(kT0, child, S::Listen, S::SynRecv));
  feed(change(kT0 + kMs, child, S::SynRecv, S::Established));
  feed(sample(kT0 + 2 * kMs, child, 10, 0, 0));
  feed(call(kT0 + 3 * kMs, child, nginx, Call::Accept4, 3, 5, 3));
  Timeline tl(feed.finish(kT0 + kSec));
  TrackKey k = tl.track("tcp 10.0.0.1:8080 > 10.0.0.2:40000 cookie=2002");
  CHECK(k.first == 200);
  CHECK(tl.process_names.at(200) == "nginx");
  CHECK(tl.slices(k) == Names{"SYN_RECV", "ESTABLISHED"});
  CHECK(tl.of(k, "C").size() == 2);  // rx 10, tx 0
  CHECK(tl.tracks.size() == 1);  // nothing left under the unknown owner
  CHECK(tl.of(k, "E").back().at("ts") == 1e6);  // still open: ends with the trace
}

TEST_CASE("perfetto: a socket that never shows its owner goes under 'unknown owner'", "[export][perfetto]") {
  Feed feed("perfetto");
  feed(drop(kT0, tcp_id(4004, TcpState::Established), 13));  // a socket from before the recording
  Timeline tl(feed.finish(kT0 + 2 * kSec));
  TrackKey k = tl.track("tcp 10.0.0.1:40000 > 10.0.0.2:80 cookie=4004");
  CHECK(k.first == kUnknownOwnerPid);
  CHECK(tl.process_names.at(kUnknownOwnerPid) == "unknown owner");
  CHECK(tl.slices(k) == Names{"ESTABLISHED"});
  CHECK(tl.of(k, "E").at(0).at("ts") == 2e6);
  CHECK(tl.of(k, "i").size() == 1);
}

TEST_CASE("perfetto: drops of packets to no socket go on their device's track", "[export][perfetto]") {
  Feed feed("perfetto");
  feed(packet_drop(kT0, 80));
  DevStatsUpdate dev;
  dev.ts_ns = kT0 + kMs;
  dev.dev = {4026531840, 2};
  dev.name = comm("eth0");
  feed(dev);
  Timeline tl(feed.finish(kT0 + kSec));
  // named when the drop came, and again at the end once the device's name is known
  TrackKey k = tl.track("no socket eth0 ifindex=2 netns=4026531840");
  CHECK(k.first == kNoSocketPid);
  CHECK(tl.process_names.at(kNoSocketPid) == "no socket");
  auto i = tl.of(k, "i");
  REQUIRE(i.size() == 1);
  CHECK(i[0].at("name") == "drop");
  CHECK(i[0].at("args").at("reason") == "NO_SOCKET");
  CHECK(i[0].at("args").at("from_packet") == true);
}

TEST_CASE("perfetto: a filtered socket is drawn from the first event that matches", "[export][perfetto]") {
  Filter estab;
  estab.states = {TcpState::Established};
  Feed feed("perfetto", estab);
  feed.all(client_life());
  feed(packet_drop(kClientEnd + kMs, 80));  // a state filter never matches a packet
  Timeline tl(feed.finish(kClientEnd + kSec));
  REQUIRE(tl.tracks.size() == 1);
  CHECK(tl.slices(tl.track(kClientName)) == Names{"ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE"});
}

TEST_CASE("perfetto: records that arrive out of order never take a track back in time", "[export][perfetto]") {
  using S = TcpState;
  SockId id = tcp_id(1001, S::Established);
  Feed feed("perfetto");
  feed(call(kT0, id, kCurl, Call::Connect, 3, -115));
  feed(change(kT0 + 3 * kMs, id, S::SynSent, S::Established));
  feed(retransmit(kT0 + 2 * kMs, id));  // from another CPU, read later
  Timeline tl(feed.finish(kT0 + kSec));  // checks ts order per track
  auto i = tl.of(tl.track(kClientName), "i");
  REQUIRE(i.size() == 2);
  CHECK(i[1].at("name") == "retransmit");
  CHECK(i[1].at("ts") == 3000.0);  // moved up to the slice it is drawn after
  CHECK(i[1].at("args").at("ts_ns") == kT0 + 2 * kMs);  // the record's own time stays in its args
}

TEST_CASE("perfetto: no events is a valid trace with no tracks", "[export][perfetto]") {
  Feed feed("perfetto");
  std::string text = feed.finish(0);
  Timeline tl(text);
  CHECK(tl.doc["traceEvents"].empty());
  CHECK(tl.doc["metadata"].at("sockets") == 0);
}

// ---------------------------------------------------------------------------
// gaps

TEST_CASE("export: a gap (events lost) is marked in every format", "[export]") {
  // 7 records lost while the client lived, the same total read again (a new
  // file's first read), then 2 more after it closed
  const Lost during{kT0 + 5 * kMs + kMs / 2, LostKind::Ringbuf, 7};
  const Lost again{kT0 + 6 * kMs + kMs / 2, LostKind::Ringbuf, 7};
  const Lost after{kClientEnd + kSec, LostKind::Ringbuf, 9};
  auto feed_all = [&](Feed& f) {
    f(udp_seed(kT0, "dns"));
    std::vector<Event> life = client_life();
    for (size_t i = 0; i < life.size(); ++i) {
      f(life[i]);
      if (i == 5) f(during);
      if (i == 6) f(again);
    }
    f(after);
    return f.finish(kClientEnd + 2 * kSec);
  };

  Feed jsonl("jsonl");
  std::vector<json> lost;
  for (const json& j : json_lines(feed_all(jsonl)))
    if (j.at("type") == "lost") lost.push_back(j);
  REQUIRE(lost.size() == 2);
  CHECK(lost[0] == json{{"ts_ns", during.ts_ns}, {"type", "lost"}, {"kind", "ringbuf"}, {"lost", 7}, {"lost_total", 7}});
  CHECK(lost[1].at("lost") == 2);
  CHECK(lost[1].at("lost_total") == 9);

  Feed csv("csv");
  auto rows = parse_csv(feed_all(csv));
  REQUIRE(rows.size() == 3);
  REQUIRE(rows[0].back() == "gaps");
  CHECK(rows[1][0] == "tcp");
  CHECK(rows[1].back() == "1");  // closed before the second
  CHECK(rows[2][0] == "udp");
  CHECK(rows[2].back() == "2");  // alive through both

  Feed perfetto("perfetto");
  json doc = json::parse(feed_all(perfetto));
  std::vector<json> marks;
  for (const json& ev : doc.at("traceEvents"))
    if (ev.value("name", "") == "events lost") marks.push_back(ev);
  REQUIRE(marks.size() == 2);
  CHECK(marks[0].at("ph") == "i");
  CHECK(marks[0].at("s") == "g");  // across the whole timeline
  CHECK(marks[0].at("args").at("lost") == 7);
  CHECK(marks[1].at("args").at("lost") == 2);
}
