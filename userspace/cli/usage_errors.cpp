#include "cli/usage_errors.h"

#include <algorithm>
#include <functional>
#include <set>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/suggest.h"

namespace sockscope {
namespace {

// Why a command does not take an option that others do, where the bare fact
// would leave the user guessing what to do instead. option empty: any.
struct Why {
  const char* command;
  const char* option;
  const char* why;
};
constexpr Why kWhy[] = {
    {"top", "--json", "top draws the live view on a terminal; for JSON use 'sockscope list --json' or "
                      "'sockscope watch --json'"},
    {"record", "--json", "record writes a trace file, not JSON; 'sockscope export -r FILE --format jsonl' converts one"},
    {"nic", "", "nic shows network devices, not sockets, so socket filters do not apply"},
};

std::string why_not(const std::string& command, const std::string& option) {
  for (const auto& w : kWhy)
    if (command == w.command && (!*w.option || option == w.option)) return w.why;
  return {};
}

std::vector<const CLI::App*> all_commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

// "--port=80" names --port
std::string option_name(const std::string& word) { return word.substr(0, word.find('=')); }
std::string without_dashes(const std::string& s) {
  size_t at = s.find_first_not_of('-');
  return at == std::string::npos ? std::string() : s.substr(at);
}

std::vector<std::string> commands_taking(const CLI::App& app, const std::string& option) {
  std::vector<std::string> out;
  for (const auto* c : all_commands(app))
    if (c->get_option_no_throw(option)) out.push_back(c->get_name());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
  return s;
}

std::vector<std::string> long_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const auto* o : cmd.get_options())
    for (const auto& l : o->get_lnames()) out.push_back(l);
  return out;
}

// A word before any command, or with none given.
std::string top_level_word(const CLI::App& app, const std::string& word, const CLI::App* cmd) {
  if (word.empty() || word[0] != '-') {
    std::vector<std::string> names;
    for (const auto* c : all_commands(app)) names.push_back(c->get_name());
    std::string near = closest(word, names);
    if (!near.empty()) return fmt::format("unknown command '{}': did you mean '{}'?", word, near);
    return fmt::format("unknown command '{}': the commands are {}", word, joined(names));
  }
  std::string name = option_name(word);
  if (cmd && cmd->get_option_no_throw(name))
    return fmt::format("{} is an option of {}: put it after the command ('sockscope {} {}')", name, cmd->get_name(),
                       cmd->get_name(), word);
  auto takers = commands_taking(app, name);
  if (!takers.empty())
    return fmt::format("{} is an option of a command ({}), not of sockscope itself: name the command first, e.g. "
                       "'sockscope {} {}'",
                       name, joined(takers), takers.front(), word);
  return fmt::format("unknown option {}", name);
}

// A word after the command that it does not take.
// said: the reasons given already, each given once ("nic --port 80 --comm x").
std::string command_word(const CLI::App& app, const CLI::App& cmd, const std::string& word,
                         std::set<std::string>& said) {
  const std::string& c = cmd.get_name();
  if (word.empty() || word[0] != '-') return fmt::format("{} takes no argument '{}'", c, word);
  std::string name = option_name(word);
  // an option of other commands is more likely meant than a near miss
  if (auto takers = commands_taking(app, name); !takers.empty()) {
    std::string why = why_not(c, name);
    if (!said.insert(why).second) why.clear();
    return fmt::format("{} does not take {} (only {} {}){}", c, name, joined(takers),
                       takers.size() > 1 ? "do" : "does", why.empty() ? "" : ": " + why);
  }
  if (std::string near = closest(without_dashes(name), long_names(cmd)); !near.empty() && name.rfind("--", 0) == 0)
    return fmt::format("{} has no option {}: did you mean --{}?", c, name, near);
  return fmt::format("{} has no option {}", c, name);
}

// The words left over, each explained once: the value after an option that
// was not taken is that option's, not a mistake of its own.
void explain(std::vector<std::string>& lines, const std::vector<std::string>& words,
             const std::function<std::string(const std::string&)>& one) {
  bool after_option = false;
  for (const auto& w : words) {
    bool is_option = !w.empty() && w[0] == '-' && w.size() > 1;
    if (!is_option && after_option) {
      after_option = false;
      continue;
    }
    lines.push_back(one(w));
    after_option = is_option && w.find('=') == std::string::npos;
  }
}

}  // namespace

std::string usage_error_message(const CLI::App* app, const CLI::Error& e) {
  const auto parsed = app->get_subcommands();
  const CLI::App* cmd = parsed.empty() ? nullptr : parsed.front();
  std::vector<std::string> lines;
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    auto top = app->remaining(false);
    // a mistyped command: what follows it was meant for that command
    auto word = std::find_if(top.begin(), top.end(), [](const std::string& w) { return w.empty() || w[0] != '-'; });
    if (word != top.end() && !cmd) top = {*word};
    explain(lines, top, [&](const std::string& w) { return top_level_word(*app, w, cmd); });
    std::set<std::string> said;
    if (cmd)
      explain(lines, cmd->remaining(false), [&](const std::string& w) { return command_word(*app, *cmd, w, said); });
  }
  if (lines.empty()) lines.push_back(e.what());
  std::string out;
  for (const auto& l : lines) out += "sockscope: " + l + "\n";
  if (cmd)
    out += fmt::format("Run 'sockscope {} --help' for its options.\n", cmd->get_name());
  else
    out += "Run 'sockscope --help' for the commands and options.\n";
  return out;
}

}  // namespace sockscope
