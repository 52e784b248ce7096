// Turns raw ring-buffer records into Events. Trusts no byte: every size,
// type and enum value is checked before use.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "../model/event.h"

struct ss_sock_stats;

namespace sockscope {

enum class DecodeStatus { Ok, UnknownType, Malformed };

struct DecodeStats {
  uint64_t ok = 0;
  uint64_t unknown_type = 0;  // skipped: from a newer sockscope
  uint64_t malformed = 0;     // rejected
  std::string last_error;
};

// Decodes one record. On Malformed, stats.last_error says why.
DecodeStatus decode_record(std::span<const uint8_t> rec, Event& out, DecodeStats& stats);

// Converts one stats-map entry (already size-checked by the map) to an event.
StatsUpdate decode_stats(uint64_t cookie, const ss_sock_stats& v, uint64_t ts_ns);

}  // namespace sockscope
