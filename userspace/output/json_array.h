// A JSON array written one element at a time, as nlohmann's dump() would
// write the whole array, so memory holds one element, not the document:
// `list --json` of 262,144 sockets built a 3.4 GB tree to print it.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace sockscope {

class JsonArrayWriter {
 public:
  // indent: as nlohmann's dump (-1: one line)
  JsonArrayWriter(std::ostream& out, int indent) : out_(out), indent_(indent) {}
  // Process names are bytes, not always UTF-8: invalid sequences are
  // replaced, as everywhere sockscope writes JSON.
  void add(const nlohmann::json& element);
  // Closes the array ("[]" when nothing was added).
  void finish();

 private:
  std::ostream& out_;
  int indent_;
  bool any_ = false;
};

}  // namespace sockscope
