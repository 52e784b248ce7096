# The sources a replay needs — trace reader, record codec, model — relative to
# userspace/. libsockscope builds them with the rest; the fuzzer (tests/fuzz),
# a separate clang build, builds just these.
set(SOCKSCOPE_REPLAY_SOURCES
  model/names.cpp
  model/socket_table.cpp
  model/filter.cpp
  model/ss_filter.cpp
  model/ss_filter_parse.cpp
  model/ss_filter_terms.cpp
  model/histogram.cpp
  model/nic_table.cpp
  model/occupancy_series.cpp
  model/socket_facts.cpp
  record/decode.cpp
  record/raw_record.cpp
  record/tiers.cpp
  source/source.cpp
  source/file_source.cpp
  trace/crc.cpp
  trace/meta.cpp
  trace/reader.cpp
  trace/writer.cpp
  util/clock.cpp
  util/slab_alloc.cpp
  util/heap_trim.cpp
)
