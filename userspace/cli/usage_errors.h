// What sockscope prints for a command line CLI11 refused. CLI11's own words
// for a word it did not expect ("The following arguments were not
// expected: 80 --port", reversed, for `nic --port 80`) say neither which
// command refused what nor what was meant; these say both, in the order the
// words were typed, with "did you mean" for a mistyped command or option.
#pragma once

#include <string>

namespace CLI {
class App;
class Error;
}  // namespace CLI

namespace sockscope {

// The lines for stderr, each starting "sockscope: ", the last saying which
// --help to read. app: the top-level App, after parse() threw e. Made to be
// CLI11's failure_message.
std::string usage_error_message(const CLI::App* app, const CLI::Error& e);

}  // namespace sockscope
