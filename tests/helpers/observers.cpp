#include "tests/helpers/observers.h"

#include <unistd.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/helpers/child.h"

namespace testing {

std::vector<SsRow> ss_rows(bool tcp, uint16_t port) {
  std::string cmd = std::string("ss ") + (tcp ? "-tanpH" : "-uanpH") + " '( sport = :" + std::to_string(port) +
                    " or dport = :" + std::to_string(port) + " )'";
  std::vector<SsRow> rows;
  std::istringstream in(run_capture(cmd));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    SsRow r;
    if (!(ls >> r.state >> r.recv_q >> r.send_q >> r.local >> r.peer)) continue;
    std::getline(ls, r.users);
    rows.push_back(r);
  }
  return rows;
}

std::vector<std::string> loaded_sockscope_progs() {
  std::vector<std::string> names;
  auto j = nlohmann::json::parse(run_capture("bpftool -j prog show 2>/dev/null"), nullptr, false);
  if (!j.is_array()) return names;
  for (const auto& p : j)
    if (p.contains("name") && p["name"].get<std::string>().rfind("ss_", 0) == 0) names.push_back(p["name"]);
  return names;
}

std::string kernel_test_blocker() {
  if (geteuid() != 0) return "not running as root";
  if (access("/sys/kernel/btf/vmlinux", F_OK) != 0) return "kernel has no BTF (/sys/kernel/btf/vmlinux)";
  if (access(sockscope_bin().c_str(), X_OK) != 0) return "sockscope binary not built: " + sockscope_bin();
  if (run_capture("command -v ss").empty()) return "ss (iproute2) is not installed";
  if (run_capture("command -v bpftool").empty()) return "bpftool is not installed";
  return "";
}

}  // namespace testing
