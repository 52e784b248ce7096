// Compile-time check that the C++ side sees the ABI header's layouts as the
// BPF side does: a changed field without a version bump fails the build.
#pragma once

#include <cstddef>

#include "bpf/abi/sockscope_abi.h"
#include "model/event.h"

static_assert(SS_ABI_VERSION == 6, "ABI changed: update the decoder and these checks");
static_assert(sizeof(ss_hdr) == 16 && offsetof(ss_hdr, ts_ns) == 8);
static_assert(sizeof(ss_task) == 24);
static_assert(sizeof(ss_sock_id) == 72 && offsetof(ss_sock_id, inode) == 20 &&
              offsetof(ss_sock_id, saddr) == 40 && offsetof(ss_sock_id, daddr) == 56);
static_assert(sizeof(ss_state_event) == 120 && offsetof(ss_state_event, old_state) == 112);
static_assert(sizeof(ss_state_step) == 16 && offsetof(ss_state_step, old_state) == 12);
static_assert(sizeof(ss_state_run) == 96 + 16 * SS_RUN_STEPS && offsetof(ss_state_run, n) == 88 &&
              offsetof(ss_state_run, steps) == 96);
// one reservation for a socket's end (ABI 6)
static_assert(sizeof(ss_state_end) == sizeof(ss_state_run) + sizeof(ss_sock_info) &&
              offsetof(ss_state_end, fin) == sizeof(ss_state_run));
static_assert(sizeof(ss_syscall_event) == 184 && offsetof(ss_syscall_event, enter_ns) == 112 &&
              offsetof(ss_syscall_event, call) == 132 && offsetof(ss_syscall_event, addr) == 168);
static_assert(sizeof(ss_occupancy) == 32);
static_assert(sizeof(ss_sample_event) == 128 && offsetof(ss_sample_event, why) == 120);

// sk_buff paths and TCP health (ABI 3)
static_assert(sizeof(ss_drop_event) == 120 && offsetof(ss_drop_event, sock) == 16 &&
              offsetof(ss_drop_event, location) == 88 && offsetof(ss_drop_event, reason) == 96 &&
              offsetof(ss_drop_event, ifindex) == 100 && offsetof(ss_drop_event, len) == 108 &&
              offsetof(ss_drop_event, origin) == 112 && offsetof(ss_drop_event, from_packet) == 113 &&
              offsetof(ss_drop_event, suppressed) == 116);
static_assert(sizeof(ss_tcp_metrics) == 32 && offsetof(ss_tcp_metrics, snd_wnd) == 16 &&
              offsetof(ss_tcp_metrics, probes_out) == 24 && offsetof(ss_tcp_metrics, ca_state) == 25);
static_assert(sizeof(ss_tcp_counters) == 96 && offsetof(ss_tcp_counters, persist_probes) == 88);
static_assert(sizeof(ss_tcp_event) == 136 && offsetof(ss_tcp_event, m) == 88 &&
              offsetof(ss_tcp_event, reason) == 120 && offsetof(ss_tcp_event, err) == 124 &&
              offsetof(ss_tcp_event, segs) == 128 && offsetof(ss_tcp_event, kind) == 130 &&
              offsetof(ss_tcp_event, from_packet) == 131 && offsetof(ss_tcp_event, suppressed) == 132);
static_assert(sizeof(ss_hist) == 24 + 4 * SS_HIST_BUCKETS && offsetof(ss_hist, bucket) == 24);
static_assert(sizeof(ss_journey) == 2 * sizeof(ss_hist) && offsetof(ss_journey, queue_to_read) == sizeof(ss_hist));
static_assert(sizeof(ss_dev_key) == 8 && offsetof(ss_dev_key, ifindex) == 4);
static_assert(sizeof(ss_dev_stats) == 72 && offsetof(ss_dev_stats, napi_polls) == 16 &&
              offsetof(ss_dev_stats, tx_errors) == 64);
static_assert(sizeof(ss_dev_name) == 16);
static_assert(sizeof(ss_dev_drop_key) == 16 && offsetof(ss_dev_drop_key, reason) == 8);
static_assert(sizeof(ss_sock_drop_key) == 16 && offsetof(ss_sock_drop_key, reason) == 8);
static_assert(sizeof(ss_sock_stats) == 344 && offsetof(ss_sock_stats, occ) == 104 &&
              offsetof(ss_sock_stats, owner_pid) == 168 && offsetof(ss_sock_stats, tcp) == 176 &&
              offsetof(ss_sock_stats, metrics) == 272 && offsetof(ss_sock_stats, metrics_ns) == 304 &&
              offsetof(ss_sock_stats, zw_sent) == 320 && offsetof(ss_sock_stats, last_net_emit_ns) == 328);
// Samples from the iterators and the state hook (ABI 4)
static_assert(sizeof(ss_sock_info) == 232 && offsetof(ss_sock_info, occ) == 88 && offsetof(ss_sock_info, m) == 120 &&
              offsetof(ss_sock_info, bytes_sent) == 152 && offsetof(ss_sock_info, segs_out) == 176 &&
              offsetof(ss_sock_info, last_send_ms) == 192 && offsetof(ss_sock_info, uid) == 208 &&
              offsetof(ss_sock_info, origin) == 216 && offsetof(ss_sock_info, kind) == 217 &&
              offsetof(ss_sock_info, bound_dev_if) == 220 && offsetof(ss_sock_info, cgroup_id) == 224);
// ABI 4 and 5 socket records end before cgroup_id, with zeros (padding
// then) where bound_dev_if is now: not bound
inline constexpr size_t kSockInfoAbi5Size = offsetof(ss_sock_info, cgroup_id);
static_assert(sizeof(ss_file_event) == 80 && offsetof(ss_file_event, cookie) == 40 &&
              offsetof(ss_file_event, inode) == 56 && offsetof(ss_file_event, fd) == 60 &&
              offsetof(ss_file_event, netns) == 64 && offsetof(ss_file_event, state) == 72);
static_assert(SS_AGE_UNKNOWN == sockscope::kAgeUnknown);
// Per-CPU map values are laid out at 8-byte strides: these need no padding.
static_assert(sizeof(ss_dev_stats) % 8 == 0 && sizeof(__u64) == 8);

// The C++ enums mirror the ABI's: the decoder's range checks use the C++ side.
static_assert(sockscope::kDropOriginMax == SS_DROP_ORIGIN_MAX);
static_assert(sockscope::kTcpKindMax == SS_TCP_KIND_MAX);
static_assert(sockscope::kHistBuckets == SS_HIST_BUCKETS);
static_assert(static_cast<int>(sockscope::LostKind::Count) == SS_LOST_KINDS);
static_assert(static_cast<int>(sockscope::LostKind::DropMap) == SS_LOST_DROP_MAP &&
              static_cast<int>(sockscope::LostKind::Journey) == SS_LOST_JOURNEY &&
              static_cast<int>(sockscope::LostKind::Skipped) == SS_LOST_SKIPPED);
static_assert(static_cast<int>(sockscope::DropOrigin::UdpQueueFail) == SS_DROP_UDP_QUEUE_FAIL);
static_assert(static_cast<int>(sockscope::TcpKind::Metrics) == SS_TCP_METRICS &&
              static_cast<int>(sockscope::TcpKind::ResetSent) == SS_TCP_RESET_SENT);
static_assert(sockscope::kCallMax == SS_CALL_MAX);
static_assert(sizeof(sockscope::Comm) == sizeof(ss_dev_name) && sizeof(sockscope::Comm) == SS_COMM_LEN);
