#include "session.h"

#include <iostream>

#include "../source/file_source.h"
#include "../source/live_source.h"

namespace sockscope {

Session::Session(const CommonOptions& o, bool seed) : o_(o), table_(o.limits()) {
  replay_ = !o.read_path.empty();
  if (replay_) {
    src_ = std::make_unique<FileSource>(o.read_path);
  } else {
    LiveOptions live = o.live();
    live.seed = seed;
    src_ = std::make_unique<LiveSource>(live);
  }
  if (!o.write_path.empty()) {
    trace::WriterOptions w;
    w.path = o.write_path;
    w.compress = o.compress;
    w.rotate_bytes = o.rotate_bytes;
    w.keep = o.keep;
    w.flush_interval_ns = uint64_t(o.flush_interval_s * 1e9);
    rec_ = std::make_unique<Recording>(w, *src_, table_, o.filter, o.command_line);
  }
}

Session::~Session() = default;

void Session::run(double duration_s, const OnEvent& on_event) {
  OnEvent each = on_event;
  if (rec_)
    each = [&](const Event& e, const Socket* s) {
      rec_->on_event(e, s);
      if (on_event) on_event(e, s);
    };
  run_pipeline(*src_, table_, duration_s, each, rec_ ? std::function<void()>([&] { rec_->tick(); }) : nullptr);
  end_ns_ = src_->now_ns();
}

void Session::finish() {
  std::cerr << summary_line(table_, src_->decode_stats()) << std::endl;
  if (rec_) {
    rec_->close(end_ns_ ? end_ns_ : src_->now_ns());
    std::cerr << "sockscope: " << rec_->summary(table_.counters().lost_total(), end_ns_) << std::endl;
  }
}

}  // namespace sockscope
