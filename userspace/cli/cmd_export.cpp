// `sockscope export`: a trace file as JSON Lines, CSV or a Perfetto timeline.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <streambuf>

#include <fmt/format.h>

#include "../export/exporter.h"
#include "../util/user_error.h"
#include "commands.h"
#include "session.h"
#include "signals.h"

namespace sockscope {
namespace {

// An output buffer on a file descriptor that keeps the errno of a failed
// write, so the user reads "No space left on device", not "write error".
class FdBuf : public std::streambuf {
 public:
  FdBuf(int fd, bool owned) : fd_(fd), owned_(owned) { setp(buf_, buf_ + sizeof buf_); }
  ~FdBuf() override {
    if (owned_) ::close(fd_);
  }
  int error() const { return err_; }
  // Writes what is buffered and closes an owned fd; false on failure.
  bool close() {
    bool ok = drain();
    if (owned_ && ::close(fd_) != 0 && ok) {
      err_ = errno;
      ok = false;
    }
    owned_ = false;
    return ok;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    if (err_) return false;
    for (char* p = pbase(); p < pptr();) {
      ssize_t n = ::write(fd_, p, size_t(pptr() - p));
      if (n < 0 && errno == EINTR) continue;  // Ctrl-C: the pipeline stops, the output still ends well
      if (n <= 0) {
        err_ = n < 0 ? errno : EIO;
        return false;
      }
      p += n;
    }
    setp(buf_, buf_ + sizeof buf_);
    return true;
  }

  int fd_;
  bool owned_;
  int err_ = 0;
  char buf_[1 << 16];
};

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
