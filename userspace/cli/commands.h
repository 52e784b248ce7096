#pragma once

#include "options.h"

namespace sockscope {

int cmd_watch(const CommonOptions& o);
int cmd_list(const CommonOptions& o);
int cmd_nic(const CommonOptions& o);

}  // namespace sockscope
