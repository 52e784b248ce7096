// A diagnosis: what looks wrong with one socket (or process, or device),
// why sockscope thinks so, and what to do about it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sockscope {

// The fixed names users script against (docs/diagnose/<name>.md each).
enum class FindingKind {
  AppNotReading, PeerNotReading, SendBlocked, CloseWaitLeak, FinWait2Stuck, SynUnanswered, ConnectionRefused,
  AcceptQueueOverflow, RetransmitStorm, RstStorm, RcvbufLimited, NapiBudgetExhausted, IdleNoKeepalive, FdLeak,
  Count
};
std::string_view finding_kind_name(FindingKind k);  // "app-not-reading"
std::optional<FindingKind> parse_finding_kind(std::string_view name);

enum class Severity { Info = 0, Warning = 1, Critical = 2 };
std::string_view severity_name(Severity s);  // "critical"

// A socket a finding's cause also affects, listed under that finding
// instead of as a finding of its own (diagnosis/causes.cpp).
struct Affected {
  FindingKind symptom = FindingKind::Count;  // what it would have been reported as
  uint64_t cookie = 0;
  uint32_t pid = 0;
  std::string comm;
  std::string local, remote, state;
  uint64_t since_ns = 0;
};

struct Finding {
  FindingKind kind = FindingKind::Count;
  Severity severity = Severity::Info;
  // The socket: cookie 0 when the finding is about a process, a port or a
  // device rather than one socket.
  uint64_t cookie = 0;
  uint32_t pid = 0;  // 0: unknown
  std::string comm;
  int32_t fd = -1;
  std::string local, remote, state;  // as `list` shows them; a device's name in local
  uint64_t since_ns = 0;             // when the condition began (events' clock)
  std::string summary;               // the cause, one sentence
  nlohmann::ordered_json evidence = nlohmann::ordered_json::object();  // numbers with timestamps
  std::string advice;                // what to do
  std::vector<Affected> affected;    // other sockets with the same cause
};

}  // namespace sockscope
