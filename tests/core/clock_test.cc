// Tests for core/clock: FakeClock control and Today() in UTC.
#include "core/clock.h"

#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/date.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

TEST(Clock, FakeClockStartsAtTheGivenTimeAndStaysThere) {
  const absl::Time start = Utc(2026, 11, 24, 13, 5);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Now(), start);
}

TEST(Clock, FakeClockAdvancesAndSets) {
  FakeClock clock(Utc(2026, 11, 24, 13, 5));
  clock.Advance(absl::Minutes(90));
  EXPECT_EQ(clock.Now(), Utc(2026, 11, 24, 14, 35));
  clock.Set(Utc(2027, 1, 1, 0, 0));
  EXPECT_EQ(clock.Now(), Utc(2027, 1, 1, 0, 0));
  clock.Advance(-absl::Hours(1));
  EXPECT_EQ(clock.Now(), Utc(2026, 12, 31, 23, 0));
}

TEST(Clock, TodayIsTheUtcDateAndChangesAtUtcMidnight) {
  FakeClock clock(Utc(2026, 11, 24, 23, 59));
  EXPECT_EQ(clock.Today(), Date(2026, 11, 24));
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(clock.Today(), Date(2026, 11, 25));
}

TEST(Clock, FakeClockIsSafeForConcurrentAdvance) {
  const absl::Time start = Utc(2026, 1, 1, 0, 0);
  FakeClock clock(start);
  constexpr int kThreads = 8, kStepsPerThread = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < kStepsPerThread; ++i) {
        clock.Advance(absl::Seconds(1));
        (void)clock.Now();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(clock.Now(), start + absl::Seconds(kThreads * kStepsPerThread));
}

TEST(Clock, SystemClockFollowsTheWallClock) {
  const SystemClock clock;
  const absl::Time before = absl::Now();
  const absl::Time now = clock.Now();
  const Date today = clock.Today();
  const absl::Time after = absl::Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  // Either side of a UTC midnight that may fall between the reads.
  EXPECT_TRUE(today == UtcDate(before) || today == UtcDate(after)) << today;
}

// Services hold a `const Clock&`; both implementations must be usable through it.
TEST(Clock, IsUsableThroughTheBaseInterface) {
  FakeClock fake(Utc(2026, 3, 2, 9, 0));
  const Clock& clock = fake;
  EXPECT_EQ(clock.Today(), Date(2026, 3, 2));
}

}  // namespace
}  // namespace riskcap
