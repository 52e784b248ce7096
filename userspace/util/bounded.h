// Keyed tables filled from outside input (a kernel map, a trace file) are
// bounded on every insert: a file that names a million drop reasons or
// devices costs what the bound allows, and what was refused is counted.
#pragma once

#include <cstddef>

namespace sockscope {

// The kernel names about 120 drop reasons (and a few per subsystem); a
// socket or device with more is hostile input.
inline constexpr size_t kMaxReasonsPerKey = 512;

// m[key] = value, unless key is new and m already holds max entries:
// then nothing changes and the result is false.
template <class Map, class Key, class Value>
bool put_bounded(Map& m, const Key& key, const Value& value, size_t max) {
  if (auto it = m.find(key); it != m.end()) {
    it->second = value;
    return true;
  }
  if (m.size() >= max) return false;
  m.emplace(key, value);
  return true;
}

}  // namespace sockscope
