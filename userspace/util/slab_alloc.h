// An allocator for the model's many small, equal-sized nodes (a socket
// table holds up to 262,144 sockets of about 1 KiB each, and under churn
// tens of thousands come and go every second).
//
// From malloc, each new socket's memory is fresh pages, and on a VM every
// first touch of a 4 KiB page is a fault that exits to the host: measured
// under 24,000 connections/s, 107,000 faults in 3.5 s took about 40 % of
// the reader's time and made it lose events. This allocator carves blocks
// from 2 MiB slabs that ask for transparent huge pages (one fault per slab
// where the host allows them, as it does in its default "madvise" mode),
// and keeps freed blocks in their slab for the next socket.
//
// A slab whose blocks are all free goes back to the kernel (all but one
// spare, kept for the next burst): after a peak (thousands of
// TIME_WAIT sockets that expire together) memory comes down with the
// table instead of staying at the peak. Stateless, so containers using it
// move and swap as with std::allocator.
#pragma once

#include <cstddef>
#include <memory>
#include <new>

// Under AddressSanitizer (the fuzzer, sanitizer builds) blocks come from
// operator new, so a use after free of a socket is still caught.
#if defined(__SANITIZE_ADDRESS__)
#define SOCKSCOPE_SLABS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOCKSCOPE_SLABS 0
#endif
#endif
#ifndef SOCKSCOPE_SLABS
#define SOCKSCOPE_SLABS 1
#endif

namespace sockscope {

namespace slab {
// A block of at least n bytes, kGrain-aligned; blocks over kMaxBlock come
// from operator new. Thread-safe. Sizes are rounded up to kGrain bytes
// only (a socket's node, 800 bytes, would take 832 at a 64-byte grain),
// as nodes are read whole, not shared between threads.
void* take(size_t n);
void give(void* p, size_t n) noexcept;
inline constexpr size_t kMaxBlock = 4096;
inline constexpr size_t kGrain = 16;
// Bytes of slabs mapped now (what the blocks in use hold, rounded up to
// whole slabs, plus the spare).
size_t mapped_bytes();
}  // namespace slab

template <class T>
struct SlabAllocator {
  using value_type = T;
  SlabAllocator() = default;
  template <class U>
  SlabAllocator(const SlabAllocator<U>&) noexcept {}

  T* allocate(size_t n) {
    static_assert(alignof(T) <= slab::kGrain);
    if (!SOCKSCOPE_SLABS || n > slab::kMaxBlock / sizeof(T)) return std::allocator<T>{}.allocate(n);
    return static_cast<T*>(slab::take(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept {
    if (!SOCKSCOPE_SLABS || n > slab::kMaxBlock / sizeof(T)) return std::allocator<T>{}.deallocate(p, n);
    slab::give(p, n * sizeof(T));
  }
  template <class U>
  bool operator==(const SlabAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace sockscope
