// PassDelta: which records of an iterator pass go out again, and which
// sockets the previous pass showed that this one did not.
#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "bpf/abi/sockscope_abi.h"
#include "source/kernel/pass_delta.h"

using namespace sockscope;

namespace {

ss_sock_info rec(uint64_t cookie, uint32_t rx = 0, uint32_t age_ms = 5, uint64_t ts = 1) {
  ss_sock_info r{};
  r.hdr.type = SS_EV_SOCK;
  r.hdr.size = sizeof(r);
  r.hdr.ts_ns = ts;
  r.sock.cookie = cookie;
  r.occ.rx_queue = rx;
  r.last_recv_ms = r.last_send_ms = r.last_ack_ms = age_ms;
  return r;
}

struct Pass {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<std::span<const uint8_t>> spans;
  Pass(std::initializer_list<ss_sock_info> rs) {
    for (const auto& r : rs) {
      bytes.emplace_back(sizeof(r));
      std::memcpy(bytes.back().data(), &r, sizeof(r));
    }
    for (const auto& b : bytes) spans.emplace_back(b);
  }
};

ss_sock_brief brief(uint64_t cookie) {
  ss_sock_brief b{};
  b.hdr.type = SS_EV_SOCK_BRIEF;
  b.hdr.size = sizeof(b);
  b.cookie = cookie;
  return b;
}

// records of mixed kinds, as a pass writes them
struct Raw {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<std::span<const uint8_t>> spans;
  template <class T>
  void add(const T& r) {
    bytes.emplace_back(sizeof(r));
    std::memcpy(bytes.back().data(), &r, sizeof(r));
  }
  void done() {
    for (const auto& b : bytes) spans.emplace_back(b);
  }
};

}  // namespace

TEST_CASE("pass delta: unchanged sockets stay home, changed and new ones go, gone ones are named", "[pass]") {
  PassDelta d;
  Pass first{rec(1), rec(2), rec(3)};
  auto a = d.sift(7, 1, first.spans, false);
  CHECK(a.deliver == std::vector<bool>{true, true, true});  // nothing known yet
  CHECK(a.gone.empty());
  CHECK(a.cookies == std::vector<uint64_t>{1, 2, 3});

  // 2's queue changed, 1 only aged (time alone), 3 went, 4 came
  Pass second{rec(4), rec(2, 100), rec(1, 0, 1005, 99)};
  auto b = d.sift(7, 1, second.spans, false);
  CHECK(b.deliver == std::vector<bool>{true, true, false});
  CHECK(b.gone == std::vector<uint64_t>{3});
  CHECK(b.cookies == std::vector<uint64_t>{1, 2, 4});

  // another namespace, and the other protocol, are passes of their own
  auto c = d.sift(8, 1, second.spans, false);
  CHECK(c.deliver == std::vector<bool>{true, true, true});
  auto u = d.sift(7, 2, first.spans, false);
  CHECK(u.gone.empty());

  // a full pass delivers all, and is remembered for the next delta
  auto f = d.sift(7, 1, second.spans, true);
  CHECK(f.deliver == std::vector<bool>{true, true, true});
  auto g = d.sift(7, 1, second.spans, false);
  CHECK(g.deliver == std::vector<bool>{false, false, false});

  // a forgotten namespace starts afresh
  d.forget(7);
  auto h = d.sift(7, 1, second.spans, false);
  CHECK(h.deliver == std::vector<bool>{true, true, true});
}

TEST_CASE("pass delta: a cookie twice in one pass, and records it cannot read, always go out", "[pass]") {
  PassDelta d;
  Pass p{rec(5), rec(5, 3)};
  d.sift(1, 1, p.spans, false);
  auto again = d.sift(1, 1, p.spans, false);
  CHECK(again.deliver == std::vector<bool>{true, true});
  ss_sock_info odd = rec(6);
  odd.hdr.type = SS_EV_FILE;
  Pass q{odd};
  d.sift(1, 1, q.spans, false);
  auto q2 = d.sift(1, 1, q.spans, false);
  CHECK(q2.deliver == std::vector<bool>{true});
  CHECK(q2.cookies.empty());
}

TEST_CASE("pass delta: a brief record keeps its socket as it was, and one not known before is counted",
          "[pass]") {
  PassDelta d;
  ss_sock_info tw = rec(2);
  tw.kind = SS_SK_TIMEWAIT;
  Pass full{rec(1), tw, rec(3)};
  d.sift(7, 1, full.spans, true);
  // 1 went (the kernel let it go), 2 is named by cookie, 3 as it was
  Raw delta;
  delta.add(brief(2));
  delta.add(rec(3));
  delta.done();
  auto a = d.sift(7, 1, delta.spans, false);
  CHECK(a.deliver == std::vector<bool>{false, false});
  CHECK(a.gone == std::vector<uint64_t>{1});
  CHECK(a.cookies == std::vector<uint64_t>{2, 3});
  CHECK(a.brief_unknown == 0);
  // 2 keeps the digest of its full record: the same record again is unchanged
  Pass again{tw, rec(3)};
  auto b = d.sift(7, 1, again.spans, false);
  CHECK(b.deliver == std::vector<bool>{false, false});
  // a brief record of a socket no pass showed: never delivered, counted;
  // even a full pass cannot deliver it
  Raw odd;
  odd.add(brief(9));
  odd.done();
  auto c = d.sift(7, 1, odd.spans, true);
  CHECK(c.deliver == std::vector<bool>{false});
  CHECK(c.brief_unknown == 1);
  CHECK(c.gone == std::vector<uint64_t>{2, 3});
  CHECK(c.cookies == std::vector<uint64_t>{9});
}
