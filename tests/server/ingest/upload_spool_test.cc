// UploadSpool: the merged hash equals the canonical batch hash for any run size, and the rows
// come back whole in canonical order, numbered 1..n, with the same hash, for each row type.
#include "server/ingest/upload_spool.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/canonical.h"
#include "db/sha256.h"
#include "gtest/gtest.h"
#include "tests/testing/distinct_rows.h"

namespace riskcap::server {
namespace {

Position MakePosition(int i) {
  Position p;
  p.fund_id = 100 + i % 3;
  p.position_date = Date(2026, 11, 20 + i % 3);
  p.asset_nickname = absl::StrCat("asset|", i % 5, i % 2 == 0 ? "\n" : "");
  p.asset_code = absl::StrCat("code-", i);
  p.classification = i % 2 == 0 ? PositionClassification::kOtcSwap : PositionClassification::kOther;
  p.quantity = Money::FromMicros(int64_t{i} * 1'000'001 - 7);
  p.market_value = Money::FromMicros(-i);
  if (i % 2 == 0) {
    p.asset_leg_balance = Money::FromMicros(i);
    p.asset_class = OtcAssetClass::kFx;
    p.start_date = Date(2025, 1, 1 + i % 28);
    p.strike = 0.5 * i - 3;
    p.direction = "LONG";
  }
  p.currency = i % 4 == 0 ? "USD" : "";
  return p;
}

NavSnapshot MakeNav(int i) {
  NavSnapshot n;
  n.fund_id = 1000 - i;
  n.position_date = Date(2026, 11, 23);
  n.nav = Money::FromMicros(i * 12'345);
  n.var_99 = -0.0;
  n.return_year = 1.0 / (i + 1);
  n.criticality = i % 2 == 0 ? "HIGH" : "";
  return n;
}

NavHistoryEntry MakeHistory(int i) {
  return NavHistoryEntry{7 + i % 2, Date(2026, 1, 1) + i, Money::FromMicros(i),
                         Money::FromMicros(-i)};
}

template <typename Row, typename Make>
void CheckSpool(Make make, int rows, size_t run_rows) {
  SCOPED_TRACE(absl::StrCat(rows, " rows in runs of ", run_rows));
  auto spool = UploadSpool<Row>::Create("", run_rows);
  ASSERT_TRUE(spool.ok()) << spool.status();
  std::vector<Row> all;
  for (int i = 0; i < rows; ++i) {
    all.push_back(make(i));
    ASSERT_TRUE((*spool)->Add(make(i)).ok());
  }
  ASSERT_TRUE((*spool)->Finish().ok());
  EXPECT_EQ((*spool)->row_count(), rows);
  auto hash = (*spool)->ContentHash();
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(*hash, db::Sha256Hex(CanonicalBatch(all)));

  // Canonical(): every row once, in batch order, numbered 1..n, and the same hash on the way.
  auto stream = (*spool)->Canonical(4);
  EXPECT_EQ(stream.hash().status().code(), absl::StatusCode::kFailedPrecondition);
  std::vector<Row> back;
  std::vector<Row> chunk;
  std::vector<int64_t> numbers;
  for (;;) {
    chunk.clear();
    const size_t numbered = numbers.size();
    auto more = stream.chunks(chunk, numbers);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    ASSERT_LE(chunk.size(), 4u);
    ASSERT_EQ(chunk.size(), numbers.size() - numbered);
    for (Row& r : chunk) back.push_back(std::move(r));
  }
  std::vector<Row> expected;
  for (size_t i : CanonicalOrder(all)) expected.push_back(all[i]);
  ASSERT_EQ(back.size(), expected.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i], expected[i]) << "row " << i;
    EXPECT_EQ(numbers[i], static_cast<int64_t>(i) + 1);
  }
  auto streamed_hash = stream.hash();
  ASSERT_TRUE(streamed_hash.ok()) << streamed_hash.status();
  EXPECT_EQ(*streamed_hash, *hash);
}

TEST(UploadSpoolTest, PositionsHashAndReadBackForAnyRunSize) {
  for (size_t run_rows : {1, 3, 7, 1000}) CheckSpool<Position>(&MakePosition, 50, run_rows);
}

TEST(UploadSpoolTest, NavSnapshotsHashAndReadBack) {
  CheckSpool<NavSnapshot>(&MakeNav, 20, 6);
}

TEST(UploadSpoolTest, NavHistoryHashesAndReadsBack) {
  CheckSpool<NavHistoryEntry>(&MakeHistory, 33, 8);
}

// Every field of each row type survives the spool's record codec: a row with each field distinct,
// and that row with each one field changed (an optional absent), come back equal.
template <typename Row>
void CheckEveryFieldRoundTrips() {
  std::vector<Row> rows = {testing::DistinctRow<Row>()};
  for (auto& [name, changed] : testing::OneFieldChanged(rows[0])) rows.push_back(changed);
  CheckSpool<Row>([&rows](int i) { return rows[static_cast<size_t>(i)]; },
                  static_cast<int>(rows.size()), 5);
}

TEST(UploadSpoolTest, EveryFieldOfEachRowTypeRoundTrips) {
  CheckEveryFieldRoundTrips<NavSnapshot>();
  CheckEveryFieldRoundTrips<NavHistoryEntry>();
  CheckEveryFieldRoundTrips<Position>();
}

TEST(UploadSpoolTest, AnEmptySpoolHashesTheEmptyBatch) {
  auto spool = UploadSpool<Position>::Create("");
  ASSERT_TRUE(spool.ok()) << spool.status();
  ASSERT_TRUE((*spool)->Finish().ok());
  EXPECT_EQ(*(*spool)->ContentHash(), db::Sha256Hex(""));
}

TEST(UploadSpoolTest, AStreamAbandonedMidwayStopsItsMergeThread) {
  auto spool = UploadSpool<Position>::Create("", 16);
  ASSERT_TRUE(spool.ok()) << spool.status();
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE((*spool)->Add(MakePosition(i)).ok());
  ASSERT_TRUE((*spool)->Finish().ok());
  {
    auto stream = (*spool)->Canonical(10);  // the merge thread fills its queue, then waits
    std::vector<Position> chunk;
    std::vector<int64_t> numbers;
    ASSERT_TRUE(*stream.chunks(chunk, numbers));
    EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    EXPECT_EQ(stream.hash().status().code(), absl::StatusCode::kFailedPrecondition);
  }  // destroying the stream stops and joins the thread (a hang here is the failure)
  EXPECT_EQ((*spool)->row_count(), 5000);
}

TEST(UploadSpoolTest, AMissingDirectoryIsAnError) {
  EXPECT_FALSE(UploadSpool<Position>::Create("/nonexistent/riskcap-spool").ok());
}

}  // namespace
}  // namespace riskcap::server
