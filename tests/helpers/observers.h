// Independent observers: ss for queues and owners, bpftool for what is
// loaded in the kernel.
#pragma once

#include <cstdint>
#include <optional>
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

// One socket as `ss -[tu]anmeH` shows it.
struct SsSocket {
  std::string proto;  // "tcp" or "udp"
  std::string state;  // as ss prints it: ESTAB, TIME-WAIT, LISTEN, SYN-RECV, FIN-WAIT-1, UNCONN, ...
                      // "" when SsOptions::states names a single state (ss then omits the column)
  uint64_t recv_q = 0, send_q = 0;
  // As sockscope prints endpoints: "127.0.0.1:80", "[::1]:80", "0.0.0.0:*",
  // "[::]:*" (ss's "*" for an IPv6 wildcard becomes "[::]", a "%dev" suffix
  // is dropped).
  std::string local, peer;
  uint64_t cookie = 0;  // ss -e "sk:HEX": the socket cookie, as sockscope's "cookie"
  uint64_t inode = 0;   // ss -e "ino:" (0 for TIME-WAIT and request sockets)
  struct Owner {
    std::string comm;
    int pid = 0, fd = -1;
  };
  std::vector<Owner> owners;  // with SsOptions::processes: every process holding an fd
  // With SsOptions::info, TCP: ms since the last send/receive/ack, from the
  // kernel's own timestamps (ss omits a 0, which is then 0 here); unset
  // without -i, and for rows without TCP info (TIME-WAIT, SYN-RECV).
  std::optional<uint64_t> lastsnd_ms, lastrcv_ms, lastack_ms;
  std::string text;  // the row as ss printed it, continuation lines joined by " | "
};

struct SsOptions {
  bool info = false;       // -i: lastsnd/lastrcv/lastack
  bool processes = false;  // -p: owners
  std::string filter;      // an ss filter expression, e.g. "( sport = :80 or dport = :80 )"; "" for all
  // ss's leading state words, e.g. "state established exclude time-wait": ss
  // reads them only as words of their own, so they go unquoted before the filter
  std::string states;
};

// Every TCP (tcp) or UDP (!tcp) socket in the current network namespace:
// `ss -tanmeH` / `ss -uanmeH`, plus -i / -p as asked. TCP sockets in CLOSE
// (not yet bound, or reset with the fd still open) are not listed by ss.
std::vector<SsSocket> ss_snapshot(bool tcp, const SsOptions& o = {});

// sockscope's name for a state as ss prints it: for TCP "ESTAB" ->
// "ESTABLISHED", "TIME-WAIT" -> "TIME_WAIT", "SYN-RECV" -> "SYN_RECV",
// "FIN-WAIT-1" -> "FIN_WAIT1", "UNCONN" -> "CLOSE", ...; for UDP
// sockscope keeps ss's names, "ESTAB" (connected) and "UNCONN".
std::string sockscope_state(const std::string& proto, const std::string& ss_state);

// The port of an endpoint as printed above ("[::1]:80" -> 80); 0 for "*".
uint16_t endpoint_port(const std::string& endpoint);
// The address part ("[::1]:80" -> "[::1]", "127.0.0.1:80" -> "127.0.0.1").
std::string endpoint_host(const std::string& endpoint);

// Names of loaded BPF programs that look like sockscope's (ss_*).
std::vector<std::string> loaded_sockscope_progs();

// Loaded BPF programs whose name looks like sockscope's (ss_*), with ids.
struct BpfProg {
  uint32_t id = 0;
  std::string name;
};
std::vector<BpfProg> loaded_sockscope_prog_ids();
// The program id of every BPF link in the kernel (`bpftool -j link show`).
std::vector<uint32_t> bpf_link_prog_ids();

// Prerequisites for kernel tests; empty when all are there.
std::string kernel_test_blocker();

}  // namespace testing
