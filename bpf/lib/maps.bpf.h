/* Maps shared by every hook. Sizes are set by userspace before load. */
#pragma once
#include "../abi/sockscope_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* High-volume counters and the latest occupancy, per socket cookie. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct ss_sock_stats);
} sock_stats SEC(".maps");

/* Lost-event counters by enum ss_lost_kind. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SS_LOST_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} lost_counts SEC(".maps");

/* The socket syscall a thread is in, between its entry and exit: in task
 * storage, which the kernel frees with the thread (one that dies inside a
 * call leaves nothing behind) and which costs no hash update per call. */
struct inflight {
	__u64 enter_ns;
	__u64 sk;
	__u64 cookie;
	__u64 arg0;
	__u64 arg1;
	__u64 arg2;
	__s32 fd;
	__u16 call; /* SS_CALL_*; 0: no call in flight */
	__u16 addr_family;
	__u16 addr_port;
	__u8 pad[6];
	__u8 addr[SS_ADDR_LEN];
	struct ss_sock_id sock; /* identity read at entry (close: gone at exit) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight_calls SEC(".maps");

/* A socket's state changes waiting to travel together (state_run.bpf.h),
 * in the slot its cookie picks: cookie mod SS_RUN_SLOTS. A slot belongs
 * to one socket from its first state change until its steps are sent: at
 * the move to CLOSE or TIME_WAIT, or by the iterator pass, which frees it
 * once all are sent; so only sockets that changed since the last pass hold
 * one. A socket whose slot another holds sends its changes one record
 * each, as without runs: nothing is lost, it only costs more.
 * Not socket-local storage, which is allocated per socket and freed
 * through RCU (a third of the default tier's time under connection churn,
 * in slab allocation), nor a hash keyed by cookie, whose bucket locks and
 * lookups were 40 % of the state hook's time: an array lookup is inlined
 * by the verifier, and a slot is taken and given back with one
 * compare-and-swap each. The kernel hands out cookies in ascending runs
 * (a batch per CPU), so sockets made close together never share a slot.
 * head and sent count steps ever written and ever sent. Every writer holds
 * the socket's lock (the state hook runs under it, the tcp iterator takes
 * it for each full socket), and a flush still claims the steps it sent
 * with a compare-and-swap on sent, so no step goes out twice. */
#define SS_RUN_SLOTS 16384
struct state_run_buf {
	__u64 cookie; /* the socket holding the slot; 0: free */
	__u64 head;   /* 64-bit: the compare-and-swap takes no other width before -mcpu=v3 */
	__u64 sent;
	struct ss_state_step steps[SS_RUN_RING];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SS_RUN_SLOTS);
	__type(key, __u32);
	__type(value, struct state_run_buf);
} state_runs SEC(".maps");

/* A listener's child at its first step (LISTEN -> SYN_RECV), kept by the
 * child's address until its next change (hooks/tcp_state.bpf.h): at that
 * first step the kernel has not yet given the child its own cookie and
 * ports (inet_csk_clone_lock copies the listener's, then sets them), so
 * neither can say whose step it is. LRU: a child that dies unseen is
 * forgotten, never leaked. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct ss_state_step);
} clone_steps SEC(".maps");

/* Drops per socket and reason: exact counts that a full ring buffer
 * cannot lose. Entries of closed sockets are deleted by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ss_sock_drop_key);
	__type(value, __u64);
} sock_drops SEC(".maps");

/* Per-socket latency histograms of received data (see hooks/journey). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct ss_journey);
} sock_journey SEC(".maps");

/* Per-skb timestamps on the receive path, keyed by skb address. LRU: an
 * skb that never reaches a socket (forwarded, dropped, a pure ACK) is
 * simply forgotten. Every received skb passes an entry point that
 * overwrites its entry, so a reused address cannot inherit a stale time. */
struct skb_mark {
	__u64 nic_ns;   /* entered the stack; 0: not seen */
	__u64 queue_ns; /* queued on a socket; 0: not yet */
	__u64 cookie;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct skb_mark);
} skb_marks SEC(".maps");

/* Per network device counters, per CPU: updated on every packet. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ss_dev_key);
	__type(value, struct ss_dev_stats);
} dev_stats SEC(".maps");

/* Device names as the kernel had them when first seen (devices in other
 * network namespaces cannot be named from userspace). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ss_dev_key);
	__type(value, struct ss_dev_name);
} dev_names SEC(".maps");

/* Drops per device and reason, per CPU; ifindex 0: no device. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ss_dev_drop_key);
	__type(value, __u64);
} dev_drops SEC(".maps");
