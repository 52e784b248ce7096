// Hostile trace headers: whatever a file's metadata holds, reading it takes
// time linear in its size and is refused, not built, past what a recording
// ever writes. Complexity checks with wide margins (the CPU time of the
// call, measured by this process), not speed checks: the quadratic parse
// these guard against took 11 s on the first case.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "trace/format.h"
#include "trace/meta.h"
#include "util/clock.h"

using namespace sockscope;

namespace {

// Parses text; returns the CPU seconds it took and the error, if any.
std::pair<double, std::string> parse(const std::string& text) {
  const double t0 = process_cpu_seconds();
  std::string err;
  try {
    trace::meta_from_json(text);
  } catch (const std::runtime_error& e) {
    err = e.what();
  }
  return {process_cpu_seconds() - t0, err};
}

// A header of about `bytes` made of `unit` repeated inside `open`…`close`.
std::string filled(const std::string& open, const std::string& unit, const std::string& close, size_t bytes) {
  std::string s = open;
  while (s.size() + unit.size() + close.size() < bytes) s += unit;
  if (s.back() == ',') s.pop_back();
  return s + close;
}

constexpr double kSecondsAllowed = 1.0;  // each case below takes milliseconds when linear

}  // namespace

TEST_CASE("trace header: 250,000 empty probes in 1 MB are refused, in linear time", "[trace][hostile]") {
  const std::string text = filled(R"({"probes":[)", "{},", "]}", trace::kMaxMetaLen);
  auto [seconds, err] = parse(text);
  CHECK(seconds < kSecondsAllowed);
  CHECK(err.find("probes, more than 4096") != std::string::npos);
}

TEST_CASE("trace header: the most probes allowed, with long names, read in linear time", "[trace][hostile]") {
  // appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) on "literal" + std::string
  std::string probe = R"({"program":")";
  probe.append(200, 'p');
  probe += R"(","target":"tp_btf/x","attached":true},)";
  std::string text = R"({"probes":[)";
  for (size_t i = 0; i < trace::kMaxMetaProbes; ++i) text += probe;
  text.pop_back();
  text += "]}";
  REQUIRE(text.size() <= trace::kMaxMetaLen);
  auto [seconds, err] = parse(text);
  CHECK(seconds < kSecondsAllowed);
  CHECK(err.empty());
}

TEST_CASE("trace header: deep nesting is refused before anything is built", "[trace][hostile]") {
  std::string deep(trace::kMaxMetaLen / 2, '[');
  deep.append(trace::kMaxMetaLen / 2, ']');
  auto [seconds, err] = parse(deep);
  CHECK(seconds < kSecondsAllowed);
  CHECK(err == "metadata nested too deep");
  // brackets inside strings are text, not nesting
  CHECK(parse(R"({"host":"[[[[[[[[{{{{{{\"[[[","probes":[{"program":"]]]]"}]})").second.empty());
}

TEST_CASE("trace header: 1 MB of reason names is refused past the limit, in linear time", "[trace][hostile]") {
  std::string text = R"({"drop_reasons":{)";
  for (size_t i = 0; text.size() < trace::kMaxMetaLen - 32; ++i) {
    text += '"';
    text += std::to_string(i);
    text += R"(":"r",)";
  }
  text.pop_back();
  text += "}}";
  auto [seconds, err] = parse(text);
  CHECK(seconds < kSecondsAllowed);
  CHECK(err.find("drop_reasons has") != std::string::npos);
  CHECK(err.find("more than 65536") != std::string::npos);
}

TEST_CASE("trace header: numbers that are not integers of the field's range are refused", "[trace][hostile]") {
  // a float where an integer goes was converted by undefined behaviour (found by fuzz_meta)
  CHECK(parse(R"({"start_ns":1e24})").second == "start_ns is not an integer");
  CHECK(parse(R"({"start_ns":-1})").second == "start_ns is out of range");
  CHECK(parse(R"({"file_index":4294967296})").second == "file_index is out of range");
  CHECK(parse(R"({"wall_offset_ns":"soon"})").second == "wall_offset_ns is not an integer");
  CHECK(parse(R"({"wall_offset_ns":-5,"start_ns":18446744073709551615,"file_index":4294967295})").second.empty());
}
