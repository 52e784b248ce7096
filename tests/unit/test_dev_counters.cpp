// The kernel's own device counters (source/kernel/dev_counters.h): the
// rtnetlink dump walk and /proc/net/softnet_stat, on synthetic bytes and
// text, good and bad; the merge with the per-packet hooks' counts; the
// softnet record through the one decoder; and, unprivileged, one real dump
// of the test's own namespace.
#include <catch2/catch.hpp>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/nic_table.h"
#include "model/socket_table.h"
#include "output/nic_format.h"
#include "record/decode.h"
#include "record/raw_record.h"
#include "source/kernel/dev_counters.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;
using Bytes = std::vector<uint8_t>;
using nlohmann::json;

namespace {

// The later steps of a state run: none for the records these tests build.
std::vector<sockscope::Event>& more_steps() {
  static std::vector<sockscope::Event> v;
  return v;
}

// ---------------------------------------------------------------------------
// rtnetlink messages, built as the kernel lays them out

void put(Bytes& b, const void* p, size_t n) {
  size_t at = b.size();
  b.resize(at + n);
  if (n) std::memcpy(b.data() + at, p, n);
}
void pad4(Bytes& b) { b.resize(NLMSG_ALIGN(b.size()), 0); }

void attr(Bytes& b, uint16_t type, const void* data, size_t n) {
  nlattr a{uint16_t(NLA_HDRLEN + n), type};
  put(b, &a, sizeof(a));
  put(b, data, n);
  pad4(b);
}

rtnl_link_stats64 stats(uint64_t base) {
  rtnl_link_stats64 s{};
  s.rx_packets = base + 1;
  s.tx_packets = base + 2;
  s.rx_bytes = base + 3;
  s.tx_bytes = base + 4;
  s.rx_errors = base + 5;
  s.tx_errors = base + 6;
  s.rx_dropped = base + 7;
  s.tx_dropped = base + 8;
  return s;
}

// The payload of an RTM_NEWLINK: ifinfomsg, IFLA_IFNAME, IFLA_STATS64.
Bytes link_payload(int ifindex, const std::string& name, const rtnl_link_stats64* s, size_t stats_len = 0) {
  Bytes b;
  ifinfomsg m{};
  m.ifi_family = AF_UNSPEC;
  m.ifi_index = ifindex;
  put(b, &m, sizeof(m));
  pad4(b);
  if (!name.empty()) attr(b, IFLA_IFNAME, name.c_str(), name.size() + 1);
  if (s) attr(b, IFLA_STATS64, s, stats_len ? stats_len : sizeof(*s));
  return b;
}

void message(Bytes& out, uint16_t type, uint32_t seq, const Bytes& payload, uint16_t flags = NLM_F_MULTI) {
  nlmsghdr h{};
  h.nlmsg_len = uint32_t(sizeof(h) + payload.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  put(out, &h, sizeof(h));
  put(out, payload.data(), payload.size());
  pad4(out);
}

Bytes done(int32_t err = 0) {
  Bytes b;
  put(b, &err, sizeof(err));
  return b;
}

}  // namespace

TEST_CASE("decode_link_msg: the name and the counters `ip -s link` prints", "[devices]") {
  auto s = stats(100);
  auto l = decode_link_msg(link_payload(7, "veth0", &s));
  REQUIRE(l);
  CHECK(l->ifindex == 7);
  CHECK(l->name == "veth0");
  CHECK(l->has_stats);
  CHECK(l->rx_packets == 101);
  CHECK(l->tx_packets == 102);
  CHECK(l->rx_bytes == 103);
  CHECK(l->tx_bytes == 104);
  CHECK(l->tx_errors == 106);
  CHECK(l->rx_dropped == 107);
  CHECK(l->tx_dropped == 108);
}

TEST_CASE("decode_link_msg: short, nameless, cut and garbage input", "[devices][fuzz]") {
  auto s = stats(0);
  SECTION("shorter than an ifinfomsg, or no device") {
    Bytes p = link_payload(3, "lo", &s);
    for (size_t n = 0; n < sizeof(ifinfomsg); ++n) CHECK_FALSE(decode_link_msg({p.data(), n}));
    CHECK_FALSE(decode_link_msg(link_payload(0, "x", &s)));
    CHECK_FALSE(decode_link_msg(link_payload(-5, "x", &s)));
  }
  SECTION("an ifinfomsg alone: a device with no name and no counters") {
    auto l = decode_link_msg(link_payload(3, "", nullptr));
    REQUIRE(l);
    CHECK(l->name.empty());
    CHECK_FALSE(l->has_stats);
  }
  SECTION("stats64 shorter than its first eight fields: no counters, not wrong ones") {
    auto l = decode_link_msg(link_payload(3, "lo", &s, 8 * 8 - 1));
    REQUIRE(l);
    CHECK(l->name == "lo");
    CHECK_FALSE(l->has_stats);
    // an older kernel's shorter struct is fine as long as those are there
    l = decode_link_msg(link_payload(3, "lo", &s, 8 * 8));
    REQUIRE(l);
    CHECK(l->has_stats);
    CHECK(l->tx_dropped == 8);
    // a newer kernel's longer one too
    Bytes longer(sizeof(s) + 64, 0);
    std::memcpy(longer.data(), &s, sizeof(s));
    Bytes p = link_payload(3, "", nullptr);
    attr(p, IFLA_STATS64, longer.data(), longer.size());
    l = decode_link_msg(p);
    REQUIRE(l);
    CHECK(l->rx_packets == 1);
  }
  SECTION("a name without its NUL, or longer than IFNAMSIZ, is cut at 15") {
    Bytes p = link_payload(3, "", nullptr);
    attr(p, IFLA_IFNAME, "0123456789abcdefXYZ", 19);
    auto l = decode_link_msg(p);
    REQUIRE(l);
    CHECK(l->name == "0123456789abcde");
  }
  SECTION("an attribute longer than what is left ends the walk, keeping what came before") {
    Bytes p = link_payload(3, "eth0", &s);
    p.resize(p.size() - 4);  // the stats attribute cut short
    auto l = decode_link_msg(p);
    REQUIRE(l);
    CHECK(l->name == "eth0");
    CHECK_FALSE(l->has_stats);
  }
  SECTION("an attribute length below its header ends the walk") {
    Bytes p = link_payload(3, "", nullptr);
    nlattr bad{2, IFLA_IFNAME};
    put(p, &bad, sizeof(bad));
    attr(p, IFLA_IFNAME, "late", 5);
    auto l = decode_link_msg(p);
    REQUIRE(l);
    CHECK(l->name.empty());
  }
  SECTION("unknown and nested attributes are skipped") {
    Bytes p = link_payload(3, "", nullptr);
    uint32_t mtu = 1500;
    attr(p, IFLA_MTU, &mtu, sizeof(mtu));
    attr(p, IFLA_AF_SPEC | NLA_F_NESTED, &mtu, sizeof(mtu));
    attr(p, IFLA_IFNAME, "eth1", 5);
    auto l = decode_link_msg(p);
    REQUIRE(l);
    CHECK(l->name == "eth1");
  }
}

TEST_CASE("walk_link_dump: devices until NLMSG_DONE, stale replies skipped", "[devices]") {
  auto s1 = stats(10), s2 = stats(20);
  Bytes d;
  message(d, RTM_NEWLINK, 7, link_payload(1, "lo", &s1));
  message(d, RTM_NEWLINK, 6, link_payload(9, "stale", &s1));  // an earlier request's
  message(d, RTM_NEWADDR, 7, link_payload(9, "addr", &s1));   // not a link
  message(d, RTM_NEWLINK, 7, link_payload(2, "eth0", &s2));
  std::vector<LinkCounters> out;
  CHECK_FALSE(walk_link_dump(d, 7, out));  // no DONE yet: more datagrams follow
  REQUIRE(out.size() == 2);
  CHECK(out[0].name == "lo");
  CHECK(out[1].name == "eth0");
  CHECK(out[1].rx_packets == 21);

  Bytes end;
  message(end, NLMSG_DONE, 7, done());
  CHECK(walk_link_dump(end, 7, out));
  CHECK(out.size() == 2);
  // an ACK is not an error
  Bytes ack;
  message(ack, NLMSG_ERROR, 7, done(0));
  message(ack, NLMSG_DONE, 7, done());
  CHECK(walk_link_dump(ack, 7, out));
  // fewer bytes than a header at the end: nothing more to read
  Bytes tail;
  message(tail, RTM_NEWLINK, 7, link_payload(3, "x", nullptr));
  tail.resize(tail.size() + 8, 0xEE);
  out.clear();
  CHECK_FALSE(walk_link_dump(tail, 7, out));
  CHECK(out.size() == 1);
}

TEST_CASE("walk_link_dump: errors, interrupted dumps and lengths that do not fit throw", "[devices][fuzz]") {
  auto s = stats(0);
  std::vector<LinkCounters> out;
  Bytes err;
  message(err, NLMSG_ERROR, 1, done(-EPERM));
  CHECK_THROWS_WITH(walk_link_dump(err, 1, out), Catch::Contains("Operation not permitted"));
  Bytes failed;
  message(failed, NLMSG_DONE, 1, done(-EINTR));
  CHECK_THROWS_WITH(walk_link_dump(failed, 1, out), Catch::Contains("failed"));
  Bytes intr;
  message(intr, RTM_NEWLINK, 1, link_payload(1, "lo", &s), NLM_F_MULTI | NLM_F_DUMP_INTR);
  CHECK_THROWS_WITH(walk_link_dump(intr, 1, out), Catch::Contains("changed"));

  Bytes good;
  message(good, RTM_NEWLINK, 1, link_payload(1, "lo", &s));
  for (uint32_t len : {uint32_t(good.size() + 1), uint32_t(0xffffffff), uint32_t(sizeof(nlmsghdr) - 1), 0u}) {
    CAPTURE(len);
    Bytes b = good;
    std::memcpy(b.data(), &len, sizeof(len));
    CHECK_THROWS_WITH(walk_link_dump(b, 1, out), Catch::Contains("malformed"));
  }
  // every cut of a valid datagram either reads what is whole or throws
  Bytes two;
  message(two, RTM_NEWLINK, 1, link_payload(1, "lo", &s));
  message(two, RTM_NEWLINK, 1, link_payload(2, "eth0", &s));
  message(two, NLMSG_DONE, 1, done());
  for (size_t n = 0; n < two.size(); ++n) {
    CAPTURE(n);
    out.clear();
    bool ended = false;
    try {
      ended = walk_link_dump({two.data(), n}, 1, out);
    } catch (const std::runtime_error&) {
    }
    CHECK_FALSE(ended);  // the DONE is the last 20 bytes: never whole in a cut
    CHECK(out.size() <= 2);
  }
}

TEST_CASE("walk_link_dump and decode_link_msg on random bytes: no crash, no read past the end", "[devices][fuzz]") {
  std::mt19937 rng(1234);
  auto s = stats(5);
  Bytes base;
  message(base, RTM_NEWLINK, 1, link_payload(4, "veth-x", &s));
  message(base, NLMSG_DONE, 1, done());
  for (int i = 0; i < 20000; ++i) {
    Bytes b = base;
    // flip a few bytes of a valid dump, or make one of pure noise
    if (i % 4 == 0) {
      b.resize(rng() % 300);
      for (auto& c : b) c = uint8_t(rng());
    } else {
      for (int k = 0, n = 1 + int(rng() % 4); k < n; ++k) b[rng() % b.size()] = uint8_t(rng());
      b.resize(rng() % (b.size() + 1));
    }
    // heap copies of the exact length, so a sanitizer build catches an overread
    std::vector<uint8_t> exact(b.begin(), b.end());
    std::vector<LinkCounters> out;
    try {
      walk_link_dump(exact, 1, out);
    } catch (const std::runtime_error&) {
    }
    for (const auto& l : out) CHECK(l.name.size() <= 15);
    (void)decode_link_msg(exact);
  }
}

// ---------------------------------------------------------------------------
// /proc/net/softnet_stat

TEST_CASE("parse_softnet_stat: time_squeeze by CPU number, offline CPUs 0", "[devices][softnet]") {
  // Linux 6.x: 15 columns, the 13th the CPU; CPU 1 offline, so no line
  const std::string text =
      "0001e240 00000000 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
      "00000000 00000000 00000000 00000000\n"
      "00002710 00000001 0000001a 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
      "00000000 00000002 00000000 00000000\n";
  size_t bad = 9;
  auto v = parse_softnet_stat(text, &bad);
  CHECK(bad == 0);
  CHECK(v == std::vector<uint64_t>{3, 0, 26});
}

TEST_CASE("parse_softnet_stat: without a CPU column, the line's position", "[devices][softnet]") {
  // Linux 4.x/5.4: 11 columns; no newline after the last line
  const std::string text =
      "00000010 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
      "00000020 00000000 000000ff 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000";
  auto v = parse_softnet_stat(text);
  CHECK(v == std::vector<uint64_t>{1, 255});
}

TEST_CASE("parse_softnet_stat: malformed lines are skipped and counted", "[devices][softnet][fuzz]") {
  struct Case {
    const char* why;
    std::string text;
    std::vector<uint64_t> want;
    size_t bad;
  };
  const std::string ok0 = "1 2 3 0 0 0 0 0 0 0 0 0 0\n";  // CPU 0, time_squeeze 3
  auto many_columns = [](int n) {
    std::string line;
    for (int i = 0; i < n; ++i) line += i ? " 1" : "1";
    return line + "\n";
  };
  std::vector<Case> cases{
      {"empty", "", {}, 0},
      {"blank lines are no CPU", "\n\n  \n", {}, 0},
      {"two columns", "1 2\n", {}, 1},
      {"not hex", "1 2 zz\n", {}, 1},
      {"a sign", "1 2 -3\n", {}, 1},
      {"a 0x prefix", "1 2 0x3\n", {}, 1},
      {"17 hex digits", "1 2 10000000000000000\n", {}, 1},
      {"too many columns", many_columns(33), {}, 1},
      {"32 columns are fine: the 13th says CPU 1", many_columns(32), {0, 1}, 0},
      {"a CPU beyond 8191", "1 2 3 0 0 0 0 0 0 0 0 0 2000\n", {}, 1},
      {"a CPU twice", ok0 + ok0, {3}, 1},
      {"garbage between good lines keeps the positions", "1 2 5\nxx\n1 2 7\n", {5, 0, 7}, 1},
      {"tabs and upper case", "1\t2\tA\n", {10}, 0},
      {"a NUL byte", std::string("1 2 3\0 4\n", 9), {}, 1},
  };
  for (const auto& c : cases) {
    INFO(c.why);
    size_t bad = 99;
    CHECK(parse_softnet_stat(c.text, &bad) == c.want);
    CHECK(bad == c.bad);
  }
}

TEST_CASE("read_softnet: this machine's file has a line per online CPU", "[devices][softnet]") {
  std::vector<uint64_t> v;
  std::string err;
  REQUIRE(read_softnet(v, err));
  CHECK(err.empty());
  CHECK(v.size() >= 1);
  CHECK(v.size() <= size_t(sysconf(_SC_NPROCESSORS_CONF)));
}

// ---------------------------------------------------------------------------
// Merging with the hooks

TEST_CASE("merge_devices: rx/tx from the kernel, NAPI and queueing from the hooks", "[devices]") {
  const DevKey lo{4026531840, 1}, veth{4026532500, 7}, backlog{4026531840, 0};
  std::map<DevKey, LinkCounters> kernel;
  LinkCounters l;
  l.ifindex = 7;
  l.name = "veth0";
  l.has_stats = true;
  l.rx_packets = 10, l.rx_bytes = 1000, l.tx_packets = 20, l.tx_bytes = 2000, l.tx_errors = 1, l.tx_dropped = 2;
  kernel[veth] = l;
  kernel[lo] = LinkCounters{1, "lo", true, 5, 500, 0, 5, 500, 0, 0};
  std::map<DevKey, ss_dev_stats> hooks;
  // the hooks' own rx/tx counts are not taken: the kernel's are the truth
  hooks[veth] = ss_dev_stats{9, 900, 3, 9, 1, 21, 19, 1900, 0};
  hooks[backlog] = ss_dev_stats{0, 0, 4, 8, 0, 0, 0, 0, 0};
  std::map<DevKey, ss_dev_name> names;
  ss_dev_name old{};
  std::memcpy(old.name, "old-name", 9);
  names[veth] = old;

  auto m = merge_devices(kernel, hooks, names);
  REQUIRE(m.size() == 3);
  const DevRecord& v = m.at(veth);
  CHECK(std::string(v.name.name) == "veth0");  // the kernel's name wins
  CHECK(v.c.rx_packets == 10);
  CHECK(v.c.rx_bytes == 1000);
  CHECK(v.c.tx_packets == 20);
  CHECK(v.c.tx_bytes == 2000);
  CHECK(v.c.tx_errors == 3);  // tx_errors + tx_dropped: what the driver refused
  CHECK(v.c.napi_polls == 3);
  CHECK(v.c.napi_work == 9);
  CHECK(v.c.napi_budget_exhausted == 1);
  CHECK(v.c.tx_queued == 21);
  const DevRecord& b = m.at(backlog);  // only the hooks know it
  CHECK_FALSE(b.has_name);
  CHECK(b.c.rx_packets == 0);
  CHECK(b.c.napi_polls == 4);
  const DevRecord& o = m.at(lo);  // only the kernel: the default tier
  CHECK(o.has_name);
  CHECK(o.c.rx_packets == 5);
  CHECK(o.c.napi_polls == 0);

  // a device the kernel no longer lists keeps the hooks' name
  kernel.erase(veth);
  m = merge_devices(kernel, hooks, names);
  CHECK(std::string(m.at(veth).name.name) == "old-name");
  CHECK(m.at(veth).c.rx_packets == 0);
}

TEST_CASE("dump_links: this namespace's loopback, as sysfs counts it", "[devices]") {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  REQUIRE(fd >= 0);
  auto sysfs = [](const char* what) {
    std::ifstream f(std::string("/sys/class/net/lo/statistics/") + what);
    uint64_t v = 0;
    f >> v;
    return v;
  };
  uint64_t before = sysfs("rx_packets");
  std::vector<LinkCounters> out;
  std::string err;
  bool ok = dump_links(fd, out, err);
  uint64_t after = sysfs("rx_packets");
  close(fd);
  INFO(err);
  REQUIRE(ok);
  const LinkCounters* lo = nullptr;
  for (const auto& l : out)
    if (l.name == "lo") lo = &l;
  REQUIRE(lo);
  CHECK(lo->ifindex == 1);
  CHECK(lo->has_stats);
  // other processes may use loopback meanwhile
  CHECK(lo->rx_packets >= before);
  CHECK(lo->rx_packets <= after);
}

// ---------------------------------------------------------------------------
// The softnet record, the model and the output

namespace {

DecodeStatus decode_softnet(const Bytes& b, Event& e) {
  DecodeStats st;
  return sockscope::decode(RawKind::Softnet, b, e, more_steps(), st);
}

}  // namespace

TEST_CASE("a softnet record decodes to its per-CPU counts", "[devices][decoder]") {
  Bytes b;
  std::vector<uint64_t> v{3, 0, 26};
  encode_softnet(b, 77, v);
  CHECK(raw_ts(uint16_t(RawKind::Softnet), b) == 77);
  Event e;
  REQUIRE(decode_softnet(b, e) == DecodeStatus::Ok);
  REQUIRE(std::holds_alternative<SoftnetUpdate>(e));
  CHECK(std::get<SoftnetUpdate>(e).ts_ns == 77);
  CHECK(std::get<SoftnetUpdate>(e).time_squeeze == v);
}

TEST_CASE("softnet records that do not add up are malformed", "[devices][decoder][fuzz]") {
  Bytes good;
  encode_softnet(good, 5, std::vector<uint64_t>{1, 2});
  Event e;
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    CHECK(decode_softnet(Bytes(good.begin(), good.begin() + long(n)), e) == DecodeStatus::Malformed);
  }
  Bytes longer = good;
  longer.resize(good.size() + 8);
  CHECK(decode_softnet(longer, e) == DecodeStatus::Malformed);
  for (uint32_t ncpu : {0u, 1u, 3u, kMaxRawCpus + 1, 0xffffffffu}) {
    CAPTURE(ncpu);
    Bytes b = good;
    std::memcpy(b.data() + offsetof(RawSoftnet, ncpu), &ncpu, sizeof(ncpu));
    CHECK(decode_softnet(b, e) == DecodeStatus::Malformed);
  }
  Bytes none;
  encode_softnet(none, 5, std::vector<uint64_t>{});
  CHECK(decode_softnet(none, e) == DecodeStatus::Malformed);  // never written: a CPU at least
}

TEST_CASE("SocketTable keeps the softnet counts on its NicTable, nic shows them", "[devices][nic]") {
  SocketTable table;
  CHECK(table.apply(SoftnetUpdate{10, {3, 0, 26}}) == nullptr);
  CHECK(table.size() == 0);
  const Softnet& s = table.nics().softnet();
  CHECK(s.total == 29);
  CHECK(s.last_update_ns == 10);
  table.apply(SoftnetUpdate{20, {4, 0, 26}});  // absolute: replaces
  CHECK(table.nics().softnet().total == 30);

  json j = nic_report_json(table.nics(), test_reason_names());
  CHECK(j.at("devices").is_array());
  CHECK(j.at("softnet").at("time_squeeze") == 30);
  CHECK(j.at("softnet").at("time_squeeze_per_cpu") == json::array({4, 0, 26}));

  std::string text = softnet_text(table.nics().softnet());
  CHECK(text.find("time_squeeze 30") != std::string::npos);
  CHECK(text.find("cpu0=4,cpu2=26") != std::string::npos);
  CHECK(text.find("cpu1") == std::string::npos);  // CPUs that never ran out are left out
  CHECK(softnet_text(Softnet{}).empty());          // never read: no line
  CHECK(softnet_text(Softnet{{0, 0}, 0, 1}).find("time_squeeze 0 (") != std::string::npos);
}
