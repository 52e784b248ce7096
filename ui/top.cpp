// The live view's two threads. The intake thread owns the Session (source,
// model, recording) and never waits for the screen: it runs the pipeline
// and, between two steps, copies a Snapshot when asked. This thread owns
// the Terminal: it asks for a snapshot every -d seconds (or at once after a
// key that needs fresh data), adds rates, and draws. They meet only in
// Exchange, under its mutex.
#include "ui/top.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "run/signals.h"
#include "source/file_source.h"
#include "ui/keys.h"
#include "ui/rates.h"
#include "ui/row_delta.h"
#include "ui/render.h"
#include "ui/replay.h"
#include "ui/snapshot.h"
#include "ui/terminal.h"
#include "ui/text.h"
#include "util/user_error.h"

namespace sockscope::ui {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Reading between two looks at the UI's requests: short, so a snapshot or
// a key's command is served at once even while a file is read flat out.
constexpr auto kSlice = milliseconds(20);
// A replay that has caught up with its clock waits this long for the
// clock to move on (paused or ended: for a request).
constexpr auto kReplayTick = milliseconds(10);
constexpr auto kIdleWait = milliseconds(100);
// The UI looks for a new snapshot at least this often between keys.
constexpr int kKeyWaitMs = 50;
// A status message (a warning, why a key did nothing) stays this long.
constexpr auto kMessageShown = std::chrono::seconds(5);
// The file's warnings kept for stderr at exit.
constexpr size_t kMaxWarnings = 50;

uint64_t wall_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

// The replay's state for the header (the Snapshot's replay fields).
struct ReplayStatus {
  bool ended = false, paused = false;
  double speed = 1;
  uint64_t start_ns = 0, end_ns = 0;
};

// One snapshot handed from the intake thread to the UI.
struct Frame {
  Snapshot snap;  // without rows: those come as changes
  RowDelta rows;
  std::optional<ReplayStatus> replay;
  uint64_t generation = 0;            // bumped when the replay went back to its start
  std::vector<std::string> messages;  // since the last frame, for the status line
};

struct Exchange {
  std::mutex mu;
  std::condition_variable wake;  // the intake thread waits on it when idle
  // UI -> intake
  bool want = false;         // a snapshot, please
  uint64_t detail_key = 0;   // with this socket copied whole
  std::deque<Action> commands;
  uint32_t detail_pid = 0;  // Action::Detail: the selected socket's owner
  bool quit = false;
  // intake -> UI
  std::optional<Frame> frame;  // the newest, not yet drawn; a newer one replaces it
  bool done = false;           // the intake thread has ended
  std::exception_ptr error;    // why, when it failed
};

class Intake {
 public:
  Intake(Session& run, const TopOptions& o, Exchange& x) : run_(run), o_(o), x_(x) {
    // the diagnosis rules flag the rows: they follow every event
    tracker_ = std::make_unique<DiagnosisTracker>(run_.table());
    changed_.attach(run_.table());
    run_.on_step_event([this](const Event& e, const Socket* s) { tracker_->observe(e, s); });
    if (run_.replay()) {
      clock_.emplace(run_.file()->meta().start_ns, o.speed, wall_ns());
      hook_file();
    }
  }
  // The file outlives this: its warnings go back to stderr.
  ~Intake() {
    if (run_.replay())
      run_.file()->on_warning([](const std::string& m) { std::cerr << "sockscope: " << m << std::endl; });
  }
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;

  // The thread's body: runs until the UI quits, a stop signal, the
  // source fails; the recording is closed on the way out.
  void operator()() {
    std::exception_ptr err;
    try {
      loop();
    } catch (...) {
      err = std::current_exception();
    }
    try {
      run_.close_recording();  // with -w: the end record, however this ends
    } catch (...) {
      if (!err) err = std::current_exception();  // the first failure is the one to report
    }
    std::lock_guard lock(x_.mu);
    x_.error = err;
    x_.done = true;
  }

  // Read once the thread has ended.
  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t warnings_dropped() const { return warnings_dropped_; }

 private:
  void loop() {
    while (!stop_requested()) {
      std::deque<Action> commands;
      bool want;
      uint64_t detail_key;
      uint32_t detail_pid;
      {
        std::lock_guard lock(x_.mu);
        if (x_.quit) return;
        commands.swap(x_.commands);
        detail_pid = x_.detail_pid;
        want = std::exchange(x_.want, false);
        detail_key = x_.detail_key;
      }
      for (Action a : commands) command(a, detail_pid);
      bool ended = false, idle = !more_;
      if (more_) {
        if (clock_) run_.file()->set_until(clock_->position(wall_ns()));
        auto slice_end = Clock::now() + kSlice;
        do {
          // live: the poll itself waits for the kernel; a file is read as
          // far as the clock allows, without waiting
          more_ = run_.step(clock_ ? 0 : 10);
          if (!more_) {
            ended = true;
            if (clock_) clock_->set_end(run_.src().now_ns());
          } else if (clock_ && run_.file()->holding()) {
            idle = true;  // caught up with the clock
          }
        } while (more_ && !idle && Clock::now() < slice_end && !stop_requested());
      }
      // the end is shown at once, and so is a message
      if (want || ended || !messages_.empty()) publish(detail_key);
      if (idle) {
        std::unique_lock lock(x_.mu);
        bool moving = clock_ && more_ && !clock_->paused();
        x_.wake.wait_for(lock, moving ? Clock::duration(kReplayTick) : Clock::duration(kIdleWait),
                         [&] { return x_.want || x_.quit || !x_.commands.empty(); });
      }
    }
  }

  void publish(uint64_t detail_key) {
    Frame f;
    const uint64_t now = run_.src().now_ns();
    f.snap = take_rest(run_.table(), run_.src(), now, detail_key, !run_.replay());
    const std::vector<Finding> findings = view_findings(run_.table(), *tracker_, f.snap, o_.filter);
    f.rows = changed_.take(run_.table(), now, o_.filter, findings, f.snap.by_state);
    if (clock_) {
      f.replay = ReplayStatus{!more_, clock_->paused(), clock_->speed(), clock_->start_ns(), clock_->end_ns()};
    }
    f.generation = generation_;
    f.messages.swap(messages_);
    std::lock_guard lock(x_.mu);
    if (x_.frame) {  // not drawn yet: its changes and messages go on in this one
      fold(x_.frame->rows, std::move(f.rows));
      f.rows = std::move(x_.frame->rows);
      x_.frame->messages.insert(x_.frame->messages.end(), f.messages.begin(), f.messages.end());
      f.messages.swap(x_.frame->messages);
    }
    x_.frame = std::move(f);
  }

  // The replay's keys, and the live detail key.
  void command(Action a, uint32_t detail_pid) {
    if (a == Action::Detail) {
      messages_.push_back(run_.toggle_detail(detail_pid));
      return;
    }
    if (!clock_) return;
    uint64_t now = wall_ns();
    switch (a) {
      case Action::PlayPause: clock_->toggle_pause(now); break;
      case Action::Slower: clock_->slower(now); break;
      case Action::Faster: clock_->faster(now); break;
      case Action::Step: clock_->step(now); break;
      case Action::SeekEnd: clock_->seek_end(now); break;
      case Action::SeekStart: seek_start(now); break;
      default: break;
    }
  }

  void seek_start(uint64_t now) {
    if (std::string why = run_.why_no_restart(); !why.empty()) {
      messages_.push_back(why);
      return;
    }
    try {
      run_.restart();
      tracker_ = std::make_unique<DiagnosisTracker>(run_.table());  // a fresh model, a fresh history
      changed_.attach(run_.table());  // its rows are all new
    } catch (const UserError& e) {  // the file went away: say so, keep the replay as it is
      messages_.push_back(e.what());
      return;
    }
    hook_file();
    more_ = true;
    ++generation_;
    clock_->seek_start(now);
  }

  // The file's warnings go to the status line and, after the terminal is
  // back, to stderr: written now they would tear the screen.
  void hook_file() {
    run_.file()->on_warning([this](const std::string& m) {
      messages_.push_back(m);
      if (warnings_.size() < kMaxWarnings) warnings_.push_back(m);
      else ++warnings_dropped_;
    });
  }

  Session& run_;
  const TopOptions& o_;
  Exchange& x_;
  std::optional<ReplayClock> clock_;  // replay only
  std::unique_ptr<DiagnosisTracker> tracker_;
  ChangedRows changed_;
  bool more_ = true;                  // the source may still deliver
  uint64_t generation_ = 0;
  std::vector<std::string> messages_;  // for the next frame
  std::vector<std::string> warnings_;
  size_t warnings_dropped_ = 0;
};

// Starts the intake thread with the stop signals and SIGWINCH blocked in
// it, so they reach this thread: its key wait ends at once, and ncurses
// sees the resize.
std::thread start_intake(Intake& in) {
  sigset_t block, old;
  sigemptyset(&block);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigaddset(&block, s);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  std::thread t(std::ref(in));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

// Keys come from the terminal even when stdin is not one (`top -r -`: the
// trace; the FileSource read it through a dup of fd 0 of its own), as
// less(1) does. Without a controlling terminal fd 0 stays as it is.
void keys_from_tty() {
  if (isatty(STDIN_FILENO)) return;
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  dup2(fd, STDIN_FILENO);
  close(fd);
}

class View {
 public:
  View(Terminal& term, Exchange& x, const TopOptions& o) : term_(term), x_(x), o_(o) {}

  void run() {
    const auto delay = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.delay_s));
    auto next_refresh = Clock::now();
    bool want = true;  // the first snapshot at once
    while (!stop_requested()) {
      if (want || Clock::now() >= next_refresh) {
        request();
        next_refresh = Clock::now() + delay;
        want = false;
      }
      std::optional<Frame> f;
      {
        std::lock_guard lock(x_.mu);
        if (x_.done) return;  // failed (run_top reports it) or stopped
        if (x_.frame) f = std::exchange(x_.frame, std::nullopt);
      }
      if (f) {
        show(std::move(*f));
        redraw();
      }
      auto left = std::chrono::duration_cast<milliseconds>(next_refresh - Clock::now()).count();
      KeyInput in = term_.read_key(int(std::clamp<long long>(left, 0, kKeyWaitMs)));
      if (in.key == kKeyNone) continue;
      if (in.key == kKeyResize) {
        redraw();  // at the new size, with what is known
        continue;
      }
      Mode mode = view_.mode;
      uint64_t selected = view_.selected_key;
      Action a = apply_key(view_, in, snap_, lines_, table_page(term_.height()), term_.width());
      if (a == Action::Quit) return;
      if (a != Action::None) {
        std::lock_guard lock(x_.mu);
        if (a == Action::Detail) x_.detail_pid = selected_pid();
        x_.commands.push_back(a);
        x_.wake.notify_one();
        want = true;
      }
      // the detail screen needs its socket copied whole: ask, draw it then
      if (view_.mode == Mode::Detail && (mode != Mode::Detail || selected != view_.selected_key)) want = true;
      if (!want) redraw();
    }
  }

 private:
  // The owner of the selected row (0: none, or a process row's own pid).
  uint32_t selected_pid() const {
    for (const auto& r : snap_.rows)
      if (r.key == view_.selected_key) return r.pid;
    return 0;
  }

  void request() {
    std::lock_guard lock(x_.mu);
    x_.want = true;
    x_.detail_key = view_.mode == Mode::Detail ? view_.selected_key : 0;
    x_.wake.notify_one();
  }

  void show(Frame f) {
    if (f.generation != generation_) {
      rates_.reset();  // the replay started over: rates from before mean nothing
      generation_ = f.generation;
    }
    std::vector<Snapshot::Row> rows = std::move(snap_.rows);
    snap_ = std::move(f.snap);
    shown_.apply(rows, std::move(f.rows), snap_.now_ns);
    snap_.rows = std::move(rows);
    rates_.update(snap_);
    if (f.replay) {
      snap_.replay = true;
      snap_.replay_ended = f.replay->ended;
      snap_.paused = f.replay->paused;
      snap_.speed = f.replay->speed;
      snap_.replay_start_ns = f.replay->start_ns;
      snap_.replay_end_ns = f.replay->end_ns;
    }
    if (!f.messages.empty()) {
      message_ = f.messages.back();
      message_until_ = Clock::now() + kMessageShown;
    }
  }

  void redraw() {
    lines_ = visible_lines(snap_, view_);
    follow_selection(view_, snap_, lines_, table_page(term_.height()));
    int w = term_.width(), h = term_.height();
    std::vector<Tone> tones;
    std::vector<std::string> out;
    if (view_.mode == Mode::Detail) {
      const Snapshot::Row* row = nullptr;
      for (const auto& r : snap_.rows)
        if (r.key == view_.selected_key) row = &r;
      if (row) out = render_detail(snap_, *row, view_, w, h);
      else view_.mode = Mode::Table;  // the socket left the table
    }
    if (view_.mode == Mode::Help) out = render_help(snap_, w, h);
    if (view_.mode == Mode::Nic) out = render_nic(snap_, view_, w, h, &tones);
    if (view_.mode == Mode::SortMenu) out = render_sort_menu(snap_, view_, w, h, &tones);
    if (view_.mode == Mode::Table) out = render_table(snap_, view_, w, h, &tones, &lines_);
    if (!message_.empty() && Clock::now() < message_until_ && h > 0) {
      // over the bottom line: the message is what the user needs right now
      out.resize(size_t(h));
      tones.resize(size_t(h), Tone::Normal);
      out.back() = fit(message_, w);
      tones.back() = Tone::Header;
    }
    term_.draw(out, tones);
  }

  Terminal& term_;
  Exchange& x_;
  const TopOptions& o_;
  ViewState view_;
  Snapshot snap_;
  std::vector<Line> lines_;
  ShownRows shown_;
  RateTracker rates_;
  uint64_t generation_ = 0;
  std::string message_;
  Clock::time_point message_until_;
};

}  // namespace

int run_top(Session& run, const TopOptions& o) {
  Exchange x;
  Intake intake(run, o, x);
  std::exception_ptr ui_error;
  keys_from_tty();
  {
    Terminal term(o.color);  // throws before anything started when there is no terminal
    std::thread t = start_intake(intake);
    try {
      View(term, x, o).run();
    } catch (...) {
      ui_error = std::current_exception();
    }
    {
      std::lock_guard lock(x.mu);
      x.quit = true;
      x.wake.notify_one();
    }
    t.join();
  }  // the terminal is back from here on
  for (const auto& w : intake.warnings()) std::cerr << "sockscope: " << w << std::endl;
  if (intake.warnings_dropped())
    std::cerr << "sockscope: and " << intake.warnings_dropped() << " more warnings about the trace" << std::endl;
  if (ui_error) std::rethrow_exception(ui_error);
  if (x.error) std::rethrow_exception(x.error);
  return 0;
}

}  // namespace sockscope::ui
