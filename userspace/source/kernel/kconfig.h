// The values the BPF side takes from the kernel's build configuration
// (its __kconfig externs: CONFIG_HZ, to turn jiffies into time).
//
// libbpf reads them from /proc/config.gz or /boot/config-RELEASE, and
// when neither is there (a container without /boot, a kernel built
// without IKCONFIG, as Debian's are, booted from elsewhere) it refuses to
// load the object at all, weak externs or not. Then the loader gives it
// the values itself, measured on the running kernel.
#pragma once

#include <cstdint>
#include <string>

namespace sockscope {

// "" when libbpf will find the kernel's config file itself; otherwise the
// config text to give it instead ("CONFIG_HZ=N\n"), with a note for the
// user in *note.
std::string kconfig_fallback(std::string* note);

// The tick rate from two readings of (monotonic ns, jiffies): the common
// rate (100, 250, 300, 1000) nearest to what was measured, or 0 when the
// readings make no sense (the BPF side then reports jiffies-based ages as
// unknown rather than guess).
unsigned hz_from(uint64_t ns0, uint64_t jiffies0, uint64_t ns1, uint64_t jiffies1);

}  // namespace sockscope
