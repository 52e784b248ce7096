// Which records of an iterator pass are worth delivering. A pass reads
// every socket the kernel has, 100,000s on a busy host, and most are as
// they were a second ago (idle connections, TIME_WAIT): decoding, applying
// and recording each again costs more than the pass itself. A delta pass
// delivers the sockets that changed or are new, and names the ones gone.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

namespace sockscope {

class PassDelta {
 public:
  struct Result {
    std::vector<bool> deliver;   // per record, in pass order
    std::vector<uint64_t> gone;  // shown by the previous pass, not by this one; sorted
    std::vector<uint64_t> cookies;  // every socket this pass showed, sorted
    // brief records (a timewait socket by cookie alone) of sockets the
    // previous pass did not show: what they are is unknown until a pass
    // shows them in full
    size_t brief_unknown = 0;
  };
  // records: the whole records of one complete pass of one kind (TCP or
  // UDP) in one namespace. full: deliver every record (the pass is still
  // remembered, so the next one can be a delta). A brief record is never
  // delivered: it says only that its socket is still as the previous pass
  // showed it. The result stays valid until the next call.
  const Result& sift(uint32_t netns, uint8_t what, std::span<const std::span<const uint8_t>> records, bool full);
  // A namespace that is gone: its next pass, if any, starts afresh.
  void forget(uint32_t netns);

 private:
  struct Seen {
    uint64_t cookie = 0, digest = 0;
  };
  struct Cur {
    uint64_t cookie, digest;
    size_t index;
    bool brief;
  };
  std::map<std::pair<uint32_t, uint8_t>, std::vector<Seen>> prev_;  // sorted by cookie
  // Kept from call to call: a pass is 100,000s of records, and vectors that
  // size allocated afresh each second cost a page fault per 4 KiB.
  Result out_;
  std::vector<Cur> cur_;
  std::vector<Seen> spare_;
};

}  // namespace sockscope
