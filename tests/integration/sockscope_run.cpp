#include "tests/integration/sockscope_run.h"

#include <csignal>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

namespace testing {

SockscopeRun::SockscopeRun(std::vector<std::string> args, const std::string& tag) {
  args.insert(args.begin(), sockscope_bin());
  child_ = std::make_unique<Child>(args, temp_path(tag + ".out"), temp_path(tag + ".err"));
  bool up = child_->wait_for_stderr("probes attached", 30);
  INFO("sockscope stderr: " << child_->err());
  REQUIRE(up);
  // probes that could not attach are reported; on this kernel there are none
  REQUIRE(child_->err().find("not attached") == std::string::npos);
}

int SockscopeRun::stop(int sig) {
  child_->signal(sig);
  return child_->wait(20);
}

std::vector<nlohmann::json> SockscopeRun::json_lines() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(child_->out());
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

nlohmann::json SockscopeRun::json_doc() const { return nlohmann::json::parse(child_->out()); }

long long SockscopeRun::summary(const std::string& key) const {
  std::smatch m;
  std::string err = child_->err();
  std::regex re("sockscope: events=.*\\b" + key + "=([0-9]+)");
  if (!std::regex_search(err, m, re)) return -1;
  return std::stoll(m[1]);
}

Finished run_to_end(std::vector<std::string> args, const std::string& tag, double timeout_s) {
  args.insert(args.begin(), sockscope_bin());
  Child c(args, temp_path(tag + ".out"), temp_path(tag + ".err"));
  Finished f;
  f.status = c.wait(timeout_s);
  f.out = c.out();
  f.err = c.err();
  return f;
}

}  // namespace testing
