// riskcap_bench's generated rows: deterministic per (seed, index), a mix of every kind, and
// valid by the server's own upload checks; and the VmHWM parser.
#include "bench/row_generator.h"

#include <google/protobuf/util/message_differencer.h>
#include <unistd.h>

#include <map>

#include "bench/server_memory.h"
#include "core/field_errors.h"
#include "gtest/gtest.h"
#include "server/snapshots/convert_snapshot.h"

namespace riskcap::bench {
namespace {

using google::protobuf::util::MessageDifferencer;

RowPlan Plan(uint64_t seed) { return RowPlan{seed, {11, 12, 13}, "2026-11-23"}; }

TEST(RowGeneratorTest, SameSeedAndIndexGiveTheSameRow) {
  v1::Position a, b, c;
  GeneratePosition(Plan(7), 12'345, &a);
  GeneratePosition(Plan(7), 12'345, &b);
  GeneratePosition(Plan(8), 12'345, &c);
  EXPECT_TRUE(MessageDifferencer::Equals(a, b));
  EXPECT_FALSE(MessageDifferencer::Equals(a, c));
}

TEST(RowGeneratorTest, PositionsMixEveryKindAndPassTheServersChecks) {
  std::map<v1::PositionClassification, int> kinds;
  FieldErrors errors;
  for (int64_t i = 0; i < 1'000; ++i) {
    v1::Position p;
    GeneratePosition(Plan(3), i, &p);
    ++kinds[p.classification()];
    EXPECT_EQ(p.fund_id(), 11 + i % 3);
    server::PositionFromProto(p, "rows[i]", errors);
  }
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_EQ(kinds[v1::POSITION_CLASSIFICATION_OTC_OPTION], 300);
  EXPECT_EQ(kinds[v1::POSITION_CLASSIFICATION_OTC_SWAP], 300);
  EXPECT_EQ(kinds[v1::POSITION_CLASSIFICATION_OFFSHORE_FUND], 200);
  EXPECT_EQ(kinds[v1::POSITION_CLASSIFICATION_OTHER], 200);
}

TEST(RowGeneratorTest, NavRowsPassTheServersChecksAndHistoryGoesBackADayPerRound) {
  FieldErrors errors;
  for (int64_t i = 0; i < 3; ++i) {
    v1::NavSnapshot n;
    GenerateNavSnapshot(Plan(1), i, &n);
    server::NavSnapshotFromProto(n, "rows[i]", errors);
  }
  v1::NavHistoryEntry first, fourth;
  GenerateNavHistory(Plan(1), 0, &first);
  GenerateNavHistory(Plan(1), 3, &fourth);
  server::NavHistoryFromProto(first, "rows[0]", errors);
  server::NavHistoryFromProto(fourth, "rows[3]", errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  EXPECT_EQ(first.nav_date(), "2026-11-23");
  EXPECT_EQ(fourth.nav_date(), "2026-11-22");
  EXPECT_EQ(fourth.fund_id(), 11);
}

TEST(RowGeneratorTest, HundredthsAreExactDecimals) {
  EXPECT_EQ(Hundredths(0), "0.00");
  EXPECT_EQ(Hundredths(5), "0.05");
  EXPECT_EQ(Hundredths(-123456), "-1234.56");
  EXPECT_EQ(Hundredths(100), "1.00");
}

TEST(ServerMemoryTest, VmHwmIsReadInBytes) {
  EXPECT_EQ(ParseVmHwmBytes("Name:\triskcapd\nVmPeak:\t  900 kB\nVmHWM:\t   2048 kB\nVmRSS: 1 kB\n"),
            2048 * 1024);
  EXPECT_EQ(ParseVmHwmBytes("Name:\triskcapd\n"), std::nullopt);
  EXPECT_EQ(ParseVmHwmBytes("VmHWM:\t lots kB\n"), std::nullopt);
}

TEST(ServerMemoryTest, CpuSecondsAreUserPlusSystemTicks) {
  const char stat[] = "42 (risk capd) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0";
  EXPECT_EQ(ParseCpuSeconds(stat, 100), 3.0);
  EXPECT_EQ(ParseCpuSeconds("garbage", 100), std::nullopt);
}

TEST(ServerMemoryTest, OwnProcessHasAPeak) {
  absl::StatusOr<int64_t> peak = PeakRssBytes(getpid());
  ASSERT_TRUE(peak.ok()) << peak.status();
  EXPECT_GT(*peak, 0);
}

}  // namespace
}  // namespace riskcap::bench
