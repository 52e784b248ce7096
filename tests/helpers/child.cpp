#include "tests/helpers/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace testing {

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string run_capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

std::string sockscope_bin() {
  if (const char* b = getenv("SOCKSCOPE_BIN")) return b;
  return SOCKSCOPE_BIN_DEFAULT;
}

std::string temp_path(const std::string& name) {
  return std::string("/tmp/sockscope-test-") + std::to_string(getpid()) + "-" + name;
}

Child::Child(std::vector<std::string> argv, const std::string& out_path, const std::string& err_path)
    : out_path_(out_path), err_path_(err_path) {
  // Truncated before fork: a reused path must not show the previous run's
  // output to wait_for_stderr while the child is still starting.
  int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (o < 0 || e < 0) throw std::runtime_error("cannot create " + out_path + " or " + err_path);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(o);
  close(e);
}

Child::~Child() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool Child::wait_for_stderr(const std::string& text, double timeout_s) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    if (err().find(text) != std::string::npos) return true;
    int st;
    if (pid_ > 0 && wait4(pid_, &st, WNOHANG, &usage_) == pid_) {
      pid_ = -1;
      return err().find(text) != std::string::npos;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void Child::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int Child::wait(double timeout_s) {
  auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (pid_ > 0) {
    int st;
    pid_t r = wait4(pid_, &st, WNOHANG, &usage_);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    if (std::chrono::steady_clock::now() > end) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string Child::out() const { return read_file(out_path_); }
double Child::cpu_seconds() const {
  auto s = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return s(usage_.ru_utime) + s(usage_.ru_stime);
}
std::string Child::err() const { return read_file(err_path_); }

}  // namespace testing
