#include "output/finding_format.h"

#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "output/human_text.h"

namespace sockscope {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Words wrapped at width, each line indented.
std::string wrap(const std::string& text, const std::string& indent, int width) {
  std::istringstream words(text);
  std::string word, line, out;
  while (words >> word) {
    if (!line.empty() && int(indent.size() + line.size() + 1 + word.size()) > width) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += indent + line + "\n";
  return out;
}

bool ends_with(std::string_view s, std::string_view end) {
  return s.size() > end.size() && s.substr(s.size() - end.size()) == end;
}

// One piece of evidence as "key=value" for people: a buffer's use as every
// view spells it ("rx_use=102% of rcvbuf"), seconds to a tenth
// ("queued_for=24.8s"), a time that never came as "never" (JSON's null),
// an amount not measured as "not-measured" (also null in JSON).
std::string evidence_item(std::string_view key, const nlohmann::ordered_json& v) {
  if (v.is_number() && ends_with(key, "_pct")) {
    std::string_view name = key.substr(0, key.size() - 4);
    std::string_view limit = key.starts_with("rx_") ? "rcvbuf" : key.starts_with("tx_") ? "sndbuf" : "";
    double pct = v.get<double>();
    return fmt::format("{}={}", name, limit.empty() ? percent_text(pct) : percent_of(pct, limit));
  }
  // seconds, not a rate per second (retransmits_per_s, per_s)
  if (v.is_number() && ends_with(key, "_s") && !ends_with(key, "per_s") && key != "per_s")
    return fmt::format("{}={}", key.substr(0, key.size() - 2), seconds_text(v.get<double>()));
  if (v.is_string()) return fmt::format("{}={}", key, v.get<std::string>());
  if (v.is_null()) {
    const bool a_time = key.starts_with("last_") || key.starts_with("first_") || ends_with(key, "_since") ||
                        ends_with(key, "_at");
    return fmt::format("{}={}", key, a_time ? kNever : kNotMeasured);
  }
  if (v.is_number_float()) return fmt::format("{}={:.3g}", key, v.get<double>());
  return fmt::format("{}={}", key, v.dump());
}

// A finding's socket, or one listed under it (fd -1: not shown).
template <typename F>
std::string who(const F& f, int32_t fd) {
  std::string s;
  if (f.pid) s += fmt::format("pid {} ({})", f.pid, f.comm);
  if (fd >= 0 && f.cookie) s += fmt::format(" fd {}", fd);
  if (!f.local.empty()) s += (s.empty() ? "" : "  ") + f.local;
  if (!f.remote.empty() && f.remote != "*:*") s += " -> " + f.remote;
  if (!f.state.empty()) s += "  " + f.state;
  if (f.cookie) s += fmt::format("  cookie {}", f.cookie);
  return s;
}

// In text only the first few of the sockets a cause affects: --json has all.
constexpr size_t kAffectedShown = 10;

}  // namespace

std::string evidence_text(const nlohmann::ordered_json& evidence) {
  std::string out;
  for (const auto& [k, v] : evidence.items()) {
    if (!out.empty()) out += ' ';
    out += evidence_item(k, v);
  }
  return out;
}

nlohmann::ordered_json finding_json(const Finding& f) {
  nlohmann::ordered_json j;
  j["kind"] = finding_kind_name(f.kind);
  j["severity"] = severity_name(f.severity);
  j["cookie"] = f.cookie;
  j["pid"] = f.pid;
  j["comm"] = f.comm;
  j["fd"] = f.fd;
  j["local"] = f.local;
  j["remote"] = f.remote;
  j["state"] = f.state;
  j["since_ns"] = f.since_ns;
  j["summary"] = f.summary;
  j["evidence"] = f.evidence;
  j["advice"] = f.advice;
  j["affected"] = nlohmann::ordered_json::array();
  for (const Affected& a : f.affected)
    j["affected"].push_back({{"kind", finding_kind_name(a.symptom)}, {"cookie", a.cookie}, {"pid", a.pid},
                             {"comm", a.comm}, {"local", a.local}, {"remote", a.remote}, {"state", a.state},
                             {"since_ns", a.since_ns}});
  return j;
}

std::string findings_text(const std::vector<Finding>& findings, double window_s, int width) {
  if (findings.empty()) return fmt::format("No findings in {:.1f} s of observation.\n", window_s);
  std::string out = fmt::format("{} finding{} in {:.1f} s of observation, most severe first:\n", findings.size(),
                                findings.size() == 1 ? "" : "s", window_s);
  for (const Finding& f : findings) {
    out += fmt::format("\n{:<8} {}  {}\n", upper(severity_name(f.severity)), finding_kind_name(f.kind), who(f, f.fd));
    out += wrap(f.summary, "  ", width);
    out += wrap("evidence: " + evidence_text(f.evidence), "  ", width);
    out += wrap("what to do: " + f.advice, "  ", width);
    if (f.affected.empty()) continue;
    out += fmt::format("  the same cause affects {} more socket{}:\n", f.affected.size(),
                       f.affected.size() == 1 ? "" : "s");
    for (size_t i = 0; i < f.affected.size() && i < kAffectedShown; ++i)
      out += fmt::format("    {}  {}\n", finding_kind_name(f.affected[i].symptom), who(f.affected[i], -1));
    if (f.affected.size() > kAffectedShown)
      out += fmt::format("    and {} more (--json lists them all)\n", f.affected.size() - kAffectedShown);
  }
  return out;
}

}  // namespace sockscope
