// An output buffer on a file descriptor that keeps the errno of a failed
// write, so the user reads "No space left on device", not "write error".
#pragma once

#include <unistd.h>

#include <cerrno>
#include <streambuf>

namespace sockscope {

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

}  // namespace sockscope
