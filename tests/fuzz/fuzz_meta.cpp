// libFuzzer target: any bytes as a trace header's metadata (trace/meta.h).
// A bad header must end in std::runtime_error saying what is wrong, within
// the limits meta.h states; a crash, a sanitizer report, another exception,
// a timeout (the parse is linear) or unbounded memory is a finding.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "trace/format.h"
#include "trace/meta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > sockscope::trace::kMaxMetaLen) return 0;  // the reader refuses these before parsing
  try {
    sockscope::trace::Meta m = sockscope::trace::meta_from_json(std::string(reinterpret_cast<const char*>(data), size));
    if (m.probes.size() > sockscope::trace::kMaxMetaProbes) __builtin_trap();
    if (m.reasons.drop.size() > sockscope::trace::kMaxMetaReasons) __builtin_trap();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
