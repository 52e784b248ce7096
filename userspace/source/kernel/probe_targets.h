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

// Whether the kernel has the bpf_rdonly_cast kfunc (Linux 6.2+), which the
// main BPF object calls; without it the loader takes the object built
// without (bpf/lib/sock_read.bpf.h, SS_NO_RDONLY_CAST).
bool kernel_has_rdonly_cast();

// Whether the kernel's BTF tracepoint name has at least n arguments (a
// later kernel's added one); false when the tracepoint is unknown.
bool tracepoint_has_arg(const std::string& name, int n);

}  // namespace sockscope
