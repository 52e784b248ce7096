/* Settings userspace writes into .rodata before load. */
#pragma once

/* Emit a ring-buffer wakeup only as each multiple of this many unread
 * bytes is crossed (emit.bpf.h): the default per-record wakeup costs ~3x on
 * a busy host. Userspace polls with a short timeout, so latency stays
 * bounded. */
const volatile __u64 cfg_wakeup_bytes = 64 * 1024;
/* At most one occupancy sample record per socket per interval; the latest
 * value and the high-water marks are always kept in sock_stats. */
const volatile __u64 cfg_sample_interval_ns = 10 * 1000 * 1000;
/* One record per data syscall (send/recv/read/write), not just counters. */
const volatile bool cfg_detail_calls = false;
/* Time each received skb on its way to the app (hooks/journey.bpf.h): one
 * map update per received packet. */
const volatile bool cfg_journey = true;
/* Most received skbs each CPU times per millisecond (~2^20 ns); 0: all. */
const volatile __u32 cfg_journey_per_ms = 20;
/* At most one TCP metrics record (srtt, cwnd, windows) per socket per
 * interval; the latest values are always in sock_stats. */
const volatile __u64 cfg_metrics_interval_ns = 100 * 1000 * 1000;
/* State changes wait in state_runs and go out together (state_run.bpf.h).
 * Off where the kernel refuses the compare-and-swap a flush claims its
 * steps with (BPF atomics, before 5.12): one record per change then. */
const volatile bool cfg_state_runs = true;
/* The setsockopt hook reads a socket's cookie from the socket itself,
 * which needs bpf_probe_read_kernel in cgroup programs; where the kernel
 * refuses it the branch is dead code and setsockopt records carry cookie
 * 0 (the model counts them unmatched). */
const volatile bool cfg_sockopt_cookie = true;
/* Syscall number -> SS_CALL_*, 0 for calls not traced. Userspace fills it
 * from its own <sys/syscall.h>, so the BPF side holds no syscall number. */
#define SS_SYSCALL_NR_MAX 512
const volatile __u8 cfg_syscall_call[SS_SYSCALL_NR_MAX] = {};

/* Tracepoint arguments added in later kernels, read only where they exist
 * (userspace asks the kernel's BTF): a program that reads past its
 * tracepoint's arguments loads but cannot attach.
 * kfree_skb's rx_sk (6.12), udp_fail_queue_rcv_skb's skb,
 * tcp_retransmit_skb's err (6.13), tcp_send_reset's reason (6.10). */
const volatile bool cfg_kfree_skb_rx_sk = true;
const volatile bool cfg_udp_fail_skb = true;
const volatile bool cfg_retransmit_err = true;
const volatile bool cfg_send_reset_reason = true;
/* tcp_send_reset fires for a segment no socket wanted (a closed port) from
 * Linux 6.9; before, kfree_skb's NO_SOCKET drop of that segment stands in
 * for it (hooks/drops.bpf.h). */
const volatile bool cfg_reset_tp_no_socket = true;

/* Settings userspace may change while running (.bss, read on each run). */
/* The detail tiers' scope: only this process (tgid), 0: every process.
 * Detail programs check it first, so the rest of the host pays one load. */
volatile __u32 detail_tgid = 0;
/* And only sockets with this local or remote port (one --port), 0: any.
 * The per-socket packet programs check it first. */
volatile __u16 detail_port = 0;
/* The packets tier is attached: the state hook then also samples the
 * queues at every state change. Without it the passes give the queues, and
 * a connection's state changes create no stats entry (an LRU insert, and a
 * sample record, for each: most of the state hook's cost under churn). */
volatile __u32 packets_on = 0;
/* The start-up check that the cgroup socket hooks run (cgroup v2 socket
 * matching is off while a net_cls or net_prio v1 hierarchy is in use):
 * sockscope makes one socket with canary_tgid set to its own pid, and
 * cgroup/sock_create counts it here instead of reporting it. */
volatile __u32 canary_tgid = 0;
/* The cgroup socket hooks are attached: the state hook then writes the
 * listen record they would (without them the syscall hooks report it). */
volatile __u32 cgroup_lifecycle_on = 0;
volatile __u32 canary_seen = 0;
/* iter/tcp names a TIME_WAIT socket by its cookie alone (ss_sock_brief)
 * when it has less than this many ms left: userspace sets it for a delta
 * pass so that only those the previous pass showed in full qualify (a
 * timewait socket's life is a fixed 60 s, so ms left says how old it is).
 * Under churn they are most of the table (up to tcp_max_tw_buckets) and
 * nothing about them changes; the brief record still says each is there,
 * so one the kernel let go early (reused, reset, overflow) is named gone.
 * 0: every socket in full. */
volatile __u32 iter_tw_brief_ms = 0;
