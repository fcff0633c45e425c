// A progress line on stderr for long operations (rows done, rate, ETA). Drawn only when stderr is
// a terminal, so that scripts, pipes and logs see nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace riskcap::client {

// "submissions 1,200/10,000 12% 400 rows/s ETA 0:22"; without a total (0), no share or ETA.
std::string FormatProgress(std::string_view label, int64_t done, int64_t total,
                           absl::Duration elapsed);

// Not thread-safe: one operation's owner updates it.
class Progress {
 public:
  using Now = std::function<absl::Time()>;

  // On stderr, drawn when stderr is a terminal. `total` is 0 when unknown.
  Progress(std::string label, int64_t total);
  // Explicit sink, switch and clock (tests).
  Progress(std::string label, int64_t total, std::ostream& out, bool enabled, Now now);
  ~Progress() { Finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Whether it draws (stderr is a terminal): callers skip work only the drawing needs.
  bool enabled() const { return enabled_; }
  // Sets the total once it is known (0 = unknown).
  void set_total(int64_t total) { total_ = total; }

  // Records `rows` more rows done; redraws at most 10 times a second.
  void Add(int64_t rows);
  // Draws the final state and ends the line; later calls do nothing.
  void Finish();

 private:
  void Draw();

  std::string label_;
  int64_t total_;
  std::ostream& out_;
  bool enabled_;
  Now now_;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
  int64_t done_ = 0;
  bool finished_ = false;
};

}  // namespace riskcap::client
