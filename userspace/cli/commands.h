#pragma once

#include "options.h"

namespace sockscope {

int cmd_watch(const CommonOptions& o);
int cmd_list(const CommonOptions& o);
int cmd_nic(const CommonOptions& o);
int cmd_record(const CommonOptions& o);

struct ExportOptions {
  CommonOptions common;  // common.read_path: the trace (-r), and the filters
  std::string format;    // jsonl, csv, perfetto
  std::string output;    // -o; empty: stdout
};
int cmd_export(const ExportOptions& o);

}  // namespace sockscope
