// libFuzzer target: any bytes as a trace file, replayed into the model the
// way `sockscope list -r` does. A file that cannot be read must end in a
// UserError (a message for the user); anything else — a crash, a sanitizer
// report, another exception, unbounded memory — is a finding.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "model/socket_table.h"
#include "source/file_source.h"
#include "util/user_error.h"

using namespace sockscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // a real file descriptor: the reader's buffering and short reads are
  // part of what is tested
  int fd = memfd_create("trace", MFD_CLOEXEC);
  if (fd < 0) return 0;
  for (size_t off = 0; off < size;) {
    ssize_t w = write(fd, data + off, size - off);
    if (w <= 0) {
      close(fd);
      return 0;
    }
    off += size_t(w);
  }
  lseek(fd, 0, SEEK_SET);
  try {
    FileSource src("/proc/self/fd/" + std::to_string(fd));
    src.on_warning([](const std::string&) {});
    SocketTable table;
    while (src.poll(0, [&](const Event& e) { table.apply(e); })) {
    }
    table.expire(src.now_ns());
  } catch (const UserError&) {
  }
  close(fd);
  return 0;
}
