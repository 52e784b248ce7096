// The trace file's container: a header, then checksummed blocks of
// length-prefixed records. docs/trace-format.md describes it byte by byte;
// change both together, and bump kFormatVersion on any change a reader of
// the previous version would misread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sockscope::trace {

inline constexpr uint16_t kFormatVersion = 1;

// PNG-style: a high byte catches 7-bit transfers, CR LF and ^Z catch text
// mode conversions.
inline constexpr std::array<uint8_t, 8> kFileMagic = {0x89, 'S', 'S', 'C', '\r', '\n', 0x1a, '\n'};

// Fixed part of the header; the metadata JSON (meta_len bytes) follows.
struct FileHeader {
  uint8_t magic[8];
  uint16_t format_version;
  uint16_t abi_version;  // SS_ABI_VERSION of the kernel records inside
  uint32_t meta_len;
  uint32_t meta_crc;    // crc32 of the metadata bytes
  uint32_t header_crc;  // crc32 of the 20 bytes before it
};
static_assert(sizeof(FileHeader) == 24);
inline constexpr uint32_t kMaxMetaLen = 1u << 20;

inline constexpr uint32_t kBlockMagic = 0x4b425353;  // "SSBK" little-endian
inline constexpr uint16_t kBlockZstd = 1;             // payload is one zstd frame

struct BlockHeader {
  uint32_t magic;
  uint16_t flags;
  uint16_t reserved;     // 0
  uint32_t stored_len;   // payload bytes in the file
  uint32_t raw_len;      // payload bytes once decompressed (= stored_len if not)
  uint32_t records;      // records in the payload
  uint32_t payload_crc;  // crc32 of the stored payload
  uint32_t seq;          // 0, 1, 2 … within the file
  uint32_t header_crc;   // crc32 of the 28 bytes before it
};
static_assert(sizeof(BlockHeader) == 32);
// A block never holds more than this once decompressed: a reader allocates
// no more, whatever a header claims.
inline constexpr uint32_t kMaxBlockRaw = 4u << 20;

// Each record in a payload.
struct RecordHeader {
  uint16_t kind;  // enum RawKind
  uint16_t reserved;  // 0
  uint32_t len;   // bytes that follow
};
static_assert(sizeof(RecordHeader) == 8);

uint32_t crc32_of(const void* p, size_t n);

// Whether a checksum matches. The fuzz build accepts any, so that mutated
// input reaches the decoder and the model behind the checksums.
inline bool crc_ok(uint32_t stored, const void* p, size_t n) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
  (void)crc32_of(p, n);
  (void)stored;
  return true;
#else
  return stored == crc32_of(p, n);
#endif
}

}  // namespace sockscope::trace
