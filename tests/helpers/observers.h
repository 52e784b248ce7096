// Independent observers: ss for queues and owners, bpftool for what is
// loaded in the kernel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace testing {

struct SsRow {
  std::string state;
  uint64_t recv_q = 0, send_q = 0;
  std::string local, peer;
  std::string users;  // users:(("comm",pid=N,fd=M))
};

// `ss -tanpH` (or -uanpH) rows with this local or peer port.
std::vector<SsRow> ss_rows(bool tcp, uint16_t port);

// Names of loaded BPF programs that look like sockscope's (ss_*).
std::vector<std::string> loaded_sockscope_progs();

// Prerequisites for kernel tests; empty when all are there.
std::string kernel_test_blocker();

}  // namespace testing
