#include "source/kernel/kernel_enums.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace sockscope {
namespace {

struct EnumSpec {
  const char* type;    // enum name in BTF
  std::string_view prefix;
  std::unordered_map<uint32_t, std::string>* out;
  bool found = false;
};

// Sentinels, not reasons: SKB_DROP_REASON_MAX would name an unused code, and
// SUBSYS_MASK would name 0xffff0000, which subsystem codes decode instead.
bool sentinel(std::string_view rest) { return rest == "MAX" || rest == "SUBSYS_MASK"; }

void add(EnumSpec& spec, std::string_view name, uint64_t value) {
  if (value > UINT32_MAX) return;  // reasons are u32 in every tracepoint
  if (name.substr(0, spec.prefix.size()) == spec.prefix) {
    name.remove_prefix(spec.prefix.size());
    if (sentinel(name)) return;
  }
  // the first name for a value wins, as the kernel's tracepoint printer does
  spec.out->emplace(uint32_t(value), std::string(name));
}

void read_enum(const btf* b, const btf_type* t, EnumSpec& spec) {
  uint16_t n = btf_vlen(t);
  if (btf_is_enum(t)) {
    const struct btf_enum* e = btf_enum(t);
    // BTF stores 32-bit enum values as s32; the reasons are unsigned
    for (uint16_t i = 0; i < n; ++i) add(spec, btf__name_by_offset(b, e[i].name_off), uint32_t(e[i].val));
  } else {
    const struct btf_enum64* e = btf_enum64(t);
    for (uint16_t i = 0; i < n; ++i) add(spec, btf__name_by_offset(b, e[i].name_off), btf_enum64_value(&e[i]));
  }
}

}  // namespace

KernelReasons reason_names_from_btf(const struct btf* b) {
  KernelReasons r;
  EnumSpec specs[] = {
      {"skb_drop_reason", "SKB_DROP_REASON_", &r.names.drop},
      {"sk_rst_reason", "SK_RST_REASON_", &r.names.reset},
  };
  if (!b) {
    r.warning = "the kernel's BTF could not be read: drop and reset reasons are shown as numbers (reason_N)";
    return r;
  }
  // One pass over every type; a forward declaration (no values) is not the enum.
  uint32_t count = btf__type_cnt(b);
  for (uint32_t id = 1; id < count; ++id) {
    const btf_type* t = btf__type_by_id(b, id);
    if (!t || !(btf_is_enum(t) || btf_is_enum64(t)) || btf_vlen(t) == 0) continue;
    const char* name = btf__name_by_offset(b, t->name_off);
    if (!name) continue;
    for (auto& s : specs)
      if (!s.found && std::strcmp(name, s.type) == 0) {
        s.found = true;
        read_enum(b, t, s);
      }
  }
  for (const auto& s : specs) {
    if (s.found) continue;
    if (!r.warning.empty()) r.warning += "; ";
    r.warning += fmt::format("this kernel's BTF has no enum {}: its reasons are shown as numbers (reason_N)", s.type);
  }
  return r;
}

KernelReasons load_kernel_reasons() {
  btf* b = btf__load_vmlinux_btf();
  int err = errno;
  if (!b || libbpf_get_error(b)) {
    KernelReasons r = reason_names_from_btf(nullptr);
    r.warning = fmt::format("reading the kernel's BTF failed ({}): drop and reset reasons are shown as numbers (reason_N)",
                            std::strerror(err));
    return r;
  }
  KernelReasons r = reason_names_from_btf(b);
  btf__free(b);
  return r;
}

}  // namespace sockscope
