// What a Source delivers before decoding: the kernel's ring-buffer records
// as they came, and every other input (map entries, sock_diag seeds, loss
// counts) as one fixed little-endian layout each. The live source and a
// trace file both hand these bytes to decode() (record/decode.h), so a replay goes through
// exactly the decoder the live run used, and a trace file stores them as
// they are (docs/trace-format.md).
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "bpf/abi/sockscope_abi.h"
#include "model/event.h"

namespace sockscope {

static_assert(std::endian::native == std::endian::little, "trace records are little-endian");

// Values are stored in trace files: never reuse one.
enum class RawKind : uint16_t {
  Kernel = 1,     // one ring-buffer record, exactly as the kernel wrote it
  SockStats = 2,  // RawSockStats
  SockDrops = 3,  // RawSockDrops
  Journey = 4,    // RawJourney
  DevStats = 5,   // RawDevStats, then ncpu x ss_dev_stats
  DevDrops = 6,   // RawDevDrops, then ncpu x u64
  Seed = 7,       // RawSeed
  Lost = 8,       // RawLost
  End = 9,        // RawEnd: trace files only, the recording's last moment
  PassEnd = 10,   // RawPassEnd: an iterator pass has ended
  Softnet = 11,   // RawSoftnet, then ncpu x u64: /proc/net/softnet_stat's time_squeeze by CPU number
  PassDelta = 12, // RawPassDelta, then ngone x u64 cookies: a pass that delivered changed sockets only
};
inline constexpr uint16_t kRawKindMax = 12;

// A record as delivered: valid only during the sink call that carries it.
struct RawRecord {
  RawKind kind = RawKind::Kernel;
  std::span<const uint8_t> bytes;
};

// Layouts of the non-kernel kinds. ts_ns is CLOCK_MONOTONIC when read.
struct RawSockStats {
  uint64_t ts_ns;
  uint64_t cookie;
  ss_sock_stats v;
};
struct RawSockDrops {
  uint64_t ts_ns;
  ss_sock_drop_key key;
  uint64_t count;
};
struct RawJourney {
  uint64_t ts_ns;
  uint64_t cookie;
  ss_journey v;
};
struct RawDevStats {
  uint64_t ts_ns;
  ss_dev_key key;
  ss_dev_name name;
  uint32_t has_name;  // 0 or 1
  uint32_t ncpu;      // values that follow, one per possible CPU
};
struct RawDevDrops {
  uint64_t ts_ns;
  ss_dev_drop_key key;
  uint32_t ncpu;
  uint32_t pad;
};
struct RawSeed {
  uint64_t ts_ns;
  ss_sock_id sock;
  ss_occupancy occ;
  uint32_t inode, uid, pid;
  int32_t fd;
  char comm[16];
};
struct RawLost {
  uint64_t ts_ns;
  uint32_t kind;  // enum ss_lost_kind
  uint32_t pad;
  uint64_t total;
};
struct RawEnd {
  uint64_t ts_ns;
};
struct RawPassEnd {
  uint64_t ts_ns;  // the pass's end
  uint64_t start_ns;
  uint32_t netns;
  uint32_t count;
  uint8_t what;  // enum PassWhat
  uint8_t pad[7];
};
// A delta pass: the sockets it showed unchanged since the previous pass of
// the same kind and namespace were not delivered again; gone lists those
// that previous pass showed and this one did not.
struct RawPassDelta {
  uint64_t ts_ns;
  uint64_t start_ns;
  uint32_t netns;
  uint32_t count;
  uint32_t ngone;
  uint8_t what;  // enum PassWhat: Tcp or Udp
  uint8_t pad[3];
};
struct RawSoftnet {
  uint64_t ts_ns;
  uint32_t ncpu;  // values that follow, indexed by CPU number
  uint32_t pad;
};

// More CPUs than this in a per-CPU record is taken for corruption.
inline constexpr uint32_t kMaxRawCpus = 8192;

// A raw record's timestamp without decoding it: from the header of a kernel
// record, from the start of every layout of ours. 0 for an unknown kind or
// a record too short to hold one (the decoder says what is wrong with it).
uint64_t raw_ts(uint16_t kind, std::span<const uint8_t> bytes);

// Encoders, appending to out (cleared first).
void encode_sock_stats(std::vector<uint8_t>& out, uint64_t ts_ns, uint64_t cookie, const ss_sock_stats& v);
void encode_sock_drops(std::vector<uint8_t>& out, uint64_t ts_ns, const ss_sock_drop_key& k, uint64_t count);
void encode_journey(std::vector<uint8_t>& out, uint64_t ts_ns, uint64_t cookie, const ss_journey& v);
void encode_dev_stats(std::vector<uint8_t>& out, uint64_t ts_ns, const ss_dev_key& k, const ss_dev_name* name,
                      std::span<const ss_dev_stats> per_cpu);
void encode_dev_drops(std::vector<uint8_t>& out, uint64_t ts_ns, const ss_dev_drop_key& k,
                      std::span<const uint64_t> per_cpu);
void encode_seed(std::vector<uint8_t>& out, const SockSeed& s);
void encode_lost(std::vector<uint8_t>& out, uint64_t ts_ns, LostKind kind, uint64_t total);
void encode_end(std::vector<uint8_t>& out, uint64_t ts_ns);
// RawKind::PassEnd, or RawKind::PassDelta for p.delta: the kind returned
RawKind encode_pass_end(std::vector<uint8_t>& out, const PassEnd& p);
void encode_softnet(std::vector<uint8_t>& out, uint64_t ts_ns, std::span<const uint64_t> time_squeeze);

}  // namespace sockscope
