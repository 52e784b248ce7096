// The one decoder: every raw record a Source delivers (a ring-buffer record
// as the kernel wrote it, or one of our fixed layouts for map entries,
// seeds and loss counts) becomes an Event here, live and replayed alike.
// Trusts no byte: every size, type and enum value is checked before use.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/event.h"
#include "record/raw_record.h"

namespace sockscope {

enum class DecodeStatus { Ok, UnknownType, Malformed };

struct DecodeStats {
  uint64_t ok = 0;
  uint64_t unknown_type = 0;  // skipped: from a newer sockscope (or End, which carries no event)
  uint64_t malformed = 0;     // rejected
  std::string last_error;
};

// Decodes one record of the given kind into out and counts the outcome in
// stats; on Malformed, stats.last_error says why and out is unspecified.
// One record is one event, except a state run (several state changes of
// one socket written together) and a socket's end (its last run, then its
// final read): the first event goes into out and the others, in order,
// into more, which is empty for every other record.
DecodeStatus decode(RawKind kind, std::span<const uint8_t> bytes, Event& out, std::vector<Event>& more,
                    DecodeStats& stats);

}  // namespace sockscope
