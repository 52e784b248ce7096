/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel <-> daemon ABI: every record the BPF programs put in the ring
 * buffer, and the per-socket stats map value. Included by the BPF C and by
 * the C++ decoder, which checks the layout with static_assert
 * (userspace/source/abi_check.h).
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

#define SS_ABI_VERSION 2

#define SS_COMM_LEN 16
#define SS_ADDR_LEN 16

enum ss_event_type {
	SS_EV_STATE = 1,   /* TCP state change (inet_sock_set_state) */
	SS_EV_SYSCALL = 2, /* a socket syscall, with entry and exit time */
	SS_EV_SAMPLE = 3,  /* buffer occupancy sample (throttled) */
	SS_EV_TYPE_MAX = 3,
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
	SS_LOST_INFLIGHT = 2,  /* in-flight syscall map full: a call not seen */
	SS_LOST_KINDS = 3,
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

struct ss_syscall_event {
	struct ss_hdr hdr; /* ts_ns = exit time */
	struct ss_task task;
	struct ss_sock_id sock;
	__u64 enter_ns;
	__s64 ret;
	__s32 fd; /* the socket's fd (for accept: the new one) */
	__u16 call; /* enum ss_call */
	__u16 pad;
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
	__u32 pad;
};

#endif /* SOCKSCOPE_ABI_H */
