// Names of the kernel's drop and reset reasons, read from its BTF: the
// numbers change between kernel versions, so no table is kept in the code.
#pragma once

#include <string>

#include "model/reason_names.h"

struct btf;

namespace sockscope {

struct KernelReasons {
  ReasonNames names;
  std::string warning;  // empty, or one line for stderr: names fall back to reason_N
};

// Reads enum skb_drop_reason (SKB_DROP_REASON_ prefix stripped; other names
// such as SKB_CONSUMED kept as they are) and enum sk_rst_reason
// (SK_RST_REASON_ stripped). A missing enum leaves its table empty and says
// so in warning. btf may be null.
KernelReasons reason_names_from_btf(const struct btf* btf);

// The same, from the running kernel's BTF. Never throws.
KernelReasons load_kernel_reasons();

}  // namespace sockscope
