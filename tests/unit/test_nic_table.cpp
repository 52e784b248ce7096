// NicTable and the `nic` output: per-device counters from the kernel's
// per-device maps, keyed by network namespace and ifindex.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "model/nic_table.h"
#include "model/socket_table.h"
#include "output/nic_format.h"
#include "util/bounded.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;
using nlohmann::json;

namespace {

constexpr uint32_t kHostNs = 4026531840, kTestNs = 4026532500;

DevStatsUpdate dev_stats(uint32_t netns, uint32_t ifindex, std::string_view name, uint64_t rx_packets,
                         uint64_t ts = 1) {
  DevStatsUpdate u;
  u.ts_ns = ts;
  u.dev = {netns, ifindex};
  u.name = comm(name);
  u.c.rx_packets = rx_packets;
  return u;
}

DevDropsUpdate dev_drops(uint32_t netns, uint32_t ifindex, uint32_t reason, uint64_t count, uint64_t ts = 1) {
  return {ts, {netns, ifindex}, reason, count};
}

}  // namespace

TEST_CASE("NicTable: counters are absolute, the latest replaces them", "[nic]") {
  NicTable t;
  DevStatsUpdate u = dev_stats(kTestNs, 7, "veth0", 10);
  u.c = {.rx_packets = 10, .rx_bytes = 1500, .napi_polls = 4, .napi_work = 10, .napi_budget_exhausted = 1,
         .tx_queued = 3, .tx_packets = 3, .tx_bytes = 300, .tx_errors = 0};
  t.apply(u);
  u.c.rx_packets = 25;
  u.c.napi_polls = 9;
  t.apply(u);
  const Nic* n = t.find({kTestNs, 7});
  REQUIRE(n != nullptr);
  CHECK(n->name == "veth0");
  CHECK(n->c.rx_packets == 25);
  CHECK(n->c.napi_polls == 9);
  CHECK(n->c.rx_bytes == 1500);
  CHECK(t.size() == 1);
}

TEST_CASE("NicTable: the same ifindex in two namespaces is two devices", "[nic]") {
  NicTable t;
  t.apply(dev_stats(kHostNs, 2, "eth0", 100));
  t.apply(dev_stats(kTestNs, 2, "veth1", 5));
  REQUIRE(t.size() == 2);
  CHECK(t.find({kHostNs, 2})->name == "eth0");
  CHECK(t.find({kTestNs, 2})->name == "veth1");
  CHECK(t.find({kTestNs, 2})->c.rx_packets == 5);
  CHECK(t.find({kTestNs, 3}) == nullptr);
}

TEST_CASE("NicTable: a name is kept when a later update has none", "[nic]") {
  NicTable t;
  t.apply(dev_stats(kTestNs, 7, "veth0", 1));
  t.apply(dev_stats(kTestNs, 7, "", 2));
  CHECK(t.find({kTestNs, 7})->name == "veth0");
  CHECK(t.find({kTestNs, 7})->c.rx_packets == 2);
  t.apply(dev_stats(kTestNs, 7, "renamed0", 3));  // ip link set name: the new one wins
  CHECK(t.find({kTestNs, 7})->name == "renamed0");
}

TEST_CASE("NicTable: drops per reason, their sum, and devices known only by drops", "[nic]") {
  NicTable t;
  t.apply(dev_drops(kTestNs, 7, 34, 5));
  t.apply(dev_drops(kTestNs, 7, 3, 2));
  t.apply(dev_drops(kTestNs, 7, 34, 8));  // absolute: replaces 5
  const Nic* n = t.find({kTestNs, 7});
  REQUIRE(n != nullptr);
  CHECK(n->name.empty());
  CHECK(n->drops_by_reason == std::map<uint32_t, uint64_t>{{3, 2}, {34, 8}});
  CHECK(n->drops == 10);
  t.apply(dev_stats(kTestNs, 7, "veth0", 1));  // counters arrive later: drops stay
  CHECK(t.find({kTestNs, 7})->drops == 10);
  CHECK(t.find({kTestNs, 7})->name == "veth0");
}

TEST_CASE("NicTable: sorted by netns, then ifindex", "[nic]") {
  NicTable t;
  t.apply(dev_stats(kTestNs, 3, "c", 1));
  t.apply(dev_stats(kHostNs, 9, "b", 1));
  t.apply(dev_stats(kTestNs, 1, "d", 1));
  t.apply(dev_stats(kHostNs, 1, "a", 1));
  std::vector<std::string> names;
  for (const Nic* n : t.sorted()) names.push_back(n->name);
  CHECK(names == std::vector<std::string>{"a", "b", "d", "c"});
}

TEST_CASE("SocketTable hands device updates to its NicTable", "[nic][table]") {
  SocketTable table;
  CHECK(table.apply(dev_stats(kTestNs, 7, "veth0", 42)) == nullptr);
  CHECK(table.apply(dev_drops(kTestNs, 0, 3, 6)) == nullptr);
  CHECK(table.size() == 0);  // devices are not sockets
  REQUIRE(table.nics().size() == 2);
  CHECK(table.nics().find({kTestNs, 7})->c.rx_packets == 42);
  CHECK(table.nics().find({kTestNs, 0})->drops == 6);
}

// ---------------------------------------------------------------------------
// nic output

TEST_CASE("nic_json: every key, reason names, (no device) for ifindex 0", "[nic][json]") {
  ReasonNames names = test_reason_names();
  NicTable t;
  DevStatsUpdate u = dev_stats(kTestNs, 7, "veth0", 0);
  u.c = {.rx_packets = 11, .rx_bytes = 2222, .napi_polls = 3, .napi_work = 11, .napi_budget_exhausted = 1,
         .tx_queued = 6, .tx_packets = 5, .tx_bytes = 555, .tx_errors = 1};
  t.apply(u);
  t.apply(dev_drops(kTestNs, 7, 34, 4));
  t.apply(dev_drops(kTestNs, 7, 999, 1));  // a code this kernel's names lack
  t.apply(dev_drops(kTestNs, 0, 3, 9));

  json arr = nics_json(t.sorted(), names);
  REQUIRE(arr.is_array());
  REQUIRE(arr.size() == 2);
  const json& none = arr[0];
  CHECK(none.at("dev") == "(no device)");
  CHECK(none.at("ifindex") == 0);
  CHECK(none.at("drops") == 9);
  CHECK(none.at("socket_drops") == 0);
  CHECK(none.at("drops_by_reason") == json{{"NO_SOCKET", 9}});

  const json& j = arr[1];
  CHECK(j.at("dev") == "veth0");
  CHECK(j.at("netns") == kTestNs);
  CHECK(j.at("ifindex") == 7);
  CHECK(j.at("rx_packets") == 11);
  CHECK(j.at("rx_bytes") == 2222);
  CHECK(j.at("napi_polls") == 3);
  CHECK(j.at("napi_work") == 11);
  CHECK(j.at("budget_exhausted") == 1);
  CHECK(j.at("drops") == 5);
  CHECK(j.at("drops_by_reason") == json{{"NETFILTER_DROP", 4}, {"reason_999", 1}});
  CHECK(j.at("tx_packets") == 5);
  CHECK(j.at("tx_bytes") == 555);
  CHECK(j.at("tx_queued") == 6);
  CHECK(j.at("tx_errors") == 1);

  SECTION("without the packets tier, NAPI and queued transmits are not measured: null and '-', never 0") {
    json d = nics_json(t.sorted(), names, /*napi=*/false).at(1);
    CHECK(d.at("napi_polls").is_null());
    CHECK(d.at("napi_work").is_null());
    CHECK(d.at("budget_exhausted").is_null());
    CHECK(d.at("tx_queued").is_null());
    CHECK(d.at("rx_packets") == 11);  // the kernel's own device counters
    CHECK(d.at("tx_packets") == 5);
    std::string text = nic_table_text(t.sorted(), names, /*napi=*/false);
    std::string row = text.substr(text.find("veth0"));
    row = row.substr(0, row.find('\n'));
    CHECK(row.find(" - ") != std::string::npos);
    CHECK(row.find("2222") != std::string::npos);
  }
}

TEST_CASE("nic_name: a device whose name was never read shows its ifindex", "[nic]") {
  NicTable t;
  t.apply(dev_drops(kTestNs, 12, 3, 1));
  CHECK(nic_name(*t.find({kTestNs, 12})) == "if12");
  CHECK(device_name(12, "") == "if12");
  CHECK(device_name(12, "eth0") == "eth0");
  CHECK(device_name(0, "") == "(no device)");
}

TEST_CASE("socket-level drop reasons: the socket's buffer, filter, TCP's refusals, protocol memory", "[nic]") {
  for (const char* r : {"SOCKET_RCVBUFF", "SOCKET_FILTER", "SOCKET_BACKLOG", "TCP_ZEROWINDOW", "TCP_OLD_DATA",
                        "PROTO_MEM"})
    CHECK(socket_level_drop(r));
  for (const char* r : {"NO_SOCKET", "NETFILTER_DROP", "TCP_CSUM", "QDISC_DROP", "NOT_SPECIFIED", "reason_999"})
    CHECK_FALSE(socket_level_drop(r));
}

TEST_CASE("nic_json: socket-level drops apart, the two adding up to drops_by_reason", "[nic][json]") {
  ReasonNames names = test_reason_names();
  NicTable t;
  t.apply(dev_stats(kHostNs, 1, "lo", 123));
  t.apply(dev_drops(kHostNs, 1, 13, 70));  // SOCKET_RCVBUFF
  t.apply(dev_drops(kHostNs, 1, 3, 5));    // NO_SOCKET
  json j = nics_json(t.sorted(), names).at(0);
  CHECK(j.at("drops") == 5);
  CHECK(j.at("socket_drops") == 70);
  CHECK(j.at("drops_by_reason") == json{{"NO_SOCKET", 5}, {"SOCKET_RCVBUFF", 70}});
}

TEST_CASE("nic table text: header, one row per device, the largest drop reasons", "[nic][table]") {
  ReasonNames names = test_reason_names();
  NicTable t;
  t.apply(dev_stats(kHostNs, 1, "lo", 123));
  t.apply(dev_stats(kTestNs, 7, "veth0", 45678));
  t.apply(dev_drops(kTestNs, 7, 34, 50));
  t.apply(dev_drops(kTestNs, 7, 13, 70));
  auto out = lines(nic_table_text(t.sorted(), names));
  REQUIRE(out.size() == 3);
  for (const char* col : {"Dev", "RxPkts", "RxBytes", "Polls", "Exhaust", "Drops", "SockDrops", "TxPkts", "TxBytes"})
    CHECK(out[0].find(col) != std::string::npos);
  CHECK(out[1].rfind("lo ", 0) == 0);
  CHECK(out[1].find(" 123 ") != std::string::npos);
  CHECK(out[1].find(" -") != std::string::npos);  // no drops
  CHECK(out[2].rfind("veth0 ", 0) == 0);
  CHECK(out[2].find("45K") != std::string::npos);
  // Issue 16: a full socket buffer is not the device's drop: the device
  // path's 50 under Drops, the socket's 70 apart, and named so
  CHECK(out[2].find(" 120 ") == std::string::npos);
  CHECK(out[2].find(" 50        70 ") != std::string::npos);
  CHECK(out[2].find("NETFILTER_DROP=50 at sockets: SOCKET_RCVBUFF=70") != std::string::npos);

  CHECK(lines(nic_table_text({}, names)).size() == 1);
}

TEST_CASE("NicTable: bounded on every insert, devices first seen go first, reasons past the bound refused",
          "[nic][bounds]") {
  NicTable t;
  const uint32_t n = NicTable::kMaxDevices + 1000;
  for (uint32_t i = 1; i <= n; ++i) t.apply(dev_stats(kTestNs, i, "", i, i));
  CHECK(t.size() == NicTable::kMaxDevices);
  CHECK(t.evicted() == 1000);
  CHECK(t.find({kTestNs, 1}) == nullptr);  // the first seen went
  CHECK(t.find({kTestNs, 1000}) == nullptr);
  CHECK(t.find({kTestNs, 1001}) != nullptr);
  CHECK(t.find({kTestNs, n}) != nullptr);

  for (uint32_t r = 0; r < kMaxReasonsPerKey + 88; ++r) t.apply(dev_drops(kTestNs, n, r, 1));
  CHECK(t.find({kTestNs, n})->drops_by_reason.size() == kMaxReasonsPerKey);
  CHECK(t.find({kTestNs, n})->drops == kMaxReasonsPerKey);
  CHECK(t.reasons_refused() == 88);
  t.apply(dev_drops(kTestNs, n, 3, 5));  // a reason it has is still updated
  CHECK(t.find({kTestNs, n})->drops_by_reason.at(3) == 5);
  CHECK(t.reasons_refused() == 88);
}
