// Gives the heap's free memory back to the kernel after the socket table
// shrank a long way from its peak.
//
// The table's nodes come from slabs that go back by themselves
// (slab_alloc.h), but each socket's histories and holders are malloc'd,
// and glibc returns free memory in the middle of its heap only when asked
// (malloc_trim). Asked only after a large shrink, so its walk of the heap
// is rare: after a burst, not once a second.
#pragma once

#include <cstddef>

namespace sockscope {

class HeapTrim {
 public:
  // The table holds `sockets` now; trims when that is under half the most
  // it held since the last trim, and at least kMinDrop fewer.
  void note(size_t sockets);
  size_t trims() const { return trims_; }
  static constexpr size_t kMinDrop = 10'000;

 private:
  size_t peak_ = 0;
  size_t trims_ = 0;
};

}  // namespace sockscope
