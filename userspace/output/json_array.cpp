#include "output/json_array.h"

#include <string>

namespace sockscope {

void JsonArrayWriter::add(const nlohmann::json& element) {
  const std::string text = element.dump(indent_, ' ', false, nlohmann::json::error_handler_t::replace);
  if (indent_ < 0) {
    out_ << (any_ ? "," : "[") << text;
  } else {
    // one level in: every line of the element indented once more (a
    // string never holds a raw line break, so each '\n' is a line's end)
    // Built in a string and written at once: a character at a time
    // through std::cout (synced with stdio) was a third of `list --json`.
    const std::string pad(size_t(indent_), ' ');
    std::string lines = any_ ? ",\n" : "[\n";
    lines.reserve(text.size() + text.size() / 8 + 8);
    lines += pad;
    for (size_t at = 0; at < text.size();) {
      const size_t nl = text.find('\n', at);
      if (nl == std::string::npos) {
        lines.append(text, at);
        break;
      }
      lines.append(text, at, nl + 1 - at);
      lines += pad;
      at = nl + 1;
    }
    out_.write(lines.data(), static_cast<std::streamsize>(lines.size()));
  }
  any_ = true;
}

void JsonArrayWriter::finish() {
  if (!any_) out_ << "[]";
  else out_ << (indent_ < 0 ? "]" : "\n]");
}

}  // namespace sockscope
