// Shared by the rule files: each adds the findings of its kinds.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "diagnosis/diagnose.h"

namespace sockscope::rules {

using Out = std::vector<Finding>;

void app_not_reading(const DiagnoseInput& in, Out& out);
void rcvbuf_limited(const DiagnoseInput& in, Out& out);
void peer_not_reading(const DiagnoseInput& in, Out& out);
void send_blocked(const DiagnoseInput& in, Out& out);
void close_wait_leak(const DiagnoseInput& in, Out& out);
void fin_wait2_stuck(const DiagnoseInput& in, Out& out);
void idle_no_keepalive(const DiagnoseInput& in, Out& out);
void syn_unanswered(const DiagnoseInput& in, Out& out);
void connection_refused(const DiagnoseInput& in, Out& out);
void accept_queue_overflow(const DiagnoseInput& in, Out& out);
void retransmit_storm(const DiagnoseInput& in, Out& out);
void rst_storm(const DiagnoseInput& in, Out& out);
void napi_budget_exhausted(const DiagnoseInput& in, Out& out);
void fd_leak(const DiagnoseInput& in, Out& out);

// Folds findings that share a cause into the one naming it (causes.cpp).
void group_by_cause(const DiagnoseInput& in, Out& out);

// A finding about socket s, its identity and owner filled in.
Finding about(const DiagnoseInput& in, const Socket& s, FindingKind k, Severity sev, uint64_t since_ns);
// Sockets the per-socket rules look at: those the filter admits that
// may_flag() keeps, listed once per run (in the table's order: the
// findings are sorted afterwards).
const std::vector<const Socket*>& sockets(const DiagnoseInput& in);
// Every socket the filter admits.
const std::vector<const Socket*>& admitted(const DiagnoseInput& in);
// Whether any rule that walks sockets(in) could flag s: the union of their
// first tests on the socket's own fields, looser than each. It keeps the
// rules from walking a table of TIME_WAIT and closed sockets (a host under
// churn) once each: a rule that flags a socket for a reason not here must
// add it here (tests/unit/test_diagnose.cpp checks that the rules
// give the same findings with and without it).
bool may_flag(const DiagnoseInput& in, const Socket& s);
// "2026-11-21T10:04:05.123Z" for an events'-clock time.
std::string wall(const DiagnoseInput& in, uint64_t ts_ns);
// The same as evidence: null ("never" in text) when ts is 0.
nlohmann::ordered_json wall_or_never(const DiagnoseInput& in, uint64_t ts_ns);
// A socket's drops with this kernel drop reason (by name: the codes differ
// between kernels). No string is made: it runs for every socket.
uint64_t drops_named(const DiagnoseInput& in, const Socket& s, std::string_view name);
// Whether the -p filter (if any) admits this process.
bool admits_pid(const DiagnoseInput& in, uint32_t pid);
double seconds(uint64_t ns);
// now - t in seconds, 0 when t is 0 or later than now.
double age_s(const DiagnoseInput& in, uint64_t t);

}  // namespace sockscope::rules
