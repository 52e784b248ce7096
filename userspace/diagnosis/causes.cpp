// Findings that share a cause become one. With a backlog-1 listener and
// twenty connecting clients the rules name eighteen sockets whose SYNs go
// unanswered and one listener whose queue overflows; a person needs the
// listener first, with the waiting sockets counted under it, not eighteen
// identical alarms above it.
#include <algorithm>
#include <map>

#include "diagnosis/rules.h"

namespace sockscope::rules {
namespace {

bool wildcard(const Endpoint& e) {
  return std::all_of(e.addr.begin(), e.addr.end(), [](uint8_t b) { return b == 0; });
}

bool loopback(const SockId& id) {
  const auto& a = id.remote.addr;
  if (id.family == 2) return a[0] == 127;  // AF_INET
  static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  bool mapped = std::equal(kMapped.begin(), kMapped.end(), a.begin());
  bool one = std::all_of(a.begin(), a.begin() + 15, [](uint8_t b) { return b == 0; }) && a[15] == 1;
  return one || (mapped && a[12] == 127);
}

// Whether the client's SYNs go to this listener. A loopback address is
// only the same listener within one network namespace; any other address
// may be another namespace's (a veth peer), so the address decides.
bool reaches(const Socket& listener, const Socket& client) {
  const Endpoint& to = client.id.remote;
  if (listener.id.local.port != to.port) return false;
  if (!wildcard(listener.id.local) && listener.id.local.addr != to.addr) return false;
  return !loopback(client.id) || listener.id.netns == client.id.netns;
}

Affected affected_from(const Finding& f) {
  return {f.kind, f.cookie, f.pid, f.comm, f.local, f.remote, f.state, f.since_ns};
}

// Symptom -> cause: unanswered SYNs to a listener sockscope sees
// overflowing go under that listener's finding.
void under_listeners(const DiagnoseInput& in, Out& out, std::vector<bool>& gone) {
  for (size_t c = 0; c < out.size(); ++c) {
    if (out[c].kind != FindingKind::AcceptQueueOverflow) continue;
    const Socket* l = in.table.find(out[c].cookie);
    if (!l) continue;
    for (size_t i = 0; i < out.size(); ++i) {
      if (gone[i] || out[i].kind != FindingKind::SynUnanswered) continue;
      const Socket* s = in.table.find(out[i].cookie);
      if (!s || !reaches(*l, *s)) continue;
      out[c].affected.push_back(affected_from(out[i]));
      gone[i] = true;
    }
    if (out[c].affected.empty()) continue;
    size_t n = out[c].affected.size();
    out[c].summary += fmt::format("; {} connecting socket{} wait{} on it with unanswered SYNs", n,
                                  n == 1 ? "" : "s", n == 1 ? "s" : "");
    out[c].evidence["affected_sockets"] = n;
  }
}

// The same symptom with the same peer is one cause seen several times:
// SYNs to one destination that nothing answers.
void same_peer(Out& out, std::vector<bool>& gone) {
  std::map<std::string, size_t> first;  // remote -> the finding that stays
  for (size_t i = 0; i < out.size(); ++i) {
    if (gone[i] || out[i].kind != FindingKind::SynUnanswered) continue;
    auto [it, fresh] = first.try_emplace(out[i].remote, i);
    if (fresh) continue;
    Finding& keep = out[it->second];
    // the one that began first names the group
    if (std::tie(out[i].since_ns, out[i].cookie) < std::tie(keep.since_ns, keep.cookie)) std::swap(keep, out[i]);
    keep.affected.push_back(affected_from(out[i]));
    gone[i] = true;
  }
  for (const auto& [remote, i] : first) {
    Finding& f = out[i];
    if (f.affected.empty()) continue;
    size_t n = f.affected.size() + 1;
    f.summary = fmt::format("{} connects to {} get no answer to their SYNs: the peer is unreachable or a firewall "
                            "drops the SYNs, or the server's accept queue is full (the first is shown, the others "
                            "listed)",
                            n, remote);
    f.evidence["affected_sockets"] = f.affected.size();
  }
}

}  // namespace

void group_by_cause(const DiagnoseInput& in, Out& out) {
  std::vector<bool> gone(out.size(), false);
  under_listeners(in, out, gone);
  same_peer(out, gone);
  size_t i = 0;
  std::erase_if(out, [&](const Finding&) { return gone[i++]; });
}

}  // namespace sockscope::rules
