#include "util/slab_alloc.h"

#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <set>
#include <utility>

namespace sockscope::slab {
namespace {

constexpr size_t kHeader = 64;      // a slab's bookkeeping, before its blocks
constexpr size_t kSlab = 2u << 20;  // one transparent huge page
constexpr size_t kClasses = kMaxBlock / kGrain;

struct Free {
  Free* next;
};

// A slab serves one size class. Its bookkeeping is its first kHeader bytes, so
// a block finds its slab by rounding its address down to 2 MiB.
struct Slab {
  Free* free = nullptr;  // blocks given back
  char* next = nullptr;  // the part never handed out
  char* end = nullptr;
  uint32_t used = 0;     // blocks handed out and not given back
  uint32_t bytes = 0;    // block size
  bool listed = false;   // in its class's slabs with room

  bool full() const { return !free && size_t(end - next) < bytes; }
};
static_assert(sizeof(Slab) <= kHeader);

Slab* slab_of(void* p) { return reinterpret_cast<Slab*>(reinterpret_cast<uintptr_t>(p) & ~uintptr_t(kSlab - 1)); }

// A 2 MiB-aligned slab (a huge page can back only an aligned range),
// marked for huge pages; nullptr when the kernel has no memory for it.
Slab* map_slab() {
  void* m = mmap(nullptr, 2 * kSlab, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  auto base = reinterpret_cast<uintptr_t>(m);
  uintptr_t start = (base + kSlab - 1) & ~(kSlab - 1);
  if (start > base) munmap(m, start - base);
  if (uintptr_t tail = base + 2 * kSlab - (start + kSlab)) munmap(reinterpret_cast<void*>(start + kSlab), tail);
  madvise(reinterpret_cast<void*>(start), kSlab, MADV_HUGEPAGE);  // advice only: it may be refused
  return new (reinterpret_cast<void*>(start)) Slab;
}

// A slab (new, or empty) made ready for blocks of `bytes`.
Slab* fresh(Slab* s, size_t bytes) {
  s->free = nullptr;
  s->next = reinterpret_cast<char*>(s) + kHeader;
  s->end = reinterpret_cast<char*>(s) + kSlab;
  s->bytes = static_cast<uint32_t>(bytes);
  return s;
}

struct Pool {
  std::mutex mu;
  // By size class (bytes / kGrain, rounded up): the slabs with room, by
  // address. Blocks come from the lowest first, so after a burst the
  // table settles into the low slabs and the high ones empty and go,
  // instead of every slab keeping a few sockets of the steady load.
  std::array<std::set<Slab*>, kClasses + 1> room{};
  // One empty slab kept for any size, so a table whose size goes up and
  // down by a few sockets does not map and unmap a slab each time.
  Slab* spare = nullptr;
  size_t mapped = 0;

  void list(size_t c, Slab* s) {
    room[c].insert(s);
    s->listed = true;
  }
  void unlist(size_t c, Slab* s) {
    room[c].erase(s);
    s->listed = false;
  }
};

// Never destroyed: blocks may be given back during static destruction.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

size_t class_of(size_t n) { return (n + kGrain - 1) / kGrain; }

}  // namespace

void* take(size_t n) {
  if (n == 0) n = 1;
  if (n > kMaxBlock) return ::operator new(n, std::align_val_t(kGrain));
  const size_t ci = class_of(n);
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  Slab* s = p.room[ci].empty() ? nullptr : *p.room[ci].begin();
  if (!s) {
    s = std::exchange(p.spare, nullptr);
    if (!s) {
      s = map_slab();
      if (!s) throw std::bad_alloc();
      p.mapped += kSlab;
    }
    p.list(ci, fresh(s, ci * kGrain));
  }
  void* out;
  if (Free* f = s->free) {
    s->free = f->next;
    out = f;
  } else {
    out = s->next;
    s->next += s->bytes;
  }
  ++s->used;
  if (s->full()) p.unlist(ci, s);
  return out;
}

void give(void* ptr, size_t n) noexcept {
  if (!ptr) return;
  if (n == 0) n = 1;
  if (n > kMaxBlock) return ::operator delete(ptr, std::align_val_t(kGrain));
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  const size_t ci = class_of(n);
  Slab* s = slab_of(ptr);
  s->free = new (ptr) Free{s->free};
  if (--s->used) {
    if (!s->listed) p.list(ci, s);  // it was full
    return;
  }
  // Empty: after a burst (a host's TIME_WAIT sockets of a benchmark run,
  // a reconnect storm) the table shrinks back and its memory goes back to
  // the kernel, all but one spare.
  if (s->listed) p.unlist(ci, s);
  if (!p.spare) {
    p.spare = s;
    return;
  }
  munmap(s, kSlab);
  p.mapped -= kSlab;
}

size_t mapped_bytes() {
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  return p.mapped;
}

}  // namespace sockscope::slab
