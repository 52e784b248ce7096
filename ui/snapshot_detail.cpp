// The selected socket's copy, and what only this host can say about its
// owner: the cgroup (a trace does not record it).
#include <fstream>
#include <string>

#include "ui/snapshot.h"

namespace sockscope::ui {
namespace {

// The unified hierarchy's path ("0::/system.slice/nginx.service"); empty
// when the process is gone or the file cannot be read.
std::string cgroup_of(uint32_t pid) {
  if (!pid) return {};
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  // a handful of lines (one per v1 hierarchy at most): bounded anyway
  std::string line;
  for (int i = 0; i < 64 && std::getline(in, line); ++i)
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return {};
}

}  // namespace

std::optional<Snapshot::Detail> take_detail(const SocketTable& table, uint64_t key, bool live) {
  const Socket* s = table.find(key);
  if (!s) return std::nullopt;
  Snapshot::Detail d{*s, {}, {}, {}};
  if (live) d.cgroup = cgroup_of(s->owner.pid);
  const uint64_t end = s->closed ? s->closed_ns : UINT64_MAX;
  for (const GapMark& g : table.gaps())
    if (g.ts_ns >= s->first_seen_ns && g.ts_ns <= end) d.gaps.push_back(g);
  return d;
}

}  // namespace sockscope::ui
