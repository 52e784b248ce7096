#include "diagnosis/finding.h"

#include <array>

namespace sockscope {
namespace {

constexpr std::array<std::string_view, size_t(FindingKind::Count)> kNames = {
    "app-not-reading",     "peer-not-reading",  "send-blocked",     "close-wait-leak",     "fin-wait2-stuck",
    "syn-unanswered",      "connection-refused", "accept-queue-overflow", "retransmit-storm", "rst-storm",
    "rcvbuf-limited",      "napi-budget-exhausted", "idle-no-keepalive", "fd-leak"};

}  // namespace

std::string_view finding_kind_name(FindingKind k) {
  size_t i = size_t(k);
  return i < kNames.size() ? kNames[i] : "?";
}

std::optional<FindingKind> parse_finding_kind(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return FindingKind(i);
  return std::nullopt;
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "?";
}

}  // namespace sockscope
