// Tests for core/log_throttle: one record per interval, the rest counted.
#include "core/log_throttle.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace riskcap {
namespace {

TEST(LogThrottle, AllowsOneRecordPerIntervalAndCountsTheRest) {
  LogThrottle throttle(absl::Seconds(10));
  const absl::Time t0 = absl::FromUnixSeconds(1'000'000);
  int64_t held = -1;
  ASSERT_TRUE(throttle.Allow(t0, held));
  EXPECT_EQ(held, 0);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(throttle.Allow(t0 + absl::Seconds(i), held));
  ASSERT_TRUE(throttle.Allow(t0 + absl::Seconds(10), held));
  EXPECT_EQ(held, 5);
  EXPECT_FALSE(throttle.Allow(t0 + absl::Seconds(19), held));
  ASSERT_TRUE(throttle.Allow(t0 + absl::Seconds(25), held));
  EXPECT_EQ(held, 1);
}

}  // namespace
}  // namespace riskcap
