#include "util/slab_alloc.h"

#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <mutex>

namespace sockscope::slab {
namespace {

constexpr size_t kAlign = 64;
constexpr size_t kSlab = 2u << 20;  // one transparent huge page
constexpr size_t kClasses = kMaxBlock / kAlign;

struct Free {
  Free* next;
};

struct Pool {
  std::mutex mu;
  std::array<Free*, kClasses + 1> free{};  // by size class: bytes / 64, rounded up
  char* next = nullptr;                    // the unused rest of the current slab
  char* end = nullptr;

  // A 2 MiB-aligned slab (a huge page can back only an aligned range),
  // marked for huge pages; nullptr when the kernel has no memory for it.
  static char* new_slab() {
    void* m = mmap(nullptr, 2 * kSlab, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    auto base = reinterpret_cast<uintptr_t>(m);
    uintptr_t start = (base + kSlab - 1) & ~(kSlab - 1);
    if (start > base) munmap(m, start - base);
    if (uintptr_t tail = base + 2 * kSlab - (start + kSlab)) munmap(reinterpret_cast<void*>(start + kSlab), tail);
    madvise(reinterpret_cast<void*>(start), kSlab, MADV_HUGEPAGE);  // advice only: it may be refused
    return reinterpret_cast<char*>(start);
  }
};

// Never destroyed: blocks may be given back during static destruction.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

size_t class_of(size_t n) { return (n + kAlign - 1) / kAlign; }

}  // namespace

void* take(size_t n) {
  if (n == 0) n = 1;
  if (n > kMaxBlock) return ::operator new(n, std::align_val_t(kAlign));
  const size_t c = class_of(n);
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  if (Free* f = p.free[c]) {
    p.free[c] = f->next;
    return f;
  }
  const size_t bytes = c * kAlign;
  if (size_t(p.end - p.next) < bytes) {
    // the rest of the old slab (under 4 KiB) is left unused
    char* s = Pool::new_slab();
    if (!s) throw std::bad_alloc();
    p.next = s;
    p.end = s + kSlab;
  }
  void* out = p.next;
  p.next += bytes;
  return out;
}

void give(void* ptr, size_t n) noexcept {
  if (!ptr) return;
  if (n == 0) n = 1;
  if (n > kMaxBlock) return ::operator delete(ptr, std::align_val_t(kAlign));
  const size_t c = class_of(n);
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  p.free[c] = new (ptr) Free{p.free[c]};
}

}  // namespace sockscope::slab
