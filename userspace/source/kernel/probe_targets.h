// Which of sockscope's BPF programs this kernel can run: the hook must exist
// (and carry the arguments the program reads). Shared by the loader and the
// benchmark's floor, so both attach to the same set of hooks.
#pragma once

#include <string>
#include <vector>

struct btf;

namespace sockscope {

// Why this kernel cannot run the program in this ELF section
// ("tp_btf/NAME", "tracepoint/CAT/NAME", "raw_tp/NAME"), or "" when it can.
std::string missing_target(const std::string& section, const btf* vmlinux);

// The other half of a syscall enter/exit pair, or "".
std::string pair_of(const std::string& section);

// For each section: "" or why it is skipped (its hook is missing, or the
// other half of its syscall pair is).
std::vector<std::string> skip_reasons(const std::vector<std::string>& sections);

// What the loader asks of the kernel's BTF before load, read in one pass
// (the BTF is megabytes: parsed once, not once per question). All false
// when the BTF cannot be read.
struct KernelFeatures {
  // the bpf_rdonly_cast kfunc (6.2+), which the main BPF object calls;
  // without it the loader takes the object built without
  // (bpf/lib/sock_read.bpf.h, SS_NO_RDONLY_CAST)
  bool rdonly_cast = false;
  // arguments tracepoints gained later (bpf/lib/config.bpf.h)
  bool kfree_skb_rx_sk = false;
  bool udp_fail_skb = false;
  bool retransmit_err = false;
  bool send_reset_reason = false;
  // tcp_send_reset fires for a segment no socket wanted (6.9+): its own
  // event struct replaced the shared one then
  bool reset_tp_no_socket = false;
};
KernelFeatures kernel_features();

}  // namespace sockscope
