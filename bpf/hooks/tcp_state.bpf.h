/* TCP state changes.
 *
 * inet_sock_set_state rather than tcp_set_state: it is a stable tracepoint,
 * and it also fires from inet_csk_clone_lock for a listener's child
 * (SYN_RECV) and for the TIME_WAIT / CLOSE moves done outside tcp_set_state.
 * tp_btf gives a trusted sk, so the cookie is generated here if the socket
 * has none yet. */
#pragma once
#include "../lib/stats.bpf.h"
#include "../lib/tcp_read.bpf.h"
#include "../lib/state_run.bpf.h"
#include "../lib/call_record.bpf.h"

/* The move to CLOSE is the last moment the socket's counters can be read
 * (as tcplife does): a connection that lives between two iterator passes
 * still ends complete. A record on the stack, copied into the ring. */
static __always_inline void emit_final(struct sock *sk, __u8 state, __u64 now)
{
	struct ss_sock_info *r = reserve_at(SS_EV_SOCK, sizeof(*r), now);
	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	sock_info_init(r, SS_SOCK_FINAL, SS_SK_FULL, now);
	fill_sock_info(r, sk, state);
	submit(r);
}

/* listen(): the move to LISTEN happens inside it, in the listening
 * process, after the backlog is set (a listen() whose port check then fails
 * moves straight back to CLOSE, which the state record shows). */
static __always_inline void emit_listen(struct sock *sk, __u64 cookie, __u64 now)
{
	struct ss_syscall_event *e = call_record_at(SS_CALL_LISTEN, now);
	if (!e)
		return;
	fill_sock_id(&e->sock, sk);
	e->sock.cookie = cookie;
	e->sock.state = TCP_LISTEN;
	e->arg0 = sk->sk_max_ack_backlog;
	submit(e);
}

/* One record for one change: where state runs are off, or the socket's
 * storage could not be had (no memory). */
static __always_inline void emit_state(struct sock *sk, __u64 cookie, int oldstate, int newstate, __u64 now)
{
	struct ss_state_event *e = reserve_at(SS_EV_STATE, sizeof(*e), now);
	if (!e)
		return;
	fill_task(&e->task);
	fill_sock_id(&e->sock, sk);
	e->sock.cookie = cookie;
	e->old_state = oldstate;
	e->new_state = newstate;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	submit(e);
}

/* A kept first step of a listener's child (clone_steps), sent as a record
 * of its own: its time and task are the step's, not the sender's. */
static __always_inline void emit_kept_step(struct sock *sk, __u64 cookie, const struct ss_state_step *st)
{
	struct ss_state_event *e = reserve_at(SS_EV_STATE, sizeof(*e), st->ts_ns);
	if (!e)
		return;
	__builtin_memset(&e->task, 0, sizeof(e->task));
	e->task.pid = e->task.tid = st->pid;
	fill_sock_id(&e->sock, sk);
	e->sock.cookie = cookie;
	e->old_state = st->old_state;
	e->new_state = st->new_state;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	submit(e);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ss_tcp_state, const struct sock *csk, int oldstate, int newstate)
{
	struct sock *sk = (struct sock *)csk;
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	/* When the peer's FIN ends FIN_WAIT2 (or CLOSING), tcp_time_wait()
	 * hands the connection to a timewait socket, which keeps the cookie,
	 * and tcp_done() reports the full socket's move to CLOSE. ss shows that
	 * connection as TIME-WAIT, and so do we, but only if the timewait
	 * socket exists: it takes the full socket's place in the hash table
	 * before tcp_done(), so a full socket still hashed here means the
	 * kernel's timewait table was full (TCPTimeWaitOverflow) and the
	 * connection simply closed. A reset or timeout also ends in CLOSE but
	 * sets sk_err first. */
	if (newstate == TCP_CLOSE && (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING) &&
	    sk->sk_err == 0 && !sk->__sk_common.skc_nulls_node.pprev)
		newstate = TCP_TIME_WAIT;
	__u64 now = bpf_ktime_get_ns(); /* one clock read for every record below */
	__u64 key = (__u64)sk;
	/* A listener's child, just cloned: inet_csk_clone_lock reports it
	 * before it gives the child the request's cookie and ports, so the
	 * socket still reads as its listener (on 6.1 and 6.12 a cookie taken
	 * here is the listener's, and the step lands in the listener's run).
	 * The step waits by the child's address for its next change. */
	if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) {
		struct ss_state_step st = {.ts_ns = now,
					   .pid = bpf_get_current_pid_tgid() >> 32,
					   .old_state = TCP_LISTEN,
					   .new_state = TCP_SYN_RECV};
		bpf_map_update_elem(&clone_steps, &key, &st, BPF_ANY);
		return 0;
	}
	__u64 cookie = bpf_get_socket_cookie(sk);
	struct ss_state_step *kept = oldstate == TCP_SYN_RECV ? bpf_map_lookup_elem(&clone_steps, &key) : NULL;
	bool last = newstate == TCP_CLOSE || newstate == TCP_TIME_WAIT;
	struct state_run_buf *l = cfg_state_runs ? run_get(cookie) : NULL;
	bool final_sent = false;
	if (kept && !l)
		emit_kept_step(sk, cookie, kept);
	if (l) {
		if (kept)
			run_append_step(sk, l, cookie, kept->ts_ns, kept->pid, kept->old_state, kept->new_state, now);
		run_append(sk, l, cookie, oldstate, newstate, now);
		/* at the end, the run and the final read go as one record; with
		 * the packets tier on, every change goes out at once */
		if (last)
			final_sent = run_flush_end(sk, l, cookie, newstate, now);
		else if (packets_on)
			run_flush(sk, l, cookie, now);
		if (last)
			run_free(l, cookie);
		else if (packets_on)
			run_release(l, cookie);
	} else {
		emit_state(sk, cookie, oldstate, newstate, now);
	}
	if (kept)
		bpf_map_delete_elem(&clone_steps, &key);
	if (newstate == TCP_LISTEN && cgroup_lifecycle_on)
		emit_listen(sk, cookie, now);
	/* At the end the final record replaces a sample: the queues are about
	 * to be purged, and rcv_nxt already counts the peer's FIN, which a
	 * sample would show as one unread byte. */
	if (last && !final_sent)
		emit_final(sk, newstate, now);
	else if (!last && packets_on)
		sample_occupancy(sk, cookie, newstate, SS_SAMPLE_STATE);
	return 0;
}
