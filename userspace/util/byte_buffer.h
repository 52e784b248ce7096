// A byte vector whose resize() leaves the new bytes as they are instead
// of zeroing them: for buffers a read() fills right after growing them.
// An iterator pass over 100,000 sockets reads 23 MB in 64 KiB steps, and
// std::vector<uint8_t> zeroed each step before read() overwrote it (2 %
// of sockscope's time with that many idle sockets).
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace sockscope {

template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  // value-initialisation (resize(), emplace_back()) becomes default-initialisation
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

using ByteBuffer = std::vector<uint8_t, DefaultInitAllocator<uint8_t>>;

}  // namespace sockscope
