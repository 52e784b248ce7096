// Percentiles of the kernel's log-linear latency histograms, checked
// against the true quantiles of known samples.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/histogram.h"
#include "tests/unit/builders.h"

using namespace sockscope;
using namespace sockscope::test;

namespace {

// The q-quantile of the samples themselves: the ceil(q*n)-th smallest.
uint64_t true_quantile(std::vector<uint64_t> v, double q) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(q * double(v.size())));
  return v[rank ? rank - 1 : 0];
}

// Width of the bucket that holds v: the most a bucket-based estimate can be off.
uint64_t width_at(uint64_t v) {
  uint32_t i = ss_hist_bucket(v);
  return hist_bucket_high(i) - hist_bucket_low(i);
}

void check_close(const std::vector<uint64_t>& samples, double q) {
  Histogram h = hist_of(samples);
  uint64_t want = true_quantile(samples, q);
  uint64_t got = percentile(h, q);
  INFO("q=" << q << " true=" << want << " got=" << got << " width=" << width_at(want));
  CHECK(std::llabs(int64_t(got) - int64_t(want)) <= int64_t(width_at(want)));
  CHECK(got <= h.max_ns);
}

// Deterministic pseudo-random values, so a failure reproduces.
struct Lcg {
  uint64_t x = 88172645463325252ull;
  uint64_t next() { return x = x * 6364136223846793005ull + 1442695040888963407ull; }
  double unit() { return double(next() >> 11) / double(1ull << 53); }
};

}  // namespace

TEST_CASE("bucket bounds: every value lies from its bucket's low bound up to, not including, its high bound", "[histogram]") {
  for (uint64_t v : {0ull, 1ull, 3ull, 4ull, 5ull, 7ull, 8ull, 15ull, 16ull, 1000ull, 1023ull, 1024ull, 123456789ull,
                     1ull << 40, (7ull << 38) - 1}) {
    uint32_t i = ss_hist_bucket(v);
    INFO("v=" << v << " bucket=" << i);
    CHECK(hist_bucket_low(i) <= v);
    CHECK(v < hist_bucket_high(i));
  }
  // the bounds tile the line: each bucket starts where the previous ends
  for (uint32_t i = 0; i + 1 < kHistBuckets; ++i) CHECK(hist_bucket_high(i) == hist_bucket_low(i + 1));
  CHECK(hist_bucket_high(kHistBuckets - 1) == UINT64_MAX);  // the last one is open
}

TEST_CASE("percentiles of 1000 evenly spread samples are within one bucket", "[histogram]") {
  std::vector<uint64_t> v;
  for (uint64_t i = 1; i <= 1000; ++i) v.push_back(i * 1000);  // 1 us .. 1 ms
  for (double q : {0.5, 0.9, 0.99}) check_close(v, q);
  Histogram h = hist_of(v);
  // the estimate is not just the bucket's low end: p50 of 1..1000 us is 500 us
  CHECK(percentile(h, 0.5) == Approx(500'000).epsilon(0.05));
  CHECK(percentile(h, 1.0) == 1'000'000);
}

TEST_CASE("percentiles of a skewed distribution are within one bucket", "[histogram]") {
  // a long tail: mostly tens of microseconds, a few tens of milliseconds
  Lcg rng;
  std::vector<uint64_t> v;
  for (int i = 0; i < 1000; ++i) {
    double u = rng.unit();
    v.push_back(static_cast<uint64_t>(20'000 * std::exp(6.0 * u * u * u)));
  }
  for (double q : {0.1, 0.5, 0.9, 0.99, 0.999}) check_close(v, q);
}

TEST_CASE("percentiles never decrease with q", "[histogram]") {
  Lcg rng;
  std::vector<uint64_t> v;
  for (int i = 0; i < 500; ++i) v.push_back(rng.next() % 5'000'000);
  Histogram h = hist_of(v);
  uint64_t last = 0;
  for (int i = 0; i <= 100; ++i) {
    uint64_t p = percentile(h, i / 100.0);
    CHECK(p >= last);
    last = p;
  }
}

TEST_CASE("an empty histogram gives zeros", "[histogram]") {
  Histogram h;
  CHECK(percentile(h, 0.5) == 0);
  CHECK(percentile(h, 0.99) == 0);
  HistSummary s = summarize(h);
  CHECK(s.count == 0);
  CHECK(s.p50_us == 0);
  CHECK(s.p99_us == 0);
  CHECK(s.max_us == 0);
  // buckets present but all zero (a socket with an entry but no sample yet)
  h.buckets.assign(kHistBuckets, 0);
  CHECK(percentile(h, 0.5) == 0);
}

TEST_CASE("one sample: every percentile is that sample", "[histogram]") {
  Histogram h = hist_of({123'456});
  CHECK(percentile(h, 0.0) == 123'456);
  CHECK(percentile(h, 0.5) == 123'456);
  CHECK(percentile(h, 0.99) == 123'456);
  HistSummary s = summarize(h);
  CHECK(s.count == 1);
  CHECK(s.p50_us == Approx(123.456));
  CHECK(s.max_us == Approx(123.456));
}

TEST_CASE("all samples in one bucket: inside that bucket, never above the max", "[histogram]") {
  std::vector<uint64_t> v(100, 1100);  // bucket [1024, 1280)
  Histogram h = hist_of(v);
  uint32_t b = ss_hist_bucket(1100);
  REQUIRE(h.buckets[b] == 100);
  for (double q : {0.0, 0.5, 0.99, 1.0}) {
    uint64_t p = percentile(h, q);
    INFO("q=" << q << " p=" << p);
    CHECK(p >= hist_bucket_low(b));
    CHECK(p <= 1100);
  }
  CHECK(percentile(h, 1.0) == 1100);
}

TEST_CASE("values beyond the last bucket: clamped into it, bounded by the max", "[histogram]") {
  const uint64_t huge = 10'000ull * 1'000'000'000;  // 10000 s, past the last bucket's start
  REQUIRE(ss_hist_bucket(huge) == kHistBuckets - 1);
  std::vector<uint64_t> v(10, huge);
  v.push_back(1000);
  Histogram h = hist_of(v);
  uint64_t p50 = percentile(h, 0.5);
  CHECK(p50 >= hist_bucket_low(kHistBuckets - 1));
  CHECK(p50 <= huge);
  CHECK(percentile(h, 1.0) == huge);
  CHECK(summarize(h).max_us == Approx(huge / 1000.0));
}

TEST_CASE("ranks come from the buckets when count runs ahead of them", "[histogram]") {
  // the kernel bumps count before the bucket: a read can see both states
  Histogram h = hist_of({1000, 2000, 3000, 4000});
  h.count += 1;
  uint64_t p99 = percentile(h, 0.99);
  CHECK(p99 >= hist_bucket_low(ss_hist_bucket(4000)));
  CHECK(p99 <= 4000);
}

TEST_CASE("summarize: count, p50, p99 and max in microseconds", "[histogram]") {
  std::vector<uint64_t> v;
  for (uint64_t i = 1; i <= 200; ++i) v.push_back(i * 10'000);  // 10 us .. 2 ms
  Histogram h = hist_of(v);
  HistSummary s = summarize(h);
  CHECK(s.count == 200);
  CHECK(s.p50_us == Approx(percentile(h, 0.5) / 1000.0));
  CHECK(s.p99_us == Approx(percentile(h, 0.99) / 1000.0));
  CHECK(s.max_us == Approx(2000.0));
  CHECK(s.p50_us < s.p99_us);
}
