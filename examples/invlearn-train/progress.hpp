#pragma once
// Progress on stderr: a bar with an ETA redrawn in place on a terminal; one plain
// line per epoch otherwise (logs and pipes should not fill up with carriage returns);
// nothing with --quiet.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include <unistd.h>

#include <invlearn/train/trace.hpp>

namespace train {

class Progress {
 public:
  enum class Mode { quiet, lines, bar };

  /// The mode for this process: quiet if asked, a bar if stderr is a terminal.
  static Mode detect(bool quiet) {
    if (quiet) return Mode::quiet;
    return ::isatty(::fileno(stderr)) ? Mode::bar : Mode::lines;
  }

  explicit Progress(Mode mode, std::FILE* out = stderr) : mode_(mode), out_(out) {}

  /// Starts a method that will run epochs first_epoch..epochs, about
  /// `steps_per_epoch` steps each (the first epoch's real count replaces the guess).
  void begin(const std::string& method, int first_epoch, int epochs, long long steps_per_epoch) {
    method_ = method;
    first_epoch_ = first_epoch;
    epochs_ = epochs;
    steps_per_epoch_ = std::max(1LL, steps_per_epoch);
    steps_done_ = 0;
    steps_in_epoch_ = 0;
    epoch_ = first_epoch;
    start_ = last_draw_ = Clock::now();
    if (mode_ == Mode::bar) draw();
  }

  /// One training step of `epoch` finished.
  void step(int epoch) {
    if (mode_ != Mode::bar) return;
    if (epoch != epoch_) {
      epoch_ = epoch;
      steps_in_epoch_ = 0;
    }
    ++steps_done_;
    ++steps_in_epoch_;
    // Redraw at most ten times a second: a step can take microseconds.
    const auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw();
  }

  /// An epoch ended: its line, above the bar on a terminal.
  void epoch(const invlearn::EpochReport& r) {
    if (r.epoch == first_epoch_ && r.steps > 0) steps_per_epoch_ = r.steps;
    if (mode_ == Mode::quiet) return;
    char buf[256];
    int n = std::snprintf(buf, sizeof buf, "[%s] epoch %d/%d train_loss %.4f valid_bce %.4f%s %.1fs",
                          method_.c_str(), r.epoch, epochs_, r.train_loss, r.valid_loss,
                          r.improved ? " (best)" : "", r.seconds);
    const long long meta = r.choices[0] + r.choices[1] + r.choices[2];
    if (meta > 0 && n > 0 && static_cast<std::size_t>(n) < sizeof buf)
      std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " choices d/n/i %lld/%lld/%lld",
                    static_cast<long long>(r.choices[0]), static_cast<long long>(r.choices[1]),
                    static_cast<long long>(r.choices[2]));
    line(buf);
    if (mode_ == Mode::bar && r.epoch < epochs_) {
      epoch_ = r.epoch + 1;
      steps_in_epoch_ = 0;
      draw();
    }
  }

  /// A line of text that must not be overwritten by the bar.
  void line(const std::string& text) {
    if (mode_ == Mode::quiet) return;
    clear();
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
  }

  /// The method finished (or failed): remove the bar.
  void end() { clear(); }

  Mode mode() const { return mode_; }

 private:
  using Clock = std::chrono::steady_clock;

  static std::string clock_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long long s = std::llround(seconds);
    char buf[32];
    if (s >= 3600)
      std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    else
      std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
  }

  void draw() {
    const long long total = steps_per_epoch_ * std::max(1, epochs_ - first_epoch_ + 1);
    const double done = std::min(1.0, static_cast<double>(steps_done_) / static_cast<double>(total));
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const std::string eta = steps_done_ > 0 ? clock_text(elapsed * (1.0 - done) / done) : "?";
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(done * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    const long long in_epoch = std::min(steps_in_epoch_, steps_per_epoch_);
    char buf[256];
    const int n = std::snprintf(buf, sizeof buf, "[%s] epoch %d/%d [%s] %3d%% step %lld/%lld ETA %s",
                                method_.c_str(), epoch_, epochs_, bar.c_str(),
                                static_cast<int>(done * 100.0), in_epoch, steps_per_epoch_, eta.c_str());
    const int len = std::min(n, static_cast<int>(sizeof buf) - 1);
    // Pad with spaces over whatever a longer previous line left behind.
    std::fprintf(out_, "\r%s%*s", buf, std::max(0, drawn_ - len), "");
    std::fflush(out_);
    drawn_ = len;
  }

  void clear() {
    if (mode_ != Mode::bar || drawn_ == 0) return;
    std::fprintf(out_, "\r%*s\r", drawn_, "");
    drawn_ = 0;
  }

  Mode mode_;
  std::FILE* out_;
  std::string method_;
  int first_epoch_ = 1, epochs_ = 1, epoch_ = 1;
  long long steps_per_epoch_ = 1, steps_done_ = 0, steps_in_epoch_ = 0;
  Clock::time_point start_, last_draw_;
  int drawn_ = 0;
};

}  // namespace train
