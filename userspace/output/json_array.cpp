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
    const std::string pad(size_t(indent_), ' ');
    out_ << (any_ ? ",\n" : "[\n") << pad;
    for (char c : text) {
      out_ << c;
      if (c == '\n') out_ << pad;
    }
  }
  any_ = true;
}

void JsonArrayWriter::finish() {
  if (!any_) out_ << "[]";
  else out_ << (indent_ < 0 ? "]" : "\n]");
}

}  // namespace sockscope
