#include "source/kernel/pass_delta.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "bpf/abi/sockscope_abi.h"
#include "util/hash.h"

namespace sockscope {

namespace {

// What the socket is, less what changes by the clock alone: the header's
// time and CPU, and the ages (time since the last send, receive, ACK, and a
// timewait socket's time left), which grow every pass while the times they
// stand for stay put.
bool digest_of(std::span<const uint8_t> rec, uint64_t& cookie, uint64_t& digest, bool& brief) {
  brief = false;
  ss_sock_brief b;
  if (rec.size() == sizeof(b)) {
    std::memcpy(&b, rec.data(), sizeof(b));
    if (b.hdr.type != SS_EV_SOCK_BRIEF || b.hdr.size != sizeof(b) || !b.cookie) return false;
    cookie = b.cookie;
    digest = 0;
    brief = true;
    return true;
  }
  ss_sock_info r;
  if (rec.size() != sizeof(r)) return false;
  std::memcpy(&r, rec.data(), sizeof(r));
  if (r.hdr.type != SS_EV_SOCK || r.hdr.size != sizeof(r) || !r.sock.cookie) return false;
  static_assert(offsetof(ss_sock_info, tw_left_ms) + sizeof(uint32_t) == offsetof(ss_sock_info, uid));
  const auto* p = rec.data();
  digest = hash_bytes(p + offsetof(ss_sock_info, sock), offsetof(ss_sock_info, last_send_ms) - offsetof(ss_sock_info, sock));
  digest = hash_bytes(p + offsetof(ss_sock_info, uid), sizeof(r) - offsetof(ss_sock_info, uid), digest);
  cookie = r.sock.cookie;
  return true;
}

}  // namespace

const PassDelta::Result& PassDelta::sift(uint32_t netns, uint8_t what,
                                         std::span<const std::span<const uint8_t>> records, bool full) {
  Result& out = out_;
  out.deliver.assign(records.size(), true);
  out.gone.clear();
  out.cookies.clear();
  out.brief_unknown = 0;
  std::vector<Cur>& cur = cur_;
  cur.clear();
  for (size_t i = 0; i < records.size(); ++i) {
    uint64_t cookie, digest;
    bool brief;
    if (!digest_of(records[i], cookie, digest, brief)) continue;
    cur.push_back({cookie, digest, i, brief});
    if (brief) out.deliver[i] = false;  // nothing in it to deliver
  }
  std::sort(cur.begin(), cur.end(), [](const Cur& a, const Cur& b) { return a.cookie < b.cookie; });
  std::vector<Seen>& prev = prev_[{netns, what}];
  std::vector<Seen> next = std::move(spare_);
  next.clear();
  next.reserve(cur.size());
  size_t p = 0;
  for (size_t i = 0; i < cur.size(); ++i) {
    const Cur& c = cur[i];
    while (p < prev.size() && prev[p].cookie < c.cookie) out.gone.push_back(prev[p++].cookie);
    const bool known = p < prev.size() && prev[p].cookie == c.cookie;
    // a cookie twice in one pass (a request socket and its child, read
    // as each went by): both go out, as they are
    bool twice = (i > 0 && cur[i - 1].cookie == c.cookie) || (i + 1 < cur.size() && cur[i + 1].cookie == c.cookie);
    bool same = known && prev[p].digest == c.digest;
    if (!full && same && !twice) out.deliver[c.index] = false;
    // a brief record: as the previous pass showed it
    const uint64_t digest = c.brief ? (known ? prev[p].digest : 0) : c.digest;
    if (c.brief && !known) ++out.brief_unknown;
    if (next.empty() || next.back().cookie != c.cookie) {
      next.push_back({c.cookie, digest});
      out.cookies.push_back(c.cookie);
    } else {
      next.back().digest = ~digest;  // never equal to either: delivered again next time
    }
    if (known && (i + 1 == cur.size() || cur[i + 1].cookie != c.cookie)) ++p;
  }
  for (; p < prev.size(); ++p) out.gone.push_back(prev[p].cookie);
  spare_ = std::move(prev);
  prev = std::move(next);
  return out;
}

void PassDelta::forget(uint32_t netns) {
  for (auto it = prev_.begin(); it != prev_.end();)
    it = it->first.first == netns ? prev_.erase(it) : std::next(it);
}

}  // namespace sockscope
