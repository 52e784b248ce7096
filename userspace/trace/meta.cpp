#include "trace/meta.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
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
  if (o.size() > kMaxMetaReasons)
    throw std::runtime_error(fmt::format("{} has {} entries, more than {}", what, o.size(), kMaxMetaReasons));
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

// How deep arrays and objects nest, counted in one pass over the text
// (strings skipped): nlohmann's parse callback, which could refuse depth
// while parsing, made the parser revisit each parent, and 250,000 empty
// probes in a 1 MB header took 11 s. Stops counting past limit.
int nesting(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character is not a quote
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) break;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// An integer field: absent gives the default; a float, a string or a
// value out of T's range is refused (nlohmann would convert 1e24 to an
// unsigned by undefined behaviour, which the fuzzer found).
template <class T>
T integer(const json& j, const char* key, T dflt) {
  auto it = j.find(key);
  if (it == j.end()) return dflt;
  const json& v = *it;
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u <= uint64_t(std::numeric_limits<T>::max())) return T(u);
  } else if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (std::is_signed_v<T> && i >= int64_t(std::numeric_limits<T>::min())) return T(i);
  } else {
    throw std::runtime_error(fmt::format("{} is not an integer", key));
  }
  throw std::runtime_error(fmt::format("{} is out of range", key));
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
  // The format nests two deep (object > probes > probe): anything deeper
  // is refused before a value is built.
  if (nesting(text, kMaxMetaDepth) > kMaxMetaDepth) throw std::runtime_error("metadata nested too deep");
  json j;
  try {
    j = json::parse(text);
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
    m.wall_offset_ns = integer(j, "wall_offset_ns", int64_t{0});
    m.start_ns = integer(j, "start_ns", uint64_t{0});
    m.file_index = integer(j, "file_index", uint32_t{0});
    m.sample_interval_ns = integer(j, "sample_interval_ns", uint64_t{0});
    if (j.contains("probes")) {
      if (!j["probes"].is_array()) throw std::runtime_error("probes is not a list");
      if (j["probes"].size() > kMaxMetaProbes)
        throw std::runtime_error(fmt::format("metadata lists {} probes, more than {}", j["probes"].size(), kMaxMetaProbes));
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
