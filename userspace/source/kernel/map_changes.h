// Which BPF map entries changed since the previous read of the map, so the
// live source passes on only those (not a filter of sockets: that is
// model/filter.h). The memory of what was seen is rebuilt on every read
// (begin .. end), so entries the kernel evicted are forgotten here too.
#pragma once

#include <cstdint>
#include <utility>

namespace sockscope {

template <class Map>  // key -> uint64_t signature (a value, or a hash of it)
class MapChanges {
 public:
  using Key = typename Map::key_type;

  void begin() { next_.clear(); }
  // Records key's signature for this read; true when it is new or changed.
  bool changed(const Key& key, uint64_t sig) {
    next_[key] = sig;
    auto it = last_.find(key);
    return it == last_.end() || it->second != sig;
  }
  void end() { std::swap(last_, next_); }

  // What the last completed read held.
  Map& seen() { return last_; }

 private:
  Map last_, next_;
};

}  // namespace sockscope
