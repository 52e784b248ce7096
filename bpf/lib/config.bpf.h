/* Settings userspace writes into .rodata before load. */
#pragma once

/* Emit a ring-buffer wakeup only once this many bytes wait: the default
 * per-record wakeup costs ~3x on a busy host. Userspace polls with a short
 * timeout, so latency stays bounded. */
const volatile __u64 cfg_wakeup_bytes = 64 * 1024;
/* At most one occupancy sample record per socket per interval; the latest
 * value and the high-water marks are always kept in sock_stats. */
const volatile __u64 cfg_sample_interval_ns = 10 * 1000 * 1000;
/* One record per data syscall (send/recv/read/write), not just counters. */
const volatile bool cfg_detail_calls = false;
