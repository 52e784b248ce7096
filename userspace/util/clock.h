// The clocks: BPF timestamps are CLOCK_MONOTONIC nanoseconds; wall-clock
// times are those plus an offset read once.
#pragma once

#include <cstdint>

namespace sockscope {

uint64_t monotonic_ns();
// CLOCK_REALTIME - CLOCK_MONOTONIC now, to print wall-clock times.
int64_t wall_minus_monotonic_ns();
// CPU time used so far, in seconds: by the calling thread, or by the
// whole process (for measuring, in benchmarks and complexity tests).
double thread_cpu_seconds();
double process_cpu_seconds();

}  // namespace sockscope
