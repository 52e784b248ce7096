// An error the user can act on: its message says what went wrong and what
// to do. main() prints it as "sockscope: <message>" and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace sockscope {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& msg, int exit_code = 1)
      : std::runtime_error(msg), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace sockscope
