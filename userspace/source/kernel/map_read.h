// Reads every entry of a BPF hash map: batch lookups where the kernel has
// them, one key at a time where it does not.
#pragma once

#include <bpf/bpf.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "util/user_error.h"

namespace sockscope {

// Errors meaning "this kernel or map type has no batch lookup". 524 is the
// kernel-internal ENOTSUPP that older kernels leak for map types without
// batch operations.
inline bool batch_unsupported(int err) { return err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP || err == 524; }

// Calls each(key, values) for every entry of a hash map. values has ncpu
// elements for a per-CPU map (pass the CPU count) and one otherwise. Batch
// lookups where the kernel has them; one key at a time when a first batch
// call is refused, and from then on (batch_ok is cleared).
template <class K, class V, class F>
void read_map(int fd, const char* what, size_t ncpu, bool& batch_ok, F&& each) {
  // per-CPU values are copied at 8-byte strides: V must not need rounding
  static_assert(sizeof(V) % 8 == 0);
  if (batch_ok) {
    constexpr uint32_t kBatch = 256;
    std::vector<K> keys(kBatch);
    std::vector<V> vals(size_t(kBatch) * ncpu);
    std::array<uint64_t, 4> token{};  // hash maps use a u32 bucket index; room for any key
    LIBBPF_OPTS(bpf_map_batch_opts, bopts);
    for (bool first = true;; first = false) {
      uint32_t count = kBatch;
      int err = bpf_map_lookup_batch(fd, first ? nullptr : token.data(), token.data(), keys.data(), vals.data(),
                                     &count, &bopts) ? errno : 0;
      if (err && first && batch_unsupported(err)) {
        batch_ok = false;
        break;
      }
      if (err && err != ENOENT)
        throw UserError(fmt::format("reading the {} map failed: {}", what, std::strerror(err)));
      for (uint32_t i = 0; i < count && i < kBatch; ++i)
        each(keys[i], std::span<const V>(vals.data() + size_t(i) * ncpu, ncpu));
      if (err) return;  // ENOENT: that was the last batch
    }
  }
  // Entries deleted meanwhile make get_next_key restart from the first key:
  // bound the walk so a busy map cannot keep it going.
  constexpr size_t kMaxWalk = 1u << 20;
  K key{}, next{};
  std::vector<V> val(ncpu);
  bool have = false;
  for (size_t n = 0; n < kMaxWalk && bpf_map_get_next_key(fd, have ? &key : nullptr, &next) == 0; ++n) {
    if (bpf_map_lookup_elem(fd, &next, val.data()) == 0) each(next, std::span<const V>(val));
    key = next;
    have = true;
  }
}

// Deletes these keys from a hash map: in batches of up to 4096 where the
// kernel has batch deletes (one syscall each, where one per key made
// deleting the entries of closed sockets a tenth of the reader's time under
// churn), one at a time when a first batch call is refused, and from then
// on (batch_ok is cleared). A key already gone is no error.
template <class K>
void delete_keys(int fd, std::vector<K>& keys, bool& batch_ok) {
  constexpr size_t kBatch = 4096;
  size_t done = 0;
  while (batch_ok && done < keys.size()) {
    uint32_t count = uint32_t(std::min(kBatch, keys.size() - done));
    LIBBPF_OPTS(bpf_map_batch_opts, bopts);
    int err = bpf_map_delete_batch(fd, keys.data() + done, &count, &bopts) ? errno : 0;
    if (err && done == 0 && count == 0 && batch_unsupported(err)) {
      batch_ok = false;
      break;
    }
    // count says how many were deleted; ENOENT stops a batch at a key
    // already gone, which is passed over
    done += count;
    if (err == ENOENT) ++done;
    else if (err) break;  // what is left goes one by one
  }
  for (size_t i = done; i < keys.size(); ++i) bpf_map_delete_elem(fd, &keys[i]);
  keys.clear();
}

}  // namespace sockscope
