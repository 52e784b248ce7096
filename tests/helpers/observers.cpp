#include "tests/helpers/observers.h"

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/helpers/child.h"

namespace testing {

namespace {

// A row's State (when there is one), Recv-Q, Send-Q, local and peer: ss
// leaves out the State column when a state filter names one state.
template <typename Row>
bool read_ss_columns(std::istream& ls, Row& r) {
  std::string first;
  if (!(ls >> first)) return false;
  if (first.find_first_not_of("0123456789") == std::string::npos) {
    r.recv_q = std::stoull(first);
    return bool(ls >> r.send_q >> r.local >> r.peer);
  }
  r.state = first;
  return bool(ls >> r.recv_q >> r.send_q >> r.local >> r.peer);
}

}  // namespace

std::vector<SsRow> ss_rows(bool tcp, uint16_t port) {
  std::string cmd = std::string("ss ") + (tcp ? "-tanpH" : "-uanpH") + " '( sport = :" + std::to_string(port) +
                    " or dport = :" + std::to_string(port) + " )'";
  std::vector<SsRow> rows;
  std::istringstream in(run_capture(cmd));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    SsRow r;
    if (!read_ss_columns(ls, r)) continue;
    std::getline(ls, r.users);
    rows.push_back(r);
  }
  return rows;
}

namespace {

// ss's spelling of an endpoint to sockscope's: "[::1]%lo:80" -> "[::1]:80",
// "*:80" (an IPv6 wildcard that is not v6only) -> "[::]:80".
std::string normalise_endpoint(std::string e) {
  if (size_t pct = e.find('%'); pct != std::string::npos) {
    size_t colon = e.rfind(':');
    if (colon != std::string::npos && colon > pct) e.erase(pct, colon - pct);
  }
  if (e.rfind("*:", 0) == 0) e = "[::]" + e.substr(1);
  return e;
}

// The number after " name:" in a row (base 16 for sk:). A plain search, not
// a regex: a busy host's snapshot has tens of thousands of rows.
std::optional<uint64_t> field_u64(const std::string& text, const std::string& name, int base = 10) {
  const std::string key = name + ":";
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
    if (at > 0 && text[at - 1] != ' ' && text[at - 1] != '\t') continue;
    const char* p = text.c_str() + at + key.size();
    char* end = nullptr;
    uint64_t v = std::strtoull(p, &end, base);
    if (end != p) return v;
  }
  return std::nullopt;
}

}  // namespace

std::vector<SsSocket> ss_snapshot(bool tcp, const SsOptions& o) {
  std::string flags = std::string("-") + (tcp ? "t" : "u") + "anmeH" + (o.info ? "i" : "") + (o.processes ? "p" : "");
  std::string cmd = "ss " + flags + (o.states.empty() ? "" : " " + o.states) +
                    (o.filter.empty() ? "" : " '" + o.filter + "'");
  std::istringstream in(run_capture(cmd));
  std::vector<SsSocket> rows;
  std::vector<std::string> texts;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line[0] == ' ' || line[0] == '\t') {  // the -m / -i continuation of the row above
      if (!texts.empty()) texts.back() += " | " + line.substr(line.find_first_not_of(" \t"));
      continue;
    }
    std::istringstream ls(line);
    SsSocket r;
    r.proto = tcp ? "tcp" : "udp";
    if (!read_ss_columns(ls, r)) continue;
    r.local = normalise_endpoint(r.local);
    r.peer = normalise_endpoint(r.peer);
    rows.push_back(std::move(r));
    texts.push_back(line);
  }
  static const std::regex user_re("\\(\"((?:[^\"\\\\]|\\\\.)*)\",pid=([0-9]+),fd=([0-9]+)\\)");
  for (size_t i = 0; i < rows.size(); ++i) {
    SsSocket& r = rows[i];
    r.text = texts[i];
    // trailing blanks ss pads rows with
    while (!r.text.empty() && (r.text.back() == ' ' || r.text.back() == '|')) r.text.pop_back();
    r.cookie = field_u64(r.text, "sk", 16).value_or(0);
    r.inode = field_u64(r.text, "ino").value_or(0);
    if (o.processes) {
      size_t users = r.text.find("users:((");
      if (users != std::string::npos) {
        std::string u = r.text.substr(users);
        for (std::sregex_iterator it(u.begin(), u.end(), user_re), end; it != end; ++it)
          r.owners.push_back({(*it)[1], std::stoi((*it)[2]), std::stoi((*it)[3])});
      }
    }
    if (o.info && tcp && r.state != "TIME-WAIT" && r.state != "SYN-RECV") {
      r.lastsnd_ms = field_u64(r.text, "lastsnd").value_or(0);
      r.lastrcv_ms = field_u64(r.text, "lastrcv").value_or(0);
      r.lastack_ms = field_u64(r.text, "lastack").value_or(0);
    }
  }
  return rows;
}

std::string sockscope_state(const std::string& proto, const std::string& ss_state) {
  if (proto == "udp") return ss_state;  // sockscope prints "ESTAB" and "UNCONN" for UDP, as ss does
  static const std::map<std::string, std::string> kTcp = {
      {"ESTAB", "ESTABLISHED"},       {"SYN-SENT", "SYN_SENT"},     {"SYN-RECV", "SYN_RECV"},
      {"FIN-WAIT-1", "FIN_WAIT1"},    {"FIN-WAIT-2", "FIN_WAIT2"},  {"TIME-WAIT", "TIME_WAIT"},
      {"UNCONN", "CLOSE"},            {"CLOSE-WAIT", "CLOSE_WAIT"}, {"LAST-ACK", "LAST_ACK"},
      {"LISTEN", "LISTEN"},           {"CLOSING", "CLOSING"},       {"BOUND-INACTIVE", "BOUND_INACTIVE"},
  };
  auto it = kTcp.find(ss_state);
  return it == kTcp.end() ? ss_state : it->second;
}

uint16_t endpoint_port(const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || endpoint.compare(colon + 1, std::string::npos, "*") == 0) return 0;
  return static_cast<uint16_t>(std::stoul(endpoint.substr(colon + 1)));
}

std::string endpoint_host(const std::string& endpoint) {
  size_t colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

std::vector<BpfProg> loaded_sockscope_prog_ids() {
  std::vector<BpfProg> progs;
  auto j = nlohmann::json::parse(run_capture("bpftool -j prog show 2>/dev/null"), nullptr, false);
  if (!j.is_array()) return progs;
  for (const auto& p : j)
    if (p.contains("name") && p["name"].get<std::string>().rfind("ss_", 0) == 0)
      progs.push_back({p.value("id", 0u), p["name"].get<std::string>()});
  return progs;
}

std::vector<uint32_t> bpf_link_prog_ids() {
  std::vector<uint32_t> ids;
  auto j = nlohmann::json::parse(run_capture("bpftool -j link show 2>/dev/null"), nullptr, false);
  if (!j.is_array()) return ids;
  for (const auto& l : j)
    if (l.contains("prog_id")) ids.push_back(l.value("prog_id", 0u));
  return ids;
}

std::vector<std::string> loaded_sockscope_progs() {
  std::vector<std::string> names;
  auto j = nlohmann::json::parse(run_capture("bpftool -j prog show 2>/dev/null"), nullptr, false);
  if (!j.is_array()) return names;
  for (const auto& p : j)
    if (p.contains("name") && p["name"].get<std::string>().rfind("ss_", 0) == 0) names.push_back(p["name"]);
  return names;
}

std::string kernel_test_blocker() {
  if (geteuid() != 0) return "not running as root";
  if (access("/sys/kernel/btf/vmlinux", F_OK) != 0) return "kernel has no BTF (/sys/kernel/btf/vmlinux)";
  if (access(sockscope_bin().c_str(), X_OK) != 0) return "sockscope binary not built: " + sockscope_bin();
  if (run_capture("command -v ss").empty()) return "ss (iproute2) is not installed";
  if (run_capture("command -v bpftool").empty()) return "bpftool is not installed";
  return "";
}

}  // namespace testing
