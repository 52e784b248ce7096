#include "record/tiers.h"

#include <array>
#include <string_view>

namespace sockscope {
namespace {

// Hooks that run for every packet or every send/recv. Anything not listed
// here or under the syscalls is the default tier; the run-count test
// (tests/integration/test_tiers.cpp) fails if a default hook runs per packet.
constexpr std::array<std::string_view, 13> kPerPacket = {
    "skb_copy_datagram_iovec", "netif_rx",           "napi_gro_receive_entry",
    "napi_gro_frags_entry",    "netif_receive_skb_entry", "netif_receive_skb_list_entry",
    "napi_poll",               "net_dev_queue",      "net_dev_xmit",
    "sock_send_length",        "sock_recv_length",   "sk_data_ready",
    "tcp_probe",
};

std::string_view hook_name(std::string_view section) {
  auto slash = section.rfind('/');
  return slash == std::string_view::npos ? section : section.substr(slash + 1);
}

}  // namespace

Tier tier_of(const std::string& section) {
  std::string_view name = hook_name(section);
  if (name == "sys_enter" || name == "sys_exit") return Tier::Syscalls;
  for (auto p : kPerPacket)
    if (name == p) return Tier::Packets;
  return Tier::Default;
}

const char* tier_name(Tier t) {
  switch (t) {
    case Tier::Default: return "default";
    case Tier::Syscalls: return "syscalls";
    case Tier::Packets: return "packets";
  }
  return "?";
}

Coverage coverage_of(const std::vector<ProbeStatus>& probes) {
  if (probes.empty()) return {};
  Coverage c{false, false};
  for (const auto& p : probes) {
    if (!p.attached) continue;
    // by the hook, not the recorded tier name: traces made before the tiers
    // had every hook attached
    Tier t = tier_of(p.target);
    c.syscalls |= t == Tier::Syscalls;
    c.packets |= t == Tier::Packets;
  }
  return c;
}

bool is_cgroup_section(const std::string& section) {
  return section.rfind("cgroup/", 0) == 0;
}

}  // namespace sockscope
