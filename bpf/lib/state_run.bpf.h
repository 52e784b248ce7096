/* A socket's TCP state changes, sent together.
 *
 * Each state change used to be a ring-buffer record of its own: about ten
 * per short connection, most of what the default tier wrote under churn.
 * Now the state hook appends the step (time, task, old and new state) to
 * the socket's entry in state_runs (maps.bpf.h), and the steps go out as
 * one record:
 *  - at the move to CLOSE (or TIME_WAIT), the socket's last one;
 *  - when the iterator pass visits the socket, so a socket that rests in a
 *    state shows how and when it got there within one sample interval;
 *  - when SS_RUN_STEPS wait, so none is overwritten.
 * A short connection's whole life is then one record per end. Each step
 * keeps its own time: nothing about "when" is lost, only the record is
 * later. A run not written (full ring) is counted as lost like any record;
 * its steps stay to be sent with the next one, and the pass heals the
 * state meanwhile. */
#pragma once
#include "emit.bpf.h"
#include "sock_read.bpf.h"
#include "tcp_read.bpf.h"

/* Fills a run record with the steps from sent to head (at most
 * SS_RUN_STEPS: after a lost run, the latest, since the oldest may be
 * overwritten). */
static __always_inline void run_fill(struct ss_state_run *r, struct sock *sk, struct state_run_buf *l, __u64 cookie,
				     __u64 sent, __u64 head)
{
	__u64 n = head - sent;
	if (n > SS_RUN_STEPS)
		n = SS_RUN_STEPS;
	fill_sock_id(&r->sock, sk);
	r->sock.cookie = cookie;
	r->n = n;
	__builtin_memset(r->pad, 0, sizeof(r->pad));
	__u64 first = head - n;
	for (__u32 i = 0; i < SS_RUN_STEPS; i++) {
		if (i < n)
			r->steps[i] = l->steps[(first + i) & (SS_RUN_RING - 1)];
		else
			__builtin_memset(&r->steps[i], 0, sizeof(r->steps[i]));
	}
}

/* Claims the steps a filled record carries. Whoever sends them claims
 * them with a compare-and-swap on sent; a flush that loses the race
 * discards its record, since the winner sent the same steps. */
static __always_inline bool run_claim(struct state_run_buf *l, __u64 sent, __u64 head)
{
	return __sync_val_compare_and_swap(&l->sent, sent, head) == sent;
}

/* Sends the steps not yet sent. The record's time: now (0, read after
 * head, so that no step it carries is later than it), or the state hook's
 * own reading, taken for the step it just wrote. */
static __always_inline void run_flush(struct sock *sk, struct state_run_buf *l, __u64 cookie, __u64 now)
{
	__u64 sent = l->sent;
	__u64 head = *(volatile __u64 *)&l->head;
	if (head == sent)
		return;
	struct ss_state_run *r = reserve_at(SS_EV_STATE_RUN, sizeof(*r), now ? now : bpf_ktime_get_ns());
	if (!r)
		return;
	run_fill(r, sk, l, cookie, sent, head);
	if (!run_claim(l, sent, head)) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return;
	}
	submit(r);
}

/* At the socket's end: the last run and the final read in one record
 * (ss_state_end), at the state hook's time now. False when nothing was
 * sent (no step waiting, the ring full, or a race lost): the caller then
 * sends the final read alone. */
static __always_inline bool run_flush_end(struct sock *sk, struct state_run_buf *l, __u64 cookie, __u8 state,
					  __u64 now)
{
	__u64 sent = l->sent;
	__u64 head = *(volatile __u64 *)&l->head;
	if (head == sent)
		return false;
	struct ss_state_end *r = reserve_at(SS_EV_STATE_END, sizeof(*r), now);
	if (!r)
		return false;
	run_fill(&r->run, sk, l, cookie, sent, head);
	__builtin_memset(&r->fin, 0, sizeof(r->fin));
	sock_info_init(&r->fin, SS_SOCK_FINAL, SS_SK_FULL, now);
	fill_sock_info(&r->fin, sk, state);
	if (!run_claim(l, sent, head)) {
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
		return false;
	}
	submit(r);
	return true;
}

/* Appends one step taken at ts by tgid pid; sends the run first when it
 * is full (at time now). */
static __always_inline void run_append_step(struct sock *sk, struct state_run_buf *l, __u64 cookie, __u64 ts,
					    __u32 pid, __u8 old_state, __u8 new_state, __u64 now)
{
	if (l->head - l->sent >= SS_RUN_STEPS)
		run_flush(sk, l, cookie, now);
	struct ss_state_step *s = &l->steps[l->head & (SS_RUN_RING - 1)];
	s->ts_ns = ts;
	s->pid = pid;
	s->old_state = old_state;
	s->new_state = new_state;
	s->pad[0] = s->pad[1] = 0;
	/* the step is whole before head counts it (a full barrier) */
	__sync_fetch_and_add(&l->head, 1);
}

/* Appends one step at time now, by the current task. */
static __always_inline void run_append(struct sock *sk, struct state_run_buf *l, __u64 cookie, __u8 old_state,
				       __u8 new_state, __u64 now)
{
	run_append_step(sk, l, cookie, now, bpf_get_current_pid_tgid() >> 32, old_state, new_state, now);
}

/* The socket's slot if it holds it, else NULL. */
static __always_inline struct state_run_buf *run_of(__u64 cookie)
{
	__u32 slot = cookie & (SS_RUN_SLOTS - 1);
	struct state_run_buf *l = bpf_map_lookup_elem(&state_runs, &slot);
	return l && *(volatile __u64 *)&l->cookie == cookie ? l : NULL;
}

/* The socket's slot, taken on its first change. NULL when another socket
 * holds it: the caller then sends the change as a record of its own. */
static __always_inline struct state_run_buf *run_get(__u64 cookie)
{
	__u32 slot = cookie & (SS_RUN_SLOTS - 1);
	struct state_run_buf *l = bpf_map_lookup_elem(&state_runs, &slot);
	if (!l)
		return NULL;
	__u64 holder = *(volatile __u64 *)&l->cookie;
	if (holder == cookie)
		return l;
	if (holder || __sync_val_compare_and_swap(&l->cookie, 0, cookie) != 0)
		return NULL;
	/* what the last holder left is not this socket's */
	l->sent = l->head;
	return l;
}

/* Gives the slot back, whatever it still holds (at the socket's end: a
 * run the full ring refused was counted as lost, and no later change
 * would send it). */
static __always_inline void run_free(struct state_run_buf *l, __u64 cookie)
{
	__sync_val_compare_and_swap(&l->cookie, cookie, 0);
}

/* After a flush: the slot goes back once every step it held was sent (a
 * flush the full ring refused leaves them, for the next one to send). */
static __always_inline void run_release(struct state_run_buf *l, __u64 cookie)
{
	if (l->sent == l->head)
		run_free(l, cookie);
}
