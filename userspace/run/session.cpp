#include "run/session.h"

#include <iostream>

#include "record/tiers.h"
#include "source/file_source.h"
#include "source/live_source.h"
#include "trace/writer.h"
#include "util/user_error.h"

namespace sockscope {

Session::Session(const RunOptions& o, bool seed) : o_(o), table_(o.limits()) {
  // a path that cannot be written fails now, not after every probe loaded
  if (!o.write_path.empty()) trace::check_can_create(o.write_path);
  replay_ = !o.read_path.empty();
  if (replay_) {
    src_ = std::make_unique<FileSource>(o.read_path);
  } else {
    LiveOptions live = o.live();
    live.seed = seed;
    src_ = std::make_unique<LiveSource>(live);
  }
  table_.set_coverage(coverage_of(src_->probes()));
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

OnEvent Session::with_recording(const OnEvent& on_event) {
  if (!rec_) return on_event;
  return [this, on_event](const Event& e, const Socket* s) {
    rec_->on_event(e, s);
    if (on_event) on_event(e, s);
  };
}

std::function<void()> Session::tick_fn() {
  if (!rec_) return nullptr;
  return [this] { rec_->tick(); };
}

void Session::run(const OnEvent& on_event, const std::function<void()>& on_tick) {
  double duration_s = replay_ && !o_.duration_set ? 0 : o_.duration_s;
  std::function<void()> tick = tick_fn();
  if (on_tick) tick = [rec = std::move(tick), on_tick] {
    if (rec) rec();
    on_tick();
  };
  run_pipeline(*src_, table_, duration_s, with_recording(on_event), tick);
  end_ns_ = src_->now_ns();
}

bool Session::step(int timeout_ms) {
  if (!stepper_)
    stepper_ = std::make_unique<PipelineStep>(*src_, table_, with_recording(step_event_), tick_fn());
  bool more = stepper_->step(timeout_ms);
  if (!more) stepper_->flush();
  end_ns_ = src_->now_ns();
  return more;
}

FileSource* Session::file() { return replay_ ? static_cast<FileSource*>(src_.get()) : nullptr; }

void Session::close_recording() {
  if (!rec_ || rec_closed_) return;
  rec_closed_ = true;  // once, even when it fails: the error is reported once
  rec_->close(end_ns_ ? end_ns_ : src_->now_ns());
}

std::string Session::why_no_restart() const {
  if (!replay_) return "live: there is no start to go back to";
  if (o_.read_path == "-") return "reading stdin: cannot seek back to the start";
  // the recording would go back in time: keep it as the replay went
  if (rec_) return "recording (-w): cannot seek back to the start";
  return {};
}

void Session::restart() {
  if (std::string why = why_no_restart(); !why.empty()) throw UserError(why);
  auto src = std::make_unique<FileSource>(o_.read_path);  // may throw: the old one stays
  stepper_.reset();  // it holds the old source and table
  src_ = std::move(src);
  table_ = SocketTable(o_.limits());
  table_.set_coverage(coverage_of(src_->probes()));
  end_ns_ = 0;
}

void Session::finish() {
  std::cerr << summary_line(table_, src_->decode_stats()) << std::endl;
  if (rec_) {
    close_recording();
    std::cerr << "sockscope: " << rec_->summary(table_.counters().lost_total(), end_ns_) << std::endl;
  }
}

}  // namespace sockscope
