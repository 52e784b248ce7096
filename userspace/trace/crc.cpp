#include <zlib.h>

#include "trace/format.h"

namespace sockscope::trace {

uint32_t crc32_of(const void* p, size_t n) {
  // zlib takes a uInt length: feed large buffers in pieces
  uLong c = crc32(0L, Z_NULL, 0);
  const auto* b = static_cast<const Bytef*>(p);
  while (n) {
    uInt k = n > (1u << 30) ? (1u << 30) : uInt(n);
    c = crc32(c, b, k);
    b += k;
    n -= k;
  }
  return uint32_t(c);
}

}  // namespace sockscope::trace
