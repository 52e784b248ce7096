#include "output/nic_format.h"

#include <algorithm>

#include <fmt/format.h>

namespace sockscope {
namespace {

// Counts with K, M, G as powers of 1000 from 10000 up, like list.
std::string count(uint64_t n) {
  if (n < 10'000) return std::to_string(n);
  if (n < 10'000'000) return fmt::format("{}K", n / 1000);
  if (n < 10'000'000'000) return fmt::format("{}M", n / 1'000'000);
  return fmt::format("{}G", n / 1'000'000'000);
}

// The largest reasons of one level (socket-level or not) first, at most
// three: enough to tell what drops.
std::string top_reasons(const Nic& n, const ReasonNames& names, bool socket_level) {
  std::vector<std::pair<uint64_t, uint32_t>> v;
  for (const auto& [reason, c] : n.drops_by_reason)
    if (c && socket_level_drop(names.drop_name(reason)) == socket_level) v.push_back({c, reason});
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string out;
  for (size_t i = 0; i < v.size() && i < 3; ++i)
    out += fmt::format("{}{}={}", i ? "," : "", names.drop_name(v[i].second), v[i].first);
  if (v.size() > 3) out += ",...";
  return out;
}

// The device path's reasons, then the sockets' apart: a full socket buffer
// is not the device's doing.
std::string drop_reasons_text(const Nic& n, const ReasonNames& names) {
  std::string dev = top_reasons(n, names, false), sock = top_reasons(n, names, true);
  if (sock.empty()) return dev.empty() ? "-" : dev;
  return fmt::format("{}{}at sockets: {}", dev, dev.empty() ? "" : " ", sock);
}

}  // namespace

std::string nic_table_text(const std::vector<const Nic*>& nics, const ReasonNames& names, bool napi) {
  constexpr auto kRow = "{:<16} {:>10} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9} {:>8} {:>8} {:>6} {}\n";
  std::string out = fmt::format(kRow, "Dev", "Netns", "Ifindex", "RxPkts", "RxBytes", "Polls", "Work", "Exhaust",
                                "Drops", "SockDrops", "TxPkts", "TxBytes", "TxErr", "Drop reasons");
  // NAPI needs the packets tier's napi_poll: without it, '-', not 0
  auto napi_count = [&](uint64_t v) { return napi ? count(v) : std::string("-"); };
  for (const Nic* n : nics) {
    const DevCounters& c = n->c;
    uint64_t at_sockets = socket_level_drops(*n, names);
    out += fmt::format(kRow, nic_name(*n), n->key.netns, n->key.ifindex, count(c.rx_packets), count(c.rx_bytes),
                       napi_count(c.napi_polls), napi_count(c.napi_work), napi_count(c.napi_budget_exhausted),
                       count(n->drops - at_sockets), count(at_sockets), count(c.tx_packets), count(c.tx_bytes),
                       count(c.tx_errors), drop_reasons_text(*n, names));
  }
  return out;
}

nlohmann::json nic_json(const Nic& n, const ReasonNames& names, bool napi) {
  const DevCounters& c = n.c;
  nlohmann::json j;
  j["dev"] = nic_name(n);
  j["netns"] = n.key.netns;
  j["ifindex"] = n.key.ifindex;
  j["rx_packets"] = c.rx_packets;
  j["rx_bytes"] = c.rx_bytes;
  // the packets tier's (napi_poll, net_dev_queue): null without it
  auto napi_value = [&](uint64_t v) { return napi ? nlohmann::json(v) : nlohmann::json(nullptr); };
  j["napi_polls"] = napi_value(c.napi_polls);
  j["napi_work"] = napi_value(c.napi_work);
  j["budget_exhausted"] = napi_value(c.napi_budget_exhausted);
  // as the text: the device path's drops, and apart those a socket refused
  // (drops_by_reason has both; the two add up to its sum)
  uint64_t at_sockets = socket_level_drops(n, names);
  j["drops"] = n.drops - at_sockets;
  j["socket_drops"] = at_sockets;
  auto& by_reason = j["drops_by_reason"] = nlohmann::json::object();
  for (const auto& [code, count] : n.drops_by_reason) {
    auto& slot = by_reason[names.drop_name(code)];  // two codes, one name: add them up
    slot = (slot.is_null() ? 0 : slot.get<uint64_t>()) + count;
  }
  j["tx_packets"] = c.tx_packets;
  j["tx_bytes"] = c.tx_bytes;
  j["tx_queued"] = napi_value(c.tx_queued);
  j["tx_errors"] = c.tx_errors;
  return j;
}

nlohmann::json nics_json(const std::vector<const Nic*>& nics, const ReasonNames& names, bool napi) {
  auto arr = nlohmann::json::array();
  for (const Nic* n : nics) arr.push_back(nic_json(*n, names, napi));
  return arr;
}

std::string softnet_text(const Softnet& s) {
  if (s.time_squeeze.empty()) return "";
  std::string cpus;
  size_t shown = 0, nonzero = 0;
  for (size_t cpu = 0; cpu < s.time_squeeze.size(); ++cpu) {
    if (!s.time_squeeze[cpu]) continue;
    if (++nonzero <= 8) cpus += fmt::format("{}cpu{}={}", shown++ ? "," : "", cpu, count(s.time_squeeze[cpu]));
  }
  if (nonzero > shown) cpus += ",...";
  return fmt::format("Softnet time_squeeze {} (receive softirq out of NAPI budget or time){}\n", count(s.total),
                     cpus.empty() ? "" : ": " + cpus);
}

nlohmann::json softnet_json(const Softnet& s) {
  nlohmann::json j;
  j["time_squeeze"] = s.total;
  j["time_squeeze_per_cpu"] = s.time_squeeze;
  return j;
}

nlohmann::json nic_report_json(const NicTable& t, const ReasonNames& names, bool napi) {
  nlohmann::json j;
  j["devices"] = nics_json(t.sorted(), names, napi);
  j["softnet"] = softnet_json(t.softnet());
  return j;
}

}  // namespace sockscope
