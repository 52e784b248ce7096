#include "snapshot.h"

namespace sockscope::ui {

std::optional<Snapshot::Detail> take_detail(const SocketTable& table, uint64_t key, bool live) {
  const Socket* s = table.find(key);
  if (!s) return std::nullopt;
  Snapshot::Detail d{*s, {}};
  (void)live;  // TODO(helper): cgroup from /proc/<pid>/cgroup when live
  return d;
}

}  // namespace sockscope::ui
