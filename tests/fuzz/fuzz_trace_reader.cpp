// libFuzzer target: any bytes as a trace file, replayed into the model the
// way `sockscope list -r` does. A file that cannot be read must end in a
// UserError (a message for the user); anything else — a crash, a sanitizer
// report, another exception, unbounded memory — is a finding.
//
// Byte-level mutations of a trace mostly break its framing (lengths,
// magic, zstd frames), so the reader stops early and coverage stopped
// growing after about 35,000 runs. LLVMFuzzerCustomMutator below mutates
// the structure instead: it parses a file into its metadata, blocks and
// records, changes one thing at the record level (a record's bytes, its
// kind, a kernel record's type or time, records duplicated, dropped,
// swapped or moved between blocks, the metadata's text), and writes it
// back with consistent lengths, uncompressed. Input that does not parse is
// left to libFuzzer's own mutations.
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bpf/abi/sockscope_abi.h"
#include "model/socket_table.h"
#include "record/raw_record.h"
#include "source/file_source.h"
#include "trace/format.h"
#include "util/user_error.h"

using namespace sockscope;
using namespace sockscope::trace;

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

struct Rec {
  uint16_t kind;
  std::vector<uint8_t> bytes;
};

struct Parsed {
  FileHeader header{};
  std::vector<uint8_t> meta;
  std::vector<std::vector<Rec>> blocks;
};

template <class T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <class T>
void put(std::vector<uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

bool parse(const uint8_t* d, size_t n, Parsed& p) {
  if (n < sizeof(FileHeader)) return false;
  p.header = load<FileHeader>(d);
  if (std::memcmp(p.header.magic, kFileMagic.data(), kFileMagic.size()) != 0) return false;
  if (p.header.meta_len > n - sizeof(FileHeader)) return false;
  size_t off = sizeof(FileHeader);
  p.meta.assign(d + off, d + off + p.header.meta_len);
  off += p.header.meta_len;
  while (off + sizeof(BlockHeader) <= n) {
    const auto b = load<BlockHeader>(d + off);
    if (b.magic != kBlockMagic) return false;
    off += sizeof(BlockHeader);
    if (b.stored_len > n - off) return false;
    std::vector<uint8_t> raw;
    if (b.flags & kBlockZstd) {
      raw.resize(std::min(b.raw_len, kMaxBlockRaw));
      const size_t got = ZSTD_decompress(raw.data(), raw.size(), d + off, b.stored_len);
      if (ZSTD_isError(got)) return false;
      raw.resize(got);
    } else {
      raw.assign(d + off, d + off + b.stored_len);
    }
    off += b.stored_len;
    std::vector<Rec> recs;
    for (size_t q = 0; q + sizeof(RecordHeader) <= raw.size();) {
      const auto rh = load<RecordHeader>(raw.data() + q);
      q += sizeof(RecordHeader);
      if (rh.len > raw.size() - q) return false;
      recs.push_back({rh.kind, {raw.begin() + long(q), raw.begin() + long(q + rh.len)}});
      q += rh.len;
    }
    p.blocks.push_back(std::move(recs));
  }
  return true;
}

// The file, uncompressed, every length and checksum consistent.
std::vector<uint8_t> serialize(const Parsed& p) {
  std::vector<uint8_t> out;
  FileHeader h = p.header;
  h.meta_len = uint32_t(p.meta.size());
  h.meta_crc = crc32_of(p.meta.data(), p.meta.size());
  h.header_crc = crc32_of(&h, offsetof(FileHeader, header_crc));
  put(out, h);
  out.insert(out.end(), p.meta.begin(), p.meta.end());
  uint32_t seq = 0;
  for (const auto& recs : p.blocks) {
    std::vector<uint8_t> payload;
    for (const Rec& r : recs) {
      put(payload, RecordHeader{r.kind, 0, uint32_t(r.bytes.size())});
      payload.insert(payload.end(), r.bytes.begin(), r.bytes.end());
    }
    BlockHeader b{kBlockMagic, 0, 0, uint32_t(payload.size()), uint32_t(payload.size()), uint32_t(recs.size()),
                  crc32_of(payload.data(), payload.size()), seq++, 0};
    b.header_crc = crc32_of(&b, offsetof(BlockHeader, header_crc));
    put(out, b);
    out.insert(out.end(), payload.begin(), payload.end());
  }
  return out;
}

Rec* pick(Parsed& p, std::mt19937& rng, size_t* block = nullptr, size_t* index = nullptr) {
  std::vector<std::pair<size_t, size_t>> all;
  for (size_t b = 0; b < p.blocks.size(); ++b)
    for (size_t i = 0; i < p.blocks[b].size(); ++i) all.push_back({b, i});
  if (all.empty()) return nullptr;
  auto [b, i] = all[rng() % all.size()];
  if (block) *block = b;
  if (index) *index = i;
  return &p.blocks[b][i];
}

// One change at the record level; false when there was nothing to change.
bool mutate(Parsed& p, std::mt19937& rng, size_t max_size) {
  size_t b = 0, i = 0;
  Rec* r = pick(p, rng, &b, &i);
  switch (rng() % 9) {
    case 0: {  // a record's bytes, any way libFuzzer mutates bytes
      if (!r) return false;
      std::vector<uint8_t>& v = r->bytes;
      const size_t len = v.size();
      v.resize(std::max(len, std::min<size_t>(len * 2 + 32, max_size / 4 + 1)));
      v.resize(LLVMFuzzerMutate(v.data(), len, v.size()));
      return true;
    }
    case 1: {  // a kernel record of another type, its size field true to its length
      if (!r || r->kind != uint16_t(RawKind::Kernel) || r->bytes.size() < sizeof(ss_hdr)) return false;
      auto h = load<ss_hdr>(r->bytes.data());
      h.type = uint16_t(rng() % 3 == 0 ? SS_EV_SOCK_BRIEF : 1 + rng() % (SS_EV_TYPE_MAX + 1));
      h.size = uint16_t(r->bytes.size());
      std::memcpy(r->bytes.data(), &h, sizeof(h));
      return true;
    }
    case 2:  // a record of another kind
      if (!r) return false;
      r->kind = uint16_t(rng() % (kRawKindMax + 2));
      return true;
    case 3: {  // a kernel record's time: before, at or far after its neighbours
      if (!r || r->kind != uint16_t(RawKind::Kernel) || r->bytes.size() < sizeof(ss_hdr)) return false;
      auto h = load<ss_hdr>(r->bytes.data());
      const uint64_t choices[] = {0, 1, h.ts_ns - 1, h.ts_ns + 1'000'000'000, ~0ull, h.ts_ns / 2};
      h.ts_ns = choices[rng() % std::size(choices)];
      std::memcpy(r->bytes.data(), &h, sizeof(h));
      return true;
    }
    case 4:  // a record twice
      if (!r) return false;
      p.blocks[b].insert(p.blocks[b].begin() + long(i), *r);
      return true;
    case 5:  // a record gone
      if (!r) return false;
      p.blocks[b].erase(p.blocks[b].begin() + long(i));
      return true;
    case 6: {  // two records swapped, in one block or across two
      size_t b2 = 0, i2 = 0;
      Rec* r2 = pick(p, rng, &b2, &i2);
      if (!r || !r2 || r == r2) return false;
      std::swap(*r, *r2);
      return true;
    }
    case 7: {  // a block split in two, or the file cut after a block
      if (p.blocks.empty()) return false;
      auto& recs = p.blocks[b];
      if (recs.size() > 1) {
        std::vector<Rec> tail(recs.begin() + long(recs.size() / 2), recs.end());
        recs.resize(recs.size() / 2);
        p.blocks.insert(p.blocks.begin() + long(b) + 1, std::move(tail));
      } else {
        p.blocks.resize(b + 1);
      }
      return true;
    }
    default: {  // the metadata's text
      std::vector<uint8_t>& m = p.meta;
      const size_t len = m.size();
      m.resize(len * 2 + 64);
      m.resize(LLVMFuzzerMutate(m.data(), len, m.size()));
      return true;
    }
  }
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::mt19937 rng(seed);
  Parsed p;
  // a third of the time, and always for what is not a trace: libFuzzer's own
  if (rng() % 3 == 0 || !parse(data, size, p)) return LLVMFuzzerMutate(data, size, max_size);
  for (int tries = 0; tries < 4; ++tries)
    if (mutate(p, rng, max_size)) break;
  const std::vector<uint8_t> out = serialize(p);
  if (out.size() > max_size) return LLVMFuzzerMutate(data, size, max_size);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // a real file descriptor: the reader's buffering and short reads are
  // part of what is tested
  int fd = memfd_create("trace", MFD_CLOEXEC);
  if (fd < 0) return 0;
  for (size_t off = 0; off < size;) {
    ssize_t w = write(fd, data + off, size - off);
    if (w <= 0) {
      close(fd);
      return 0;
    }
    off += size_t(w);
  }
  lseek(fd, 0, SEEK_SET);
  try {
    FileSource src("/proc/self/fd/" + std::to_string(fd));
    src.on_warning([](const std::string&) {});
    SocketTable table;
    while (src.poll(0, [&](const Event& e) { table.apply(e); })) {
    }
    table.expire(src.now_ns());
  } catch (const UserError&) {
  }
  close(fd);
  return 0;
}
