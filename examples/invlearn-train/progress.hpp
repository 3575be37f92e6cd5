#pragma once
// Progress on stderr: a status line redrawn in place on a terminal; one plain line per
// epoch otherwise (logs and pipes should not fill up with carriage returns); nothing
// with --quiet. With early stopping the end of a run is not known in advance, so the
// status shows the evaluations, the best validation BCE and the patience left; a sweep
// over label fractions and seeds adds its own bar with an ETA over the whole sweep.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include <unistd.h>

#include <invlearn/train/trace.hpp>

namespace train {

/// Where model selection stands after an epoch.
struct SelectionStatus {
  long long evaluations = 0;
  double best_valid_loss = std::nan("");
  int best_epoch = 0;
  long long patience_left = 0;
  int patience = 0;  ///< 0: no early stopping
};

class Progress {
 public:
  enum class Mode { quiet, lines, bar };

  /// The mode for this process: quiet if asked, a bar if stderr is a terminal.
  static Mode detect(bool quiet) {
    if (quiet) return Mode::quiet;
    return ::isatty(::fileno(stderr)) ? Mode::bar : Mode::lines;
  }

  explicit Progress(Mode mode, std::FILE* out = stderr) : mode_(mode), out_(out) {}

  /// A sweep of `runs` runs (label fractions × seeds × methods) begins.
  void begin_sweep(long long runs) {
    sweep_runs_ = runs;
    sweep_done_ = 0;
    sweep_start_ = Clock::now();
  }
  /// One run of the sweep finished.
  void run_done() { ++sweep_done_; }

  /// Starts a method that runs at most epochs first_epoch..epochs, about
  /// `steps_per_epoch` steps each (the first epoch's real count replaces the guess).
  /// `label` names the run in every line ("ig", or "ig f=0.05 seed 2" in a sweep).
  void begin(const std::string& label, int first_epoch, int epochs, long long steps_per_epoch, int patience) {
    label_ = label;
    first_epoch_ = first_epoch;
    epochs_ = epochs;
    patience_ = patience;
    steps_per_epoch_ = std::max(1LL, steps_per_epoch);
    steps_in_epoch_ = 0;
    epoch_ = first_epoch;
    status_ = SelectionStatus();
    status_.patience = patience;
    status_.patience_left = patience;
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
    ++steps_in_epoch_;
    // Redraw at most ten times a second: a step can take microseconds.
    const auto now = Clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw();
  }

  /// An epoch ended: its line (every epoch without early stopping, else the evaluated
  /// ones and every tenth), above the status on a terminal.
  void epoch(const invlearn::EpochReport& r, const SelectionStatus& status) {
    if (r.epoch == first_epoch_ && r.steps > 0) steps_per_epoch_ = r.steps;
    status_ = status;
    if (mode_ == Mode::quiet) return;
    if (patience_ == 0 || r.evaluated() || r.epoch % 10 == 0) line(epoch_line(r));
    if (mode_ == Mode::bar) {
      epoch_ = r.epoch + 1;
      steps_in_epoch_ = 0;
      draw();
    }
  }

  /// A line of text that must not be overwritten by the status.
  void line(const std::string& text) {
    if (mode_ == Mode::quiet) return;
    clear();
    std::fprintf(out_, "%s\n", text.c_str());
    std::fflush(out_);
  }

  /// The method finished (or failed): remove the status.
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

  /// "eval 12 best 0.4321 (epoch 10) patience 7/10", or "" before the first evaluation.
  std::string selection_text() const {
    if (status_.evaluations == 0) return "";
    char buf[160];
    int n = std::snprintf(buf, sizeof buf, " eval %lld best %.4f (epoch %d)", status_.evaluations,
                          status_.best_valid_loss, status_.best_epoch);
    if (patience_ > 0 && n > 0 && static_cast<std::size_t>(n) < sizeof buf)
      std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " patience %lld/%d", status_.patience_left,
                    patience_);
    return buf;
  }

  std::string epoch_line(const invlearn::EpochReport& r) const {
    char buf[384];
    const std::string epoch = patience_ == 0 ? std::to_string(r.epoch) + "/" + std::to_string(epochs_)
                                             : std::to_string(r.epoch);
    const std::string valid = r.evaluated() ? cell(r.valid_loss) + (r.improved ? " (best)" : "") : "-";
    int n = std::snprintf(buf, sizeof buf, "[%s] epoch %s train_loss %.4f valid_bce %s%s %.1fs", label_.c_str(),
                          epoch.c_str(), r.train_loss, valid.c_str(), selection_text().c_str(), r.seconds);
    const long long meta = r.choices[0] + r.choices[1] + r.choices[2];
    if (meta > 0 && n > 0 && static_cast<std::size_t>(n) < sizeof buf)
      std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), " choices d/n/i %lld/%lld/%lld",
                    static_cast<long long>(r.choices[0]), static_cast<long long>(r.choices[1]),
                    static_cast<long long>(r.choices[2]));
    return buf;
  }

  static std::string cell(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
  }

  /// `[####....]` filled to `done` in [0, 1].
  static std::string bar_text(double done) {
    constexpr int kWidth = 20;
    const int filled = static_cast<int>(std::min(1.0, std::max(0.0, done)) * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    return "[" + bar + "]";
  }

  void draw() {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const long long in_epoch = std::min(steps_in_epoch_, steps_per_epoch_);
    std::string text = "[" + label_ + "] epoch " + std::to_string(epoch_);
    if (patience_ == 0) {
      // A fixed number of epochs: a bar and an ETA for this run.
      const double done = (static_cast<double>(epoch_ - first_epoch_) +
                           static_cast<double>(in_epoch) / static_cast<double>(steps_per_epoch_)) /
                          static_cast<double>(std::max(1, epochs_ - first_epoch_ + 1));
      text += "/" + std::to_string(epochs_) + " " + bar_text(done) + " ETA " +
              (done > 0 ? clock_text(elapsed * (1.0 - done) / done) : std::string("?"));
    } else {
      text += " step " + std::to_string(in_epoch) + "/" + std::to_string(steps_per_epoch_) + selection_text() +
              " " + clock_text(elapsed);
    }
    if (sweep_runs_ > 1) {
      // The sweep's bar: runs done, and an ETA from the runs so far.
      const double swept = std::chrono::duration<double>(Clock::now() - sweep_start_).count();
      const double done = static_cast<double>(sweep_done_) / static_cast<double>(sweep_runs_);
      text += " | run " + std::to_string(sweep_done_ + 1) + "/" + std::to_string(sweep_runs_) + " " + bar_text(done) +
              " ETA " + (sweep_done_ > 0 ? clock_text(swept * (1.0 - done) / done) : std::string("?"));
    }
    const int len = static_cast<int>(text.size());
    // Pad with spaces over whatever a longer previous line left behind.
    std::fprintf(out_, "\r%s%*s", text.c_str(), std::max(0, drawn_ - len), "");
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
  std::string label_;
  int first_epoch_ = 1, epochs_ = 1, epoch_ = 1, patience_ = 0;
  long long steps_per_epoch_ = 1, steps_in_epoch_ = 0;
  SelectionStatus status_;
  Clock::time_point start_, last_draw_, sweep_start_;
  long long sweep_runs_ = 0, sweep_done_ = 0;
  int drawn_ = 0;
};

}  // namespace train
