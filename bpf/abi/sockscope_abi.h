/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel <-> daemon ABI: every record the BPF programs put in the ring
 * buffer, and the per-socket stats map value. Included by the BPF C and by
 * the C++ decoder, which checks the layout with static_assert
 * (userspace/record/abi_check.h).
 *
 * Rules:
 *  - fixed-width types only, explicit padding, every struct a multiple of 8;
 *  - every record starts with struct ss_hdr {type, size, ts_ns};
 *  - type values are never reused; a decoder skips types it does not know;
 *  - bump SS_ABI_VERSION on any change to a layout below.
 */
#ifndef SOCKSCOPE_ABI_H
#define SOCKSCOPE_ABI_H

#ifdef __BPF__
/* vmlinux.h provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

#define SS_ABI_VERSION 6

#define SS_COMM_LEN 16
#define SS_ADDR_LEN 16

enum ss_event_type {
	SS_EV_STATE = 1,   /* TCP state change (inet_sock_set_state) */
	SS_EV_SYSCALL = 2, /* a socket syscall, with entry and exit time */
	SS_EV_SAMPLE = 3,  /* buffer occupancy sample (throttled) */
	SS_EV_DROP = 4,    /* an skb dropped, or a socket refusing one */
	SS_EV_TCP = 5,     /* TCP health: retransmit, reset, zero window, metrics */
	SS_EV_SOCK = 6,    /* a socket as the kernel keeps it: an iterator pass, or final at CLOSE */
	SS_EV_FILE = 7,    /* a process's fd to a socket (iter/task_file) */
	SS_EV_STATE_RUN = 8, /* several TCP state changes of one socket (ABI 5) */
	SS_EV_STATE_END = 9, /* a socket's last state run and its final read, as one record (ABI 6) */
	SS_EV_TYPE_MAX = 9,
	/* Iterator passes only, never in the ring or a trace file (so outside
	 * SS_EV_TYPE_MAX and the trace ABI): a timewait socket that a delta
	 * pass names as still there, by its cookie alone (ss_sock_brief). */
	SS_EV_SOCK_BRIEF = 64,
};

/* Which syscall an SS_EV_SYSCALL record describes. Never reuse a value. */
enum ss_call {
	SS_CALL_SOCKET = 1,
	SS_CALL_BIND = 2,
	SS_CALL_LISTEN = 3,
	SS_CALL_ACCEPT = 4,
	SS_CALL_ACCEPT4 = 5,
	SS_CALL_CONNECT = 6,
	SS_CALL_SHUTDOWN = 7,
	SS_CALL_CLOSE = 8,
	SS_CALL_SETSOCKOPT = 9,
	/* data calls: aggregated in ss_sock_stats; one record each only when
	 * the per-call detail level is on */
	SS_CALL_SENDTO = 10,
	SS_CALL_SENDMSG = 11,
	SS_CALL_SENDMMSG = 12,
	SS_CALL_RECVFROM = 13,
	SS_CALL_RECVMSG = 14,
	SS_CALL_RECVMMSG = 15,
	SS_CALL_READ = 16,
	SS_CALL_WRITE = 17,
	SS_CALL_READV = 18,
	SS_CALL_WRITEV = 19,
	SS_CALL_MAX = 19,
};

/* Which hook saw an SS_EV_SYSCALL record's call. The cgroup socket hooks
 * (default tier) run inside the call, in the calling task, so they know the
 * socket, the task and the time, but not the fd, and enter_ns == ts_ns;
 * the syscall hooks (--detail syscalls) see its entry and exit. */
enum ss_call_origin {
	SS_CALL_FROM_SYSCALL = 0, /* sys_enter/sys_exit (what every ABI 3 record was) */
	SS_CALL_FROM_CGROUP = 1,  /* cgroup/sock_create, post_bind, connect, setsockopt, sock_release; listen from the state hook */
	SS_CALL_ORIGIN_MAX = 1,
};

/* What made the kernel take an occupancy sample. */
enum ss_sample_why {
	SS_SAMPLE_SEND = 1,       /* sock_send_length: the app wrote */
	SS_SAMPLE_RECV = 2,       /* sock_recv_length: the app read */
	SS_SAMPLE_DATA_READY = 3, /* sk_data_ready: data (or a connection) queued */
	SS_SAMPLE_STATE = 4,      /* inet_sock_set_state */
	SS_SAMPLE_ACCEPT = 5,     /* accept() took a connection off the queue */
	SS_SAMPLE_WHY_MAX = 5,
};

/* Counters the BPF side keeps for losses; index into the lost_counts map. */
enum ss_lost_kind {
	SS_LOST_RINGBUF = 0,   /* bpf_ringbuf_reserve failed */
	SS_LOST_STATS_MAP = 1, /* per-socket stats map update failed */
	SS_LOST_INFLIGHT = 2,  /* no in-flight slot for the thread: a call not seen */
	SS_LOST_DROP_MAP = 3,  /* per-socket or per-device drop counter not stored */
	SS_LOST_JOURNEY = 4,   /* journey map full: a latency sample not kept */
	SS_LOST_SKIPPED = 5,   /* runs the kernel skipped (a program already running on
				* that CPU: its recursion_misses); counted by userspace
				* from bpf_prog_info, never in the map */
	SS_LOST_KINDS = 6,
};

struct ss_hdr {
	__u16 type; /* enum ss_event_type */
	__u16 size; /* whole record, bytes */
	__u32 cpu;
	__u64 ts_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
};

struct ss_task {
	__u32 pid; /* tgid */
	__u32 tid;
	char comm[SS_COMM_LEN];
};

/* Who a socket is. cookie is 0 while the kernel has not generated one yet
 * (a fresh socket seen only on the syscall path); sk then joins it to the
 * cookie that a later record carries. */
struct ss_sock_id {
	__u64 cookie;
	__u64 sk; /* kernel address: a join key only, never dereferenced */
	__u32 netns;
	__u32 inode;    /* socket inode (as in /proc/PID/fd and sock_diag); 0: no file */
	__u16 family;   /* AF_INET / AF_INET6 */
	__u16 protocol; /* IPPROTO_TCP / IPPROTO_UDP */
	__u16 sport;    /* host byte order */
	__u16 dport;    /* host byte order */
	__u8 type;      /* SOCK_STREAM / SOCK_DGRAM */
	__u8 state;     /* sk_state at the time of the record */
	__u8 pad[6];
	__u8 saddr[SS_ADDR_LEN]; /* v4 in the first 4 bytes */
	__u8 daddr[SS_ADDR_LEN];
};

struct ss_state_event {
	struct ss_hdr hdr;
	struct ss_task task; /* current task: softirq may run anyone */
	struct ss_sock_id sock;
	__u8 old_state;
	__u8 new_state;
	__u8 pad[6];
};

/* A socket's state changes, kept in socket-local storage and written
 * together (bpf/lib/state_run.bpf.h): at its move to CLOSE, when the next
 * iterator pass visits it, or when SS_RUN_STEPS are waiting. hdr.ts_ns is
 * when the run was written; each step has its own time. */
#define SS_RUN_STEPS 6
#define SS_RUN_RING 8 /* steps kept on the socket: a power of two, so an index is a mask the verifier can bound */

struct ss_state_step {
	__u64 ts_ns;
	__u32 pid; /* current tgid: softirq may run anyone */
	__u8 old_state;
	__u8 new_state;
	__u8 pad[2];
};

struct ss_state_run {
	struct ss_hdr hdr;
	struct ss_sock_id sock; /* as at the run's last step */
	__u8 n;                 /* steps used, 1..SS_RUN_STEPS, oldest first */
	__u8 pad[7];
	struct ss_state_step steps[SS_RUN_STEPS];
};

struct ss_syscall_event {
	struct ss_hdr hdr; /* ts_ns = exit time */
	struct ss_task task;
	struct ss_sock_id sock;
	__u64 enter_ns;
	__s64 ret;
	__s32 fd; /* the socket's fd (for accept: the new one); -1: not known */
	__u16 call; /* enum ss_call */
	__u16 origin; /* enum ss_call_origin */
	/* call-specific:
	 *  socket:     arg0 = domain, arg1 = type, arg2 = protocol
	 *  bind/connect: addr_* = the address passed
	 *  listen:     arg0 = backlog
	 *  accept(4):  arg0 = listening fd, arg1 = listener cookie
	 *  shutdown:   arg0 = how
	 *  setsockopt: arg0 = level, arg1 = optname, arg2 = value (int; for
	 *              SO_LINGER l_onoff | l_linger << 32)
	 *  close:      arg0 = 1 when this close dropped the last reference
	 *  data calls: arg0 = bytes requested (read, write, send, recv calls), or
	 *              the count of buffers (readv/writev) or messages (mmsg);
	 *              arg1 = flags where the call has them (not read/write/
	 *              readv/writev) */
	__u64 arg0;
	__u64 arg1;
	__u64 arg2;
	__u16 addr_family;
	__u16 addr_port; /* host byte order */
	__u8 pad2[4];
	__u8 addr[SS_ADDR_LEN];
};

struct ss_occupancy {
	__u32 rx_queue;    /* ss Recv-Q: unread bytes (TCP), rmem (UDP), accept queue (listener) */
	__u32 tx_queue;    /* ss Send-Q: unacked+unsent bytes (TCP), wmem (UDP), backlog (listener) */
	__u32 rmem_alloc;  /* sk_rmem_alloc */
	__u32 wmem_queued; /* sk_wmem_queued */
	__u32 rcvbuf;      /* sk_rcvbuf */
	__u32 sndbuf;      /* sk_sndbuf */
	__u32 ack_backlog; /* listener: connections waiting for accept() */
	__u32 max_ack_backlog;
};

struct ss_sample_event {
	struct ss_hdr hdr;
	struct ss_sock_id sock;
	struct ss_occupancy occ;
	__u8 why; /* enum ss_sample_why */
	__u8 pad[7];
};

/* What a drop record reports. */
enum ss_drop_origin {
	SS_DROP_KFREE_SKB = 1,      /* skb:kfree_skb: the skb was freed as dropped */
	SS_DROP_RCVQUEUE_FULL = 2,  /* sock:sock_rcvqueue_full: refused, rcvbuf full */
	SS_DROP_EXCEED_BUF = 3,     /* sock:sock_exceed_buf_limit: over the protocol's memory limit */
	SS_DROP_UDP_QUEUE_FAIL = 4, /* udp:udp_fail_queue_rcv_skb: UDP could not queue it */
	SS_DROP_ORIGIN_MAX = 4,
};

/* A drop. For SS_DROP_KFREE_SKB the socket is skb->sk or, for a drop on
 * receive, the socket the skb was being delivered to; a drop with neither
 * has cookie 0 and, when the headers could be read, the packet's addresses
 * in sock (saddr = the packet's source) with from_packet = 1. */
struct ss_drop_event {
	struct ss_hdr hdr;
	struct ss_sock_id sock;
	__u64 location; /* kernel text address that dropped it (kfree_skb only) */
	__u32 reason;   /* kfree_skb: enum skb_drop_reason, names from BTF;
			 * exceed_buf: 0 send, 1 receive; udp_fail: errno (positive) */
	__u32 ifindex;  /* skb->dev, 0 if none */
	__u32 dev_netns;
	__u32 len;      /* skb->len, 0 if no skb */
	__u8 origin;    /* enum ss_drop_origin */
	__u8 from_packet;
	__u8 pad[2];
	__u32 suppressed; /* drops of the same socket (or CPU, without one) not sent
			   * as records since the previous record: counted, throttled */
};

/* TCP health record kinds. Never reuse a value. */
enum ss_tcp_kind {
	SS_TCP_RETRANSMIT = 1,
	SS_TCP_SYNACK_RETRANSMIT = 2,
	SS_TCP_RESET_SENT = 3,
	SS_TCP_RESET_RECEIVED = 4,
	SS_TCP_ZERO_WINDOW_SENT = 5,     /* we advertise a zero receive window */
	SS_TCP_ZERO_WINDOW_RECEIVED = 6, /* the peer advertises a zero window */
	SS_TCP_PERSIST_PROBE = 7,        /* window probes sent into a zero window */
	SS_TCP_METRICS = 8,              /* throttled tcp_probe sample */
	SS_TCP_KIND_MAX = 8,
};

struct ss_tcp_metrics {
	__u32 srtt_us;
	__u32 rttvar_us;
	__u32 snd_cwnd;
	__u32 snd_ssthresh;
	__u32 snd_wnd; /* the peer's advertised window */
	__u32 rcv_wnd; /* the window we advertise */
	__u8 probes_out; /* unanswered window probes */
	__u8 ca_state;   /* congestion avoidance state (tcp_ca_state) */
	__u8 pad[6];
};

/* Counters per socket; only grow. */
struct ss_tcp_counters {
	__u64 drops;            /* kfree_skb on this socket, any reason */
	__u64 retrans_segs;     /* segments, as the kernel counts total_retrans */
	__u64 retrans_failed;   /* retransmits that did not reach the wire (err != 0) */
	__u64 synack_retrans;
	__u64 resets_sent;
	__u64 resets_received;
	__u64 rcvqueue_full;
	__u64 buf_limit;
	__u64 udp_queue_fail;
	__u64 zero_window_sent;
	__u64 zero_window_received;
	__u64 persist_probes;
};

struct ss_tcp_event {
	struct ss_hdr hdr;
	struct ss_sock_id sock; /* reset sent with no socket: cookie 0, from_packet 1,
				 * saddr/sport = our side (the packet's destination) */
	struct ss_tcp_metrics m; /* zero when there is no full socket */
	__u32 reason; /* reset sent: enum sk_rst_reason, names from BTF */
	__s32 err;    /* retransmit: the kernel's result, 0 = sent */
	__u16 segs;   /* retransmit: segments in the skb */
	__u8 kind;    /* enum ss_tcp_kind */
	__u8 from_packet;
	__u32 suppressed; /* retransmit records of this socket throttled away since
			   * the previous one (the counters have them all) */
};

/* Where an SS_EV_SOCK record comes from. */
enum ss_sock_origin {
	SS_SOCK_PASS = 1,  /* an iterator pass over the kernel's socket tables */
	SS_SOCK_FINAL = 2, /* inet_sock_set_state to CLOSE: the counters it ends with */
	SS_SOCK_ORIGIN_MAX = 2,
};

/* Which kind of kernel object an SS_EV_SOCK record read. */
enum ss_sock_kind {
	SS_SK_FULL = 1,     /* a full struct sock */
	SS_SK_TIMEWAIT = 2, /* struct inet_timewait_sock: state is TIME_WAIT (or FIN_WAIT2) */
	SS_SK_REQUEST = 3,  /* struct request_sock: a handshake in progress (NEW_SYN_RECV) */
	SS_SK_KIND_MAX = 3,
};

/* An age in ms the kernel does not keep (or a kernel without CONFIG_HZ). */
#define SS_AGE_UNKNOWN 0xffffffffu

/* A socket as the kernel has it, what `ss -tanmi` shows: state, queues
 * against their limits, TCP metrics and counters, the kernel's own
 * timestamps of the last send and receive (as ages, so no jiffies clock
 * has to be known to userspace). */
struct ss_sock_info {
	struct ss_hdr hdr;
	struct ss_sock_id sock; /* state: the kernel's sk_state (a timewait socket's is TIME_WAIT) */
	struct ss_occupancy occ;
	struct ss_tcp_metrics m; /* TCP full sockets; zero otherwise */
	__u64 bytes_sent;     /* tcpi_bytes_sent: including retransmits */
	__u64 bytes_acked;    /* tcpi_bytes_acked */
	__u64 bytes_received; /* tcpi_bytes_received, less the FIN once one came */
	__u32 segs_out;
	__u32 segs_in;
	__u32 total_retrans;  /* tcpi_total_retrans */
	__u32 sk_drops;       /* sk->sk_drops: what the socket refused */
	__u32 last_send_ms;   /* since the last data sent (tcp lsndtime); SS_AGE_UNKNOWN */
	__u32 last_recv_ms;   /* since the last data received (icsk_ack.lrcvtime) */
	__u32 last_ack_ms;    /* since the last ACK received (rcv_tstamp) */
	__u32 tw_left_ms;     /* timewait: until the kernel drops it; else SS_AGE_UNKNOWN */
	__u32 uid;
	__u32 err;            /* sk_err, positive errno; 0: none */
	__u8 origin;          /* enum ss_sock_origin */
	__u8 kind;            /* enum ss_sock_kind */
	__u8 pad[2];
	/* ABI 6, for ss's `dev` and `cgroup` filters; a record of ABI 4 or 5
	 * is 8 bytes shorter and had zeros here: not bound, cgroup unknown */
	__u32 bound_dev_if;   /* SO_BINDTODEVICE's ifindex; 0: not bound */
	__u64 cgroup_id;      /* the cgroup v2 the socket was made in (ss's cgroup); 0: unknown */
};

/* A timewait socket the previous pass showed in full, still there; it
 * has nothing else that can change (iter/tcp, delta passes). */
/* The end of a TCP socket (its move to CLOSE or TIME_WAIT): the run that
 * ends with that move, then the socket as the kernel had it then (origin
 * SS_SOCK_FINAL), each with its own header, in one ring reservation.
 * hdr.type of run is SS_EV_STATE_END and hdr.size the whole record's.
 * Two records cost two reservations, each an interrupt-disabling lock on
 * the ring, for every connection end. */
struct ss_state_end {
	struct ss_state_run run;
	struct ss_sock_info fin;
};

struct ss_sock_brief {
	struct ss_hdr hdr;
	__u64 cookie;
};

/* One open fd of a process to an inet socket (iter/task_file). */
struct ss_file_event {
	struct ss_hdr hdr;
	struct ss_task task; /* the process holding the fd: tid = tgid, its comm now */
	__u64 cookie;
	__u64 sk;
	__u32 inode;
	__s32 fd;
	__u32 netns;
	__u16 family;
	__u16 protocol;
	__u8 state;
	__u8 pad[7];
};

/* Latency histogram, log-linear: four buckets per power of two of the
 * value in ns (about 12 % wide), from 0 up to about 30 min. */
#define SS_HIST_BUCKETS 160

struct ss_hist {
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
	__u32 bucket[SS_HIST_BUCKETS];
};

/* Where received data spent its time, per socket (sock_journey map). */
struct ss_journey {
	struct ss_hist nic_to_queue;  /* entering the stack -> queued on the socket */
	struct ss_hist queue_to_read; /* queued on the socket -> copied to the app */
};

static inline __u32 ss_hist_bucket(__u64 v)
{
	if (v < 4)
		return (__u32)v;
	__u32 l = 0;
	__u64 x = v;
	if (x >> 32) { l += 32; x >>= 32; }
	if (x >> 16) { l += 16; x >>= 16; }
	if (x >> 8) { l += 8; x >>= 8; }
	if (x >> 4) { l += 4; x >>= 4; }
	if (x >> 2) { l += 2; x >>= 2; }
	if (x >> 1) { l += 1; }
	__u32 i = (l - 1) * 4 + (__u32)((v >> (l - 2)) & 3);
	return i < SS_HIST_BUCKETS ? i : SS_HIST_BUCKETS - 1;
}

/* The smallest value that falls in bucket i. */
static inline __u64 ss_hist_bucket_low(__u32 i)
{
	if (i < 4)
		return i;
	return (__u64)(4 + i % 4) << (i / 4 - 1);
}

/* Per network device: key of dev_stats, dev_names and (with reason)
 * dev_drops. ifindex 0 stands for "no device" (and the backlog NAPI). */
struct ss_dev_key {
	__u32 netns;
	__u32 ifindex;
};

/* Value of the per-CPU dev_stats map; userspace sums the CPUs. */
struct ss_dev_stats {
	__u64 rx_packets; /* at the stack's entry points, as the driver counts them */
	__u64 rx_bytes;   /* including the link-layer header */
	__u64 napi_polls;
	__u64 napi_work;  /* packets handled by those polls */
	__u64 napi_budget_exhausted; /* polls that used their whole budget */
	__u64 tx_queued;  /* net_dev_queue */
	__u64 tx_packets; /* net_dev_xmit that the driver accepted */
	__u64 tx_bytes;
	__u64 tx_errors;  /* net_dev_xmit refused by the driver */
};

struct ss_dev_name {
	char name[16];
};

struct ss_dev_drop_key {
	__u32 netns;
	__u32 ifindex;
	__u32 reason;
	__u32 pad;
};

struct ss_sock_drop_key {
	__u64 cookie;
	__u32 reason;
	__u32 pad;
};

/* Value of the per-socket LRU stats map, keyed by cookie. Counters only
 * grow; userspace reads the map in batches and applies the differences. */
struct ss_sock_stats {
	__u64 sk;
	__u64 bytes_sent;
	__u64 bytes_received;
	__u64 send_calls;
	__u64 recv_calls;
	__u64 send_ns; /* total time inside send-type syscalls */
	__u64 recv_ns;
	__u64 send_ns_max;
	__u64 recv_ns_max;
	__u64 last_send_ns; /* exit time of the last send / recv call */
	__u64 last_recv_ns;
	__u64 last_sample_ns; /* when occ was taken */
	__u64 last_emit_ns;   /* when a sample record was last emitted */
	struct ss_occupancy occ;     /* latest */
	struct ss_occupancy occ_max; /* high-water marks, field by field */
	__u32 owner_pid; /* last task that called a syscall on it */
	__u32 retrans_seen; /* kernel-side only: tcp_sock.total_retrans + 1 at the last retransmit, 0: none yet */
	/* sk_buff paths and TCP health (ABI 3) */
	struct ss_tcp_counters tcp;
	struct ss_tcp_metrics metrics; /* latest, from tcp_probe */
	__u64 metrics_ns;              /* when metrics was read */
	__u64 last_metrics_emit_ns;    /* last SS_TCP_METRICS record */
	__u8 zw_sent;   /* our advertised window is zero now */
	__u8 zw_recv;   /* the peer's window is zero now */
	__u8 probes_seen; /* icsk_probes_out last seen */
	__u8 pad2[5];
	__u64 last_net_emit_ns; /* last drop / retransmit record (throttle) */
	__u32 drops_suppressed;
	__u32 retrans_suppressed;
};

#endif /* SOCKSCOPE_ABI_H */
