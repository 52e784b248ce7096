// Compile-time check that the C++ side sees the ABI header's layouts as the
// BPF side does: a changed field without a version bump fails the build.
#pragma once

#include <cstddef>

#include "sockscope_abi.h"

static_assert(SS_ABI_VERSION == 2, "ABI changed: update the decoder and these checks");
static_assert(sizeof(ss_hdr) == 16 && offsetof(ss_hdr, ts_ns) == 8);
static_assert(sizeof(ss_task) == 24);
static_assert(sizeof(ss_sock_id) == 72 && offsetof(ss_sock_id, inode) == 20 &&
              offsetof(ss_sock_id, saddr) == 40 && offsetof(ss_sock_id, daddr) == 56);
static_assert(sizeof(ss_state_event) == 120 && offsetof(ss_state_event, old_state) == 112);
static_assert(sizeof(ss_syscall_event) == 184 && offsetof(ss_syscall_event, enter_ns) == 112 &&
              offsetof(ss_syscall_event, call) == 132 && offsetof(ss_syscall_event, addr) == 168);
static_assert(sizeof(ss_occupancy) == 32);
static_assert(sizeof(ss_sample_event) == 128 && offsetof(ss_sample_event, why) == 120);
static_assert(sizeof(ss_sock_stats) == 176 && offsetof(ss_sock_stats, occ) == 104 &&
              offsetof(ss_sock_stats, owner_pid) == 168);
