// ss's `dev NAME` and `cgroup PATH` name things on this host: the
// device's ifindex and the cgroup's id are looked up here, once, before a
// filter is used (as ss looks them up where it runs).
#pragma once

#include "model/ss_filter.h"

namespace sockscope {

// Sets value on every dev and cgroup term of the tree; throws FilterError
// at the term when the device or cgroup does not exist.
void resolve_bindings(FilterNode& n);

}  // namespace sockscope
