#include "trace/meta.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sockscope::trace {
namespace {

using nlohmann::json;

json names_json(const std::unordered_map<uint32_t, std::string>& m) {
  json o = json::object();
  for (const auto& [code, name] : m) o[std::to_string(code)] = name;
  return o;
}

std::unordered_map<uint32_t, std::string> names_from(const json& o, const char* what) {
  std::unordered_map<uint32_t, std::string> m;
  if (!o.is_object()) throw std::runtime_error(std::string(what) + " is not an object");
  for (const auto& [k, v] : o.items()) {
    size_t used = 0;
    unsigned long code = 0;
    try {
      code = std::stoul(k, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != k.size() || code > UINT32_MAX || !v.is_string())
      throw std::runtime_error(std::string(what) + " has a bad entry '" + k + "'");
    m[uint32_t(code)] = v.get<std::string>();
  }
  return m;
}

}  // namespace

std::string meta_to_json(const Meta& m) {
  json probes = json::array();
  for (const auto& p : m.probes)
    probes.push_back({{"program", p.program},
                      {"target", p.target},
                      {"attached", p.attached},
                      {"reason", p.reason},
                      {"tier", p.tier},
                      {"off", p.off}});
  json j = {
      {"host", m.host},
      {"kernel", m.kernel},
      {"sockscope", m.sockscope_version},
      {"command", m.command},
      {"wall_offset_ns", m.wall_offset_ns},
      {"start_ns", m.start_ns},
      {"file_index", m.file_index},
      {"probes", probes},
      {"sample_interval_ns", m.sample_interval_ns},
      {"drop_reasons", names_json(m.reasons.drop)},
      {"reset_reasons", names_json(m.reasons.reset)},
  };
  // names are bytes from the kernel and the host: never fail on them
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Meta meta_from_json(const std::string& text) {
  // The format nests three deep (object > probes > probe): anything deeper
  // is refused while parsing, before it is built.
  auto depth_ok = [](int depth, json::parse_event_t, json&) {
    if (depth > 4) throw std::runtime_error("metadata nested too deep");
    return true;
  };
  json j;
  try {
    j = json::parse(text, depth_ok);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("metadata is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::runtime_error("metadata is not a JSON object");
  Meta m;
  try {
    m.host = j.value("host", "");
    m.kernel = j.value("kernel", "");
    m.sockscope_version = j.value("sockscope", "");
    m.command = j.value("command", "");
    m.wall_offset_ns = j.value("wall_offset_ns", int64_t{0});
    m.start_ns = j.value("start_ns", uint64_t{0});
    m.file_index = j.value("file_index", uint32_t{0});
    m.sample_interval_ns = j.value("sample_interval_ns", uint64_t{0});
    if (j.contains("probes")) {
      if (!j["probes"].is_array()) throw std::runtime_error("probes is not a list");
      for (const auto& p : j["probes"]) {
        if (!p.is_object()) throw std::runtime_error("a probe is not an object");
        // files before the tiers: every probe was the default tier's
        m.probes.push_back({p.value("program", ""), p.value("target", ""), p.value("attached", false),
                            p.value("reason", ""), p.value("tier", "default"), p.value("off", false)});
      }
    }
    if (j.contains("drop_reasons")) m.reasons.drop = names_from(j["drop_reasons"], "drop_reasons");
    if (j.contains("reset_reasons")) m.reasons.reset = names_from(j["reset_reasons"], "reset_reasons");
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("metadata has a field of the wrong type: ") + e.what());
  }
  return m;
}

}  // namespace sockscope::trace
