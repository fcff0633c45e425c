// Table tests of the feed guards (core/feed_guard.cc).
#include "core/feed_guard.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace riskcap {
namespace {

// The code of the rule `current` breaks against `previous` ("" = accepted), guarding the
// OTC_OPTION and OFFSHORE_FUND sub-feeds of a positions feed.
std::string Verdict(FeedCounts current, std::optional<FeedCounts> previous, double fraction) {
  FeedGuardInput in{"positions", std::move(current), std::move(previous),
                    {"OTC_OPTION", "OFFSHORE_FUND"}, fraction};
  std::optional<Quarantine> q = CheckFeed(in);
  if (q) {
    EXPECT_NE(q->message.find("positions feed"), std::string::npos) << q->message;
  }
  return q ? q->code : "";
}

FeedCounts Full() { return FeedCounts{100, {{"OTC_OPTION", 10}, {"OFFSHORE_FUND", 5}, {"OTHER", 85}}}; }
FeedCounts Counts(int64_t total, int64_t options, int64_t offshore) {
  FeedCounts c{total, {}};
  if (options > 0) c.by_subfeed["OTC_OPTION"] = options;
  if (offshore > 0) c.by_subfeed["OFFSHORE_FUND"] = offshore;
  return c;
}

TEST(FeedGuard, EmptyFeedIsQuarantinedWithOrWithoutAPreviousLoad) {
  EXPECT_EQ(Verdict(Counts(0, 0, 0), std::nullopt, 0.5), "EMPTY");
  EXPECT_EQ(Verdict(Counts(0, 0, 0), Full(), 0.5), "EMPTY");
  EXPECT_EQ(Verdict(Counts(3, 0, 0), std::nullopt, 0.5), "") << "a first load has nothing to compare";
}

TEST(FeedGuard, GuardedSubfeedThatVanishedIsQuarantined) {
  EXPECT_EQ(Verdict(Full(), Full(), 0.5), "");
  EXPECT_EQ(Verdict(Counts(95, 0, 5), Full(), 0.5), "SUBFEED_EMPTY:OTC_OPTION");
  EXPECT_EQ(Verdict(Counts(95, 10, 0), Full(), 0.5), "SUBFEED_EMPTY:OFFSHORE_FUND");
  EXPECT_EQ(Verdict(Counts(60, 0, 0), Counts(100, 0, 0), 0.5), "")
      << "a sub-feed absent before may stay absent";
}

TEST(FeedGuard, FewerRowsThanTheFractionOfThePreviousLoadIsPartial) {
  EXPECT_EQ(Verdict(Counts(50, 1, 1), Full(), 0.5), "") << "exactly the fraction is accepted";
  EXPECT_EQ(Verdict(Counts(49, 1, 1), Full(), 0.5), "PARTIAL");
  EXPECT_EQ(Verdict(Counts(80, 1, 1), Full(), 0.9), "PARTIAL");
  EXPECT_EQ(Verdict(Counts(1, 1, 1), Full(), 0), "") << "fraction 0 disables the check";
}

TEST(FeedGuard, PartialMessageNamesBothCounts) {
  FeedGuardInput in{"nav_snapshot", {10, {}}, FeedCounts{300, {}}, {}, 0.5};
  std::optional<Quarantine> q = CheckFeed(in);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->message, "the nav_snapshot feed has 10 rows, fewer than 0.5 of the previous load's 300");
}

}  // namespace
}  // namespace riskcap
