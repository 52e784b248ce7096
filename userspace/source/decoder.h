// Turns raw ring-buffer records into Events. Trusts no byte: every size,
// type and enum value is checked before use.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "../model/event.h"

struct ss_sock_stats;
struct ss_journey;
struct ss_dev_key;
struct ss_dev_stats;
struct ss_dev_name;
struct ss_dev_drop_key;
struct ss_sock_drop_key;

namespace sockscope {
struct RawSeed;
}

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

// Map values below are already size-checked by the kernel (the map's
// value size); their contents are still checked where a range matters.

// Converts one stats-map entry to an event.
StatsUpdate decode_stats(uint64_t cookie, const ss_sock_stats& v, uint64_t ts_ns);

// One sock_journey entry. A histogram with count 0 has no buckets.
JourneyUpdate decode_journey(uint64_t cookie, const ss_journey& v, uint64_t ts_ns);

// One dev_stats entry: per_cpu holds the value of every possible CPU (a
// per-CPU map's lookup result), summed here. name may be null (not known).
DevStatsUpdate decode_dev_stats(const ss_dev_key& key, std::span<const ss_dev_stats> per_cpu,
                                const ss_dev_name* name, uint64_t ts_ns);

// One dev_drops entry, per_cpu summed.
DevDropsUpdate decode_dev_drops(const ss_dev_drop_key& key, std::span<const uint64_t> per_cpu, uint64_t ts_ns);

// One sock_drops entry.
SockDropsUpdate decode_sock_drops(const ss_sock_drop_key& key, uint64_t count, uint64_t ts_ns);

// A socket that existed at start-up (see raw_record.h): its identity is
// checked like a kernel record's.
DecodeStatus decode_seed(const RawSeed& r, Event& out, DecodeStats& stats);

}  // namespace sockscope
