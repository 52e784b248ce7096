// `sockscope export`: a trace file as JSON Lines, CSV or a Perfetto timeline.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "export/exporter.h"
#include "run/session.h"
#include "run/signals.h"
#include "util/fd_buf.h"
#include "util/user_error.h"

namespace sockscope {
namespace {

// The output file, private (0600) like a trace: it names processes and peers.
// Opened without O_TRUNC so that naming the trace being read loses nothing.
int open_output(const std::string& path, const std::string& trace_path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw UserError(fmt::format("cannot create {}: {}; check that the directory exists and is writable", path,
                                strerror(errno)));
  // only a regular file is made private and emptied: -o /dev/null must stay as it is
  struct stat st {}, in {};
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && stat(trace_path.c_str(), &in) == 0 && st.st_dev == in.st_dev && st.st_ino == in.st_ino) {
    ::close(fd);
    throw UserError(fmt::format("{} is the trace being read; choose another -o", path), 2);
  }
  if (regular && (fchmod(fd, 0600) != 0 || ftruncate(fd, 0) != 0)) {
    int err = errno;
    ::close(fd);
    throw UserError(fmt::format("cannot make {} private (mode 0600) and empty it: {}; remove it or choose another -o",
                                path, strerror(err)));
  }
  return fd;
}

}  // namespace

int cmd_export(const ExportOptions& o) {
  if (o.common.read_path.empty()) throw UserError("export converts a trace file: give it with -r FILE", 2);
  Session run(o.common);
  bool to_stdout = o.output.empty() || o.output == "-";
  FdBuf buf(to_stdout ? STDOUT_FILENO : open_output(o.output, o.common.read_path), !to_stdout);
  std::ostream out(&buf);
  ExportContext ctx{&run.src().reason_names(), run.src().wall_offset_ns(), &o.common.filter};
  auto exporter = make_exporter(o.format, out, ctx);
  run.run([&](const Event& e, const Socket* s) {
    exporter->on_event(e, s);
    if (!out) request_stop();  // disk full, or the reader went away: reading on is no use
  });
  exporter->finish(run.table(), run.end_ns());
  bool written = out.flush() && buf.close();
  run.finish();
  if (!written)
    throw UserError(fmt::format("cannot write {}: {}; the export is incomplete", to_stdout ? "to stdout" : o.output,
                                strerror(buf.error() ? buf.error() : EIO)));
  return 0;
}

}  // namespace sockscope
