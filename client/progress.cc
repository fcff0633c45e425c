// Progress line drawing: carriage-return redraws on a terminal's stderr.
#include "client/progress.h"

#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace riskcap::client {
namespace {

constexpr absl::Duration kRedrawInterval = absl::Milliseconds(100);

std::string Grouped(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? absl::StrCat("-", out) : out;
}

std::string Clock(int64_t seconds) {
  if (seconds >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return absl::StrFormat("%d:%02d", seconds / 60, seconds % 60);
}

}  // namespace

std::string FormatProgress(std::string_view label, int64_t done, int64_t total,
                           absl::Duration elapsed) {
  std::string line(label);
  absl::StrAppend(&line, " ", Grouped(done));
  if (total > 0) absl::StrAppend(&line, "/", Grouped(total), " ", done * 100 / total, "%");
  double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds <= 0 || done <= 0) return line;
  double rate = done / seconds;
  absl::StrAppend(&line, " ", Grouped(static_cast<int64_t>(rate)), " rows/s");
  if (total > done) {
    absl::StrAppend(&line, " ETA ", Clock(static_cast<int64_t>((total - done) / rate + 0.5)));
  }
  return line;
}

Progress::Progress(std::string label, int64_t total)
    : Progress(std::move(label), total, std::cerr, isatty(STDERR_FILENO) == 1, absl::Now) {}

Progress::Progress(std::string label, int64_t total, std::ostream& out, bool enabled, Now now)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      enabled_(enabled),
      now_(std::move(now)),
      start_(now_()) {}

void Progress::Add(int64_t rows) {
  done_ += rows;
  if (!enabled_ || finished_) return;
  if (now_() - last_draw_ >= kRedrawInterval) Draw();
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  Draw();
  out_ << "\n" << std::flush;
}

void Progress::Draw() {
  last_draw_ = now_();
  // "\r" returns to the line start; "\x1b[K" clears what a longer previous line left.
  out_ << "\r" << FormatProgress(label_, done_, total_, last_draw_ - start_) << "\x1b[K"
       << std::flush;
}

}  // namespace riskcap::client
