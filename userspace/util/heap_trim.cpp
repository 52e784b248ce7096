#include "util/heap_trim.h"

#include <malloc.h>

namespace sockscope {

void HeapTrim::note(size_t sockets) {
  if (sockets > peak_) peak_ = sockets;
  if (sockets >= peak_ / 2 || peak_ - sockets < kMinDrop) return;
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  ++trims_;
  peak_ = sockets;
}

}  // namespace sockscope
