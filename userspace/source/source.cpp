#include "source/source.h"

namespace sockscope {

DecodeStatus Source::deliver(RawKind kind, std::span<const uint8_t> bytes, const EventSink& sink,
                             DecodeStats& stats) {
  DecodeStatus st = decode(kind, bytes, scratch_, stats);
  if (st != DecodeStatus::Ok) return st;
  raw_ = {kind, bytes};
  sink(scratch_);
  raw_ = {};
  return st;
}

}  // namespace sockscope
