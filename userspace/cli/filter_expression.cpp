// The ss filter on the command line, as ss takes it: the words after the
// options (`sockscope list state established '( dport = :443 )'`), either
// as one quoted argument or many, and -F FILE.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/filter_binding.h"
#include "cli/options.h"
#include "model/ss_filter_parse.h"
#include "util/user_error.h"

namespace sockscope {

void add_expression_options(CLI::App& cmd, RunOptions& o) {
  cmd.add_option("FILTER", o.filter_words,
                 "An ss filter, as ss(8) spells it: [state STATE ...] [EXPRESSION], e.g. "
                 "state established '( dport = :443 or sport = :443 )' (docs/usage.md)");
  cmd.add_option("-F,--filter-file", o.filter_file,
                 "Read the ss filter from this file ('-': stdin), as ss -F; lines starting with # are comments");
}

namespace {

std::string read_filter_file(const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path);
    if (!file) throw UserError(fmt::format("-F {}: cannot read it: {}", path, std::strerror(errno)), 2);
    in = &file;
  }
  // one line, so an error's caret has one line to point into
  std::string line, text;
  while (std::getline(*in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    text += (text.empty() ? "" : " ") + line;
  }
  return text;
}

// Terms ss has and the model has no data for: refused, so a filter never
// silently matches everything (or nothing) because of them.
std::string unsupported(const FilterNode& n) {
  switch (n.kind) {
    case FilterNode::Kind::Fwmark: return "'fwmark' is not supported yet: sockscope does not keep socket marks";
    default:
      return "'autobound' is not supported yet: sockscope does not know whether a port was chosen by the "
             "kernel; compare sport with the ephemeral range instead (sport >= :32768)";
  }
}

}  // namespace

void finish_expression(RunOptions& o) {
  std::string text;
  for (const auto& w : o.filter_words) text += (text.empty() ? "" : " ") + w;
  if (!o.filter_file.empty()) {
    std::string from_file = read_filter_file(o.filter_file);
    if (!from_file.empty()) text += (text.empty() ? "" : " ") + from_file;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;
  try {
    auto f = std::make_shared<SsFilter>(parse_ss_filter(text));
    if (f->expr) {
      if (const FilterNode* u = first_unsupported(*f->expr)) throw FilterError(u->pos, unsupported(*u));
      resolve_bindings(*f->expr);
    }
    o.filter.ss = std::move(f);
  } catch (const FilterError& e) {
    throw UserError("filter: " + describe_filter_error(e, text), 2);
  }
}

}  // namespace sockscope
