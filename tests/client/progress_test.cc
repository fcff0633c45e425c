// Tests for client/progress.{h,cc}: the progress line's text and when it is drawn.
#include "client/progress.h"

#include <sstream>

#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

TEST(FormatProgress, ShowsRowsShareRateAndEta) {
  EXPECT_EQ(FormatProgress("rows", 1200, 10000, absl::Seconds(3)),
            "rows 1,200/10,000 12% 400 rows/s ETA 0:22");
  EXPECT_EQ(FormatProgress("rows", 2500, 0, absl::Seconds(2)), "rows 2,500 1,250 rows/s");
  EXPECT_EQ(FormatProgress("rows", 0, 0, absl::ZeroDuration()), "rows 0");
  EXPECT_EQ(FormatProgress("rows", 1, 10000, absl::Seconds(1)),
            "rows 1/10,000 0% 1 rows/s ETA 2:46:39");
}

TEST(Progress, DrawsNothingWhenDisabled) {
  std::ostringstream out;
  {
    Progress progress("rows", 10, out, false, [] { return absl::UnixEpoch(); });
    progress.Add(10);
  }
  EXPECT_EQ(out.str(), "");
}

TEST(Progress, RedrawsAtMostTenTimesASecondAndEndsTheLine) {
  std::ostringstream out;
  absl::Time now = absl::UnixEpoch();
  Progress progress("rows", 100, out, true, [&now] { return now; });
  progress.Add(10);
  progress.Add(10);  // same instant: not redrawn
  now += absl::Seconds(1);
  progress.Add(30);
  progress.Finish();
  progress.Finish();
  EXPECT_EQ(out.str(),
            "\rrows 10/100 10%\x1b[K"
            "\rrows 50/100 50% 50 rows/s ETA 0:01\x1b[K"
            "\rrows 50/100 50% 50 rows/s ETA 0:01\x1b[K\n");
}

}  // namespace
}  // namespace riskcap::client
