#include "source/source.h"

namespace sockscope {

DecodeStatus Source::deliver(RawKind kind, std::span<const uint8_t> bytes, const EventSink& sink,
                             DecodeStats& stats) {
  DecodeStatus st = decode(kind, bytes, scratch_, more_, stats);
  if (st != DecodeStatus::Ok) return st;
  raw_ = {kind, bytes};
  sink(scratch_);
  // a state run's later steps (and a socket end's final read): the
  // record's bytes went with the first
  raw_ = {};
  for (const Event& e : more_) {
    scratch_ = e;
    sink(scratch_);
  }
  return st;
}

}  // namespace sockscope
