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
/* Time each received skb on its way to the app (hooks/journey.bpf.h): one
 * map update per received packet. */
const volatile bool cfg_journey = true;
/* At most one TCP metrics record (srtt, cwnd, windows) per socket per
 * interval; the latest values are always in sock_stats. */
const volatile __u64 cfg_metrics_interval_ns = 100 * 1000 * 1000;
