// The socket table's node allocator (util/slab_alloc.h): blocks from 2 MiB
// slabs, and memory given back to the kernel when a burst is over.
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include <catch2/catch.hpp>

#include "model/socket_table.h"
#include "util/heap_trim.h"
#include "util/slab_alloc.h"

using namespace sockscope;

TEST_CASE("slabs: a table that grew to 100,000 sockets and emptied gives its memory back", "[slab]") {
  if (!SOCKSCOPE_SLABS) return;  // sanitizer builds take blocks from operator new
  const size_t before = slab::mapped_bytes();
  {
    SocketTable::Map m;
    for (uint64_t k = 1; k <= 100'000; ++k) m[k].key = k;
    const size_t full = slab::mapped_bytes();
    // each socket needs most of a KiB: 100,000 of them, tens of slabs
    CHECK(full >= before + 100'000 * sizeof(Socket));
    // half of them go, every other one: no slab is empty, none goes back
    for (uint64_t k = 1; k <= 100'000; k += 2) m.erase(k);
    CHECK(slab::mapped_bytes() == full);
    // they come back in the holes, with no new slab
    for (uint64_t k = 1; k <= 100'000; k += 2) m[k].key = k;
    CHECK(slab::mapped_bytes() == full);
  }
  // all gone: one spare slab stays
  CHECK(slab::mapped_bytes() <= before + (2u << 20));
}

TEST_CASE("slabs: blocks of different sizes are kept apart and each is whole", "[slab]") {
  std::vector<std::pair<void*, size_t>> blocks;
  for (size_t i = 0; i < 20'000; ++i) {
    const size_t n = 1 + (i * 37) % slab::kMaxBlock;
    auto* p = static_cast<unsigned char*>(slab::take(n));
    REQUIRE(reinterpret_cast<uintptr_t>(p) % slab::kGrain == 0);
    for (size_t j = 0; j < n; ++j) p[j] = static_cast<unsigned char>(i);
    blocks.emplace_back(p, n);
  }
  // no block overlaps another: each still holds its own pattern
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto* p = static_cast<unsigned char*>(blocks[i].first);
    bool whole = true;
    for (size_t j = 0; j < blocks[i].second; ++j) whole = whole && p[j] == static_cast<unsigned char>(i);
    CHECK(whole);
  }
  for (auto& [p, n] : blocks) slab::give(p, n);
}

TEST_CASE("heap trim: only after the table fell under half its peak, by at least 10,000", "[slab]") {
  HeapTrim t;
  t.note(100'000);
  t.note(60'000);  // down, but over half
  CHECK(t.trims() == 0);
  t.note(40'000);  // under half of 100,000
  CHECK(t.trims() == 1);
  t.note(25'000);  // the peak is 40,000 since that trim: over half
  CHECK(t.trims() == 1);
  t.note(15'000);
  CHECK(t.trims() == 2);
  t.note(10'000);  // over half of 15,000
  t.note(1'000);   // 14,000 fewer than 15,000: under half and far enough
  CHECK(t.trims() == 3);
  HeapTrim small;
  small.note(5'000);
  small.note(0);  // a small table emptying is not worth a walk of the heap
  CHECK(small.trims() == 0);
}
