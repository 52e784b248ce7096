// FNV-1a over 8-byte words: cheap change detection without keeping a copy
// of the value. Any change confined to one word always changes the hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sockscope {

inline uint64_t hash_bytes(const void* p, size_t n, uint64_t h = 1469598103934665603ull) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (; n >= 8; b += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, b, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (; n; ++b, --n) h = (h ^ *b) * 1099511628211ull;
  return h;
}

}  // namespace sockscope
