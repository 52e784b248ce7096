// Names of the kernel's drop reasons (enum skb_drop_reason) and reset
// reasons (enum sk_rst_reason). The numbers differ between kernel versions,
// so the names come from the running kernel's BTF (source/kernel/kernel_enums) or
// from the trace file that recorded them, never from a table in the code.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace sockscope {

struct ReasonNames {
  std::unordered_map<uint32_t, std::string> drop;   // without the SKB_DROP_REASON_ prefix
  std::unordered_map<uint32_t, std::string> reset;  // without the SK_RST_REASON_ prefix

  // "NETFILTER_DROP"; an unknown code is "reason_N" (or "subsys_S_N" for a
  // subsystem's own reasons, which live in the top 16 bits).
  std::string drop_name(uint32_t code) const {
    if (auto it = drop.find(code); it != drop.end()) return it->second;
    if (code >> 16) return "subsys_" + std::to_string(code >> 16) + "_" + std::to_string(code & 0xffff);
    return "reason_" + std::to_string(code);
  }
  std::string reset_name(uint32_t code) const {
    if (auto it = reset.find(code); it != reset.end()) return it->second;
    return "reason_" + std::to_string(code);
  }
};

}  // namespace sockscope
