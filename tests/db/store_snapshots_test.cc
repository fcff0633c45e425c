// Tests of snapshot versions and their rows (db/store_snapshots.cc) on both backends.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/canonical.h"
#include "db/positions_of_funds.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/distinct_rows.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

constexpr int64_t kFunds[] = {101, 102, 103};
constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinMicros = std::numeric_limits<int64_t>::min();
const Date kDay(2026, 11, 24);

Money Micros(int64_t micros) { return Money::FromMicros(micros); }

// splitmix64: deterministic, well-spread test values from a row index.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Any finite double, subnormals included: random bits with the all-ones exponent avoided.
double FiniteDouble(uint64_t bits) {
  uint64_t exponent = ((bits >> 52) & 0x7FF) % 0x7FF;
  double out;
  uint64_t pattern = (bits & 0x800FFFFFFFFFFFFFULL) | (exponent << 52);
  std::memcpy(&out, &pattern, sizeof out);
  return out;
}

NewVersion Load(Date day, std::string hash = "hash") {
  NewVersion v;
  v.reference_date = day;
  v.content_hash = std::move(hash);
  v.source = "test";
  return v;
}

NavSnapshot Nav(int64_t fund, double seed) {
  NavSnapshot n;
  n.fund_id = fund;
  n.position_date = kDay;
  n.nav = Micros(kMaxMicros);
  n.exchange_margin_pct = 0.1;
  n.derivatives_exposure = Micros(-123456789);
  n.derivatives_exposure_pct = 1e-300;
  n.derivatives_at_risk = Micros(kMinMicros);
  n.derivatives_at_risk_pct = -0.3;
  n.liquidity_ratio = seed;
  n.var_95 = 1.0 / 3.0;
  n.var_99 = 2.2250738585072014e-308;
  n.stress_bull = 1.7976931348623157e308;
  n.stress_bear = -seed / 7;
  n.return_day = 5e-324;
  n.return_month = 123456.789;
  n.return_year = -0.0001;
  n.criticality = "ALTA\tcom\\barra";
  return n;
}

// A deterministic position whose fields vary with `i`: optional fields set and unset, text with
// COPY's special characters, the full int64 range of micros and any finite double.
Position MakePosition(size_t i, Date day) {
  uint64_t h = Mix(i);
  Position p;
  p.fund_id = kFunds[i % 3];
  p.position_date = day;
  p.asset_nickname = absl::StrCat("ASSET ", i, i % 7 == 0 ? "\ttab\\back\nline\rcr" : "",
                                  i % 11 == 0 ? " ação €" : "");
  p.isin = absl::StrCat("BR", h % 10000000000ULL);
  p.asset_code = i % 13 == 0 ? "" : absl::StrCat("C", h % 9973);
  p.asset_type_code = absl::StrCat("T", i % 17);
  p.classification = static_cast<PositionClassification>(i % 5);
  p.quantity = Micros(static_cast<int64_t>(h));
  p.price = Micros(static_cast<int64_t>(Mix(h)) >> (i % 50));
  p.notional = Micros(i % 97 == 0 ? kMinMicros : -static_cast<int64_t>(h >> 12));
  p.market_value = Micros(i % 89 == 0 ? kMaxMicros : static_cast<int64_t>(h >> 3));
  if (i % 4 != 3) p.asset_leg_balance = Micros(static_cast<int64_t>(Mix(h + 1)));
  if (i % 4 == 0) p.liability_leg_balance = Micros(-static_cast<int64_t>(i));
  if (i % 3 != 0) {
    p.asset_class = static_cast<OtcAssetClass>(i % 5);
    p.start_date = day - static_cast<int64_t>(i % 400);
    p.end_date = day + static_cast<int64_t>(i % 3650);
    p.strike = FiniteDouble(Mix(h + 2));
  }
  if (i % 5 != 0) p.underlying_price = i % 10 == 1 ? 0.1 : FiniteDouble(Mix(h + 3));
  p.direction = i % 3 == 0 ? "" : (i % 2 == 0 ? "LONG" : "SHORT");
  p.option_type = i % 6 == 1 ? "CALL" : "";
  p.currency = i % 4 == 0 ? "USD" : "BRL";
  return p;
}

// `rows` in the batch's canonical order: the order WritePositions stores them in.
std::vector<Position> InCanonicalOrder(const std::vector<Position>& rows) {
  std::vector<Position> out;
  for (size_t i : CanonicalOrder(rows)) out.push_back(rows[i]);
  return out;
}

FundExposure Exposure(int64_t fund, int32_t count) {
  FundExposure e;
  e.fund_id = fund;
  e.position_date = kDay;
  e.otc = count % 2 == 0;
  e.offshore = count % 3 == 0;
  e.otc_option_count = count;
  e.otc_swap_count = std::numeric_limits<int32_t>::max();
  e.offshore_fund_count = 0;
  e.otc_notional = Micros(kMaxMicros);
  e.otc_market_value = Micros(kMinMicros);
  e.swap_notional = Micros(-1);
  e.offshore_market_value = Micros(count);
  e.gross_exposure = Micros(1'000'000'000'000);
  e.net_exposure = Micros(-999'999'999'999);
  e.largest_position_value = Micros(42);
  return e;
}

NavHistoryEntry History(int64_t fund, Date day, int64_t base) {
  return NavHistoryEntry{fund, day, Micros(base), Micros(-base - 1)};
}

// The value, or a test failure and T{} — a clean failure instead of a crash on error.
template <typename T>
T Ok(absl::StatusOr<T> result) {
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : T{};
}

void ExpectSameVersion(const SnapshotVersion& a, const SnapshotVersion& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.reference_date, b.reference_date);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.content_hash, b.content_hash);
  EXPECT_EQ(a.row_count, b.row_count);
  EXPECT_EQ(a.job_run_id, b.job_run_id);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.created_at, b.created_at);
}

class StoreSnapshots : public riskcap::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure()) return;
    auto manager = store().CreateManager(Manager{0, "Gestora", "11111111000191"});
    ASSERT_TRUE(manager.ok()) << manager.status();
    for (int64_t id : kFunds) {
      Fund fund;
      fund.id = id;
      fund.name = absl::StrCat("Fund ", id);
      fund.tax_id = absl::StrCat("22222222000", id);
      fund.manager_id = manager->id;
      absl::Status created = store().CreateFund(fund);
      ASSERT_TRUE(created.ok()) << created;
    }
  }

  void ExpectNoVersions(SnapshotKind kind, Date day = kDay) {
    auto versions = store().ListSnapshotVersions(kind, day);
    ASSERT_TRUE(versions.ok()) << versions.status();
    EXPECT_TRUE(versions->empty());
  }
};

// Each row type's every field survives its table: a row with each field distinct, and that row
// with each one field changed (an optional absent), read back equal — through the encoder, the
// column list and the reader that the row type's field list drives.
template <typename Row, typename Write, typename Read>
void ExpectEveryFieldRoundTrips(Write write, Read read) {
  const Row base = riskcap::testing::DistinctRow<Row>();
  std::vector<std::pair<std::string, Row>> rows = riskcap::testing::OneFieldChanged(base);
  rows.insert(rows.begin(), {"every field set", base});
  for (auto& [name, row] : rows) {
    if (row.fund_id != base.fund_id) row.fund_id = 102;  // an existing fund
    absl::StatusOr<SnapshotVersion> v = write(Load(Date(2030, 1, 1)), std::vector<Row>{row});
    ASSERT_TRUE(v.ok()) << name << ": " << v.status();
    EXPECT_EQ(Ok(read(*v, row)), std::vector<Row>{row}) << name;
  }
}

TEST_P(StoreSnapshots, EveryFieldOfEachRowTypeRoundTrips) {
  ASSERT_EQ(riskcap::testing::DistinctRow<Position>().fund_id, 101);  // one of kFunds
  Store& s = store();
  ExpectEveryFieldRoundTrips<NavSnapshot>(
      [&](const NewVersion& v, const std::vector<NavSnapshot>& r) {
        return s.WriteNavSnapshot(v, r);
      },
      [&](const SnapshotVersion& v, const NavSnapshot&) { return s.ListNavSnapshots(v.id); });
  ExpectEveryFieldRoundTrips<NavHistoryEntry>(
      [&](const NewVersion& v, const std::vector<NavHistoryEntry>& r) {
        return s.WriteNavHistory(v, r);
      },
      [&](const SnapshotVersion& v, const NavHistoryEntry& row) {
        return s.ListNavHistory(row.fund_id, row.nav_date, row.nav_date, v.id);
      });
  ExpectEveryFieldRoundTrips<Position>(
      [&](const NewVersion& v, const std::vector<Position>& r) { return s.WritePositions(v, r); },
      [&](const SnapshotVersion& v, const Position&) {
        return s.ListPositions(v.id, std::nullopt, Page{0, 10});
      });
  ExpectEveryFieldRoundTrips<FundExposure>(
      [&](const NewVersion& v, const std::vector<FundExposure>& r) {
        return s.WriteExposure(v, r);
      },
      [&](const SnapshotVersion& v, const FundExposure&) { return s.ListExposures(v.id); });
}


// A NaN or infinite figure is refused before anything is written, naming the row and the field:
// every double field of the row types that uploads carry, found from their field lists.
template <typename Row, typename Write>
void ExpectEachNonFiniteFigureRefused(Write write) {
  const Row base = riskcap::testing::DistinctRow<Row>();
  int checked = 0;
  VisitFields(base, [&](const auto& field, const auto& value) {
    using T = std::decay_t<decltype(value)>;
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::optional<double>>) {
      ++checked;
      Row bad = base;
      bad.*field.member = checked % 2 == 0 ? std::numeric_limits<double>::quiet_NaN()
                                           : -std::numeric_limits<double>::infinity();
      absl::StatusOr<SnapshotVersion> v = write(Load(Date(2030, 1, 1)), std::vector<Row>{bad});
      EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << field.name;
      const std::string expected =
          absl::StrCat("rows[0].", AbslView(field.name), " must be a finite number");
      EXPECT_TRUE(absl::StrContains(v.status().message(), expected)) << v.status();
    }
  });
  EXPECT_GT(checked, 0);
}

TEST_P(StoreSnapshots, ANonFiniteFigureIsRefusedNamingItsField) {
  Store& s = store();
  ExpectEachNonFiniteFigureRefused<NavSnapshot>(
      [&](const NewVersion& v, const std::vector<NavSnapshot>& r) {
        return s.WriteNavSnapshot(v, r);
      });
  ExpectEachNonFiniteFigureRefused<Position>(
      [&](const NewVersion& v, const std::vector<Position>& r) { return s.WritePositions(v, r); });
  ExpectNoVersions(SnapshotKind::kNavSnapshot, Date(2030, 1, 1));
  ExpectNoVersions(SnapshotKind::kPositions, Date(2030, 1, 1));
}


TEST_P(StoreSnapshots, NavSnapshotRoundTripsExactly) {
  std::vector<NavSnapshot> rows = {Nav(101, 0.1), Nav(102, -7.25)};
  auto written = store().WriteNavSnapshot(Load(kDay, "abc"), rows);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->version, 1);
  EXPECT_EQ(written->row_count, 2);
  EXPECT_EQ(written->kind, SnapshotKind::kNavSnapshot);
  EXPECT_EQ(written->content_hash, "abc");

  auto current = store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, std::nullopt);
  ASSERT_TRUE(current.ok()) << current.status();
  ExpectSameVersion(*current, *written);
  auto listed = store().ListNavSnapshots(written->id);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(*listed, rows);
  auto one = store().GetNavSnapshot(102, kDay, std::nullopt);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(*one, rows[1]);
}

TEST_P(StoreSnapshots, SecondLoadIsVersionTwoAndVersionOneStaysReadable) {
  std::vector<NavSnapshot> first = {Nav(101, 1.5), Nav(102, 2.5)};
  std::vector<NavSnapshot> second = {Nav(101, 3.5)};
  auto v1 = store().WriteNavSnapshot(Load(kDay, "one"), first);
  auto v2 = store().WriteNavSnapshot(Load(kDay, "two"), second);
  ASSERT_TRUE(v1.ok() && v2.ok()) << v1.status() << v2.status();
  EXPECT_EQ(v2->version, 2);

  auto current = store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, std::nullopt);
  ASSERT_TRUE(current.ok()) << current.status();
  ExpectSameVersion(*current, *v2);
  auto explicit_v1 = store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, 1);
  ASSERT_TRUE(explicit_v1.ok()) << explicit_v1.status();
  ExpectSameVersion(*explicit_v1, *v1);
  auto all = store().ListSnapshotVersions(SnapshotKind::kNavSnapshot, kDay);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  ExpectSameVersion((*all)[0], *v1);
  ExpectSameVersion((*all)[1], *v2);

  EXPECT_EQ(Ok(store().ListNavSnapshots(v1->id)), first);
  EXPECT_EQ(Ok(store().GetNavSnapshot(101, kDay, 1)), first[0]);
  EXPECT_EQ(Ok(store().GetNavSnapshot(101, kDay, 2)), second[0]);
  EXPECT_EQ(Ok(store().GetNavSnapshot(101, kDay, std::nullopt)), second[0]);
  // Fund 102 is only in version 1: the current version does not have it.
  EXPECT_EQ(Ok(store().GetNavSnapshot(102, kDay, 1)), first[1]);
  auto missing = store().GetNavSnapshot(102, kDay, std::nullopt);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "fund 102")) << missing.status();
}

TEST_P(StoreSnapshots, NavHistoryTakesEachDateFromTheNewestVersionThatHasIt) {
  const Date d1(2026, 11, 2);
  std::vector<NavHistoryEntry> older, newer;
  for (int k = 0; k < 5; ++k) older.push_back(History(101, d1 + k, 1000 + k));
  older.push_back(History(102, d1, 5));  // another fund's row must never leak in
  for (int k = 3; k < 7; ++k) newer.push_back(History(101, d1 + k, 2000 + k));
  auto v1 = store().WriteNavHistory(Load(d1 + 4), older);
  auto v2 = store().WriteNavHistory(Load(d1 + 6), newer);
  ASSERT_TRUE(v1.ok() && v2.ok()) << v1.status() << v2.status();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v2->version, 1);  // a different reference date starts its own sequence

  std::vector<NavHistoryEntry> merged(older.begin(), older.begin() + 3);
  merged.insert(merged.end(), newer.begin(), newer.end());
  EXPECT_EQ(Ok(store().ListNavHistory(101, d1, d1 + 6, std::nullopt)), merged);
  EXPECT_EQ(Ok(store().ListNavHistory(101, d1 + 1, d1 + 3, std::nullopt)),
            std::vector<NavHistoryEntry>(merged.begin() + 1, merged.begin() + 4));
  EXPECT_EQ(Ok(store().ListNavHistory(101, d1, d1 + 6, v1->id)),
            std::vector<NavHistoryEntry>(older.begin(), older.begin() + 5));
  EXPECT_EQ(Ok(store().ListNavHistory(101, d1 - 5, d1 + 30, v2->id)), newer);
  EXPECT_EQ(Ok(store().ListNavHistory(102, d1, d1, std::nullopt)),
            std::vector<NavHistoryEntry>{older[5]});
  EXPECT_TRUE(Ok(store().ListNavHistory(103, d1, d1 + 6, std::nullopt)).empty());
  EXPECT_EQ(store().ListNavHistory(101, d1 + 1, d1, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreSnapshots, PositionsRoundTripWithFundFilterAndPages) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 24; ++i) rows.push_back(MakePosition(i, kDay));
  auto v = store().WritePositions(Load(kDay), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->row_count, 24);
  // Stored in canonical order (fund, date, then every field), numbered 1..n in that order.
  const std::vector<Position> sorted = InCanonicalOrder(rows);
  ASSERT_NE(sorted, rows);  // the test would prove nothing if load order were canonical already
  std::vector<int64_t> all_numbers;
  EXPECT_EQ(Ok(store().ListPositions(v->id, std::nullopt, Page{0, 100}, &all_numbers)), sorted);
  for (size_t i = 0; i < all_numbers.size(); ++i) EXPECT_EQ(all_numbers[i], int64_t(i) + 1);
  EXPECT_EQ(Ok(store().ListPositions(v->id, std::nullopt, Page{20, 3})),
            std::vector<Position>(sorted.begin() + 20, sorted.begin() + 23));

  std::vector<Position> fund_102;
  for (const Position& p : sorted) {
    if (p.fund_id == 102) fund_102.push_back(p);
  }
  ASSERT_GE(fund_102.size(), 4u);
  std::vector<int64_t> numbers_102;
  EXPECT_EQ(Ok(store().ListPositions(v->id, 102, Page{0, 100}, &numbers_102)), fund_102);
  // Continuing after fund 102's second row skips its first two.
  EXPECT_EQ(Ok(store().ListPositions(v->id, 102, Page{numbers_102[1], 2})),
            std::vector<Position>(fund_102.begin() + 2, fund_102.begin() + 4));
  // Paging a fund's rows by the returned row numbers visits each row exactly once.
  std::vector<Position> paged;
  Page page{0, 3};
  while (true) {
    std::vector<int64_t> row_numbers;
    auto chunk = Ok(store().ListPositions(v->id, 102, page, &row_numbers));
    ASSERT_EQ(chunk.size(), row_numbers.size());
    paged.insert(paged.end(), chunk.begin(), chunk.end());
    if (chunk.size() < 3) break;
    page.after_id = row_numbers.back();
  }
  EXPECT_EQ(paged, fund_102);
  EXPECT_EQ(store().ListPositions(v->id, std::nullopt, Page{0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A page of a whole batch is read as a bounded range of row numbers (PostgreSQL plans the open
// range badly on a batch without statistics); rows missing from the numbering, which riskcap
// never writes but a hand-made delete could leave, still leave every page full and each row
// listed once.
TEST_P(StoreSnapshots, PagesOfABatchStayFullAcrossGapsInItsRowNumbers) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 24; ++i) rows.push_back(MakePosition(i, kDay));
  auto v = store().WritePositions(Load(kDay), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  const std::vector<Position> sorted = InCanonicalOrder(rows);
  const std::string gaps = absl::StrCat("DELETE FROM positions WHERE version_id = ", v->id,
                                        " AND (row_no IN (3, 4) OR row_no BETWEEN 10 AND 15)");
  ASSERT_TRUE(testing::ExecSql(store(), gaps).ok());
  std::vector<Position> expected;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const int64_t row_no = static_cast<int64_t>(i) + 1;
    if (row_no != 3 && row_no != 4 && (row_no < 10 || row_no > 15)) expected.push_back(sorted[i]);
  }
  std::vector<Position> paged;
  std::vector<size_t> sizes;
  for (Page page{0, 5};;) {
    std::vector<int64_t> numbers;
    auto chunk = Ok(store().ListPositions(v->id, std::nullopt, page, &numbers));
    ASSERT_EQ(chunk.size(), numbers.size());
    paged.insert(paged.end(), chunk.begin(), chunk.end());
    sizes.push_back(chunk.size());
    if (chunk.size() < 5) break;
    page.after_id = numbers.back();
  }
  EXPECT_EQ(paged, expected);
  EXPECT_EQ(sizes, (std::vector<size_t>{5, 5, 5, 1}));  // 16 rows: full pages, then the rest
  EXPECT_TRUE(Ok(store().ListPositions(v->id, std::nullopt, Page{24, 5})).empty());
  EXPECT_TRUE(Ok(store().ListPositions(v->id, std::nullopt, Page{1LL << 62, 5})).empty());
}

TEST_P(StoreSnapshots, PositionsOfSeveralFundsComeFromOneListingInCanonicalOrder) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 24; ++i) rows.push_back(MakePosition(i, kDay));
  auto v = store().WritePositions(Load(kDay), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  const std::vector<Position> sorted = InCanonicalOrder(rows);
  std::vector<Position> of_101_and_103;
  for (const Position& p : sorted) {
    if (p.fund_id == 101 || p.fund_id == 103) of_101_and_103.push_back(p);
  }
  ASSERT_FALSE(of_101_and_103.empty());
  ASSERT_LT(of_101_and_103.size(), sorted.size());  // another fund's rows must stay out
  // Named in any order, with an unknown fund (999) that adds nothing.
  EXPECT_EQ(Ok(db::ListPositionsOfFunds(store(), v->id, {103, 999, 101})), of_101_and_103);
  EXPECT_TRUE(Ok(db::ListPositionsOfFunds(store(), v->id, {})).empty());
  EXPECT_EQ(db::ListPositionsOfFunds(store(), v->id + 1000, {101}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreSnapshots, BulkLoadOf100kPositionsRoundTripsEveryValue) {
  constexpr size_t kRows = 100'000;
  std::vector<Position> rows;
  rows.reserve(kRows);
  for (size_t i = 0; i < kRows; ++i) rows.push_back(MakePosition(i, kDay));

  auto start = std::chrono::steady_clock::now();
  auto v = store().WritePositions(Load(kDay), rows);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(v.ok()) << v.status();
  std::cout << "[   INFO   ] WritePositions(" << kRows << ") on " << BackendName(GetParam()) << ": "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms\n";
  EXPECT_EQ(v->row_count, static_cast<int64_t>(kRows));

  rows = InCanonicalOrder(rows);  // the order they are stored and read in
  size_t next = 0, mismatches = 0;
  while (true) {
    auto page =
        store().ListPositions(v->id, std::nullopt, Page{static_cast<int64_t>(next), 10'000});
    ASSERT_TRUE(page.ok()) << page.status();
    if (page->empty()) break;
    for (const Position& got : *page) {
      ASSERT_LT(next, kRows);
      if (!(got == rows[next]) && ++mismatches <= 3) ADD_FAILURE() << "row " << next << " differs";
      ++next;
    }
  }
  EXPECT_EQ(next, kRows);
  EXPECT_EQ(mismatches, 0u);
}

TEST_P(StoreSnapshots, ConcurrentLoadsOfOneDateGetConsecutiveVersions) {
  constexpr int kLoads = 4;
  std::vector<absl::StatusOr<SnapshotVersion>> results(kLoads, absl::UnknownError("not run"));
  std::vector<std::thread> loaders;
  for (int k = 0; k < kLoads; ++k) {
    loaders.emplace_back([&, k] {
      std::vector<Position> rows;
      for (size_t i = 0; i < 500; ++i) rows.push_back(MakePosition(i + k, kDay));
      results[k] = store().WritePositions(Load(kDay), rows);
    });
  }
  for (std::thread& t : loaders) t.join();
  std::vector<int32_t> versions;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    versions.push_back(result->version);
  }
  std::sort(versions.begin(), versions.end());
  EXPECT_EQ(versions, (std::vector<int32_t>{1, 2, 3, 4}));
}

TEST_P(StoreSnapshots, ExposureRoundTripsExactly) {
  auto positions = store().WritePositions(Load(kDay), {MakePosition(1, kDay)});
  ASSERT_TRUE(positions.ok()) << positions.status();
  NewVersion load = Load(kDay);
  load.source_version_id = positions->id;
  std::vector<FundExposure> rows = {Exposure(101, 6), Exposure(103, 7)};
  auto v = store().WriteExposure(load, rows);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(Ok(store().ListExposures(v->id)), rows);
  EXPECT_EQ(Ok(store().GetExposure(v->id, 103)), rows[1]);
  EXPECT_EQ(store().GetExposure(v->id, 102).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreSnapshots, LatestVersionOnOrBeforeADate) {
  auto early = store().WritePositions(Load(kDay), {MakePosition(1, kDay)});
  auto later1 = store().WritePositions(Load(kDay + 2), {MakePosition(1, kDay + 2)});
  auto later2 = store().WritePositions(Load(kDay + 2, "again"), {MakePosition(2, kDay + 2)});
  ASSERT_TRUE(early.ok() && later1.ok() && later2.ok());
  EXPECT_EQ(Ok(store().GetLatestSnapshotVersion(SnapshotKind::kPositions, kDay + 1)).id, early->id);
  EXPECT_EQ(Ok(store().GetLatestSnapshotVersion(SnapshotKind::kPositions, kDay + 2)).id, later2->id);
  EXPECT_EQ(Ok(store().GetLatestSnapshotVersion(SnapshotKind::kPositions, kDay + 9)).id, later2->id);
  EXPECT_EQ(store().GetLatestSnapshotVersion(SnapshotKind::kPositions, kDay - 1).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetLatestSnapshotVersion(SnapshotKind::kExposure, kDay + 9).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreSnapshots, UnknownFundFailsAndLeavesNothingBehind) {
  std::vector<Position> positions = {MakePosition(0, kDay), MakePosition(1, kDay)};
  positions.push_back(MakePosition(2, kDay));
  positions.back().fund_id = 999;
  auto failed = store().WritePositions(Load(kDay), positions);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition) << failed.status();
  ExpectNoVersions(SnapshotKind::kPositions);
  EXPECT_EQ(store().WriteNavSnapshot(Load(kDay), {Nav(101, 1), Nav(999, 1)}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ExpectNoVersions(SnapshotKind::kNavSnapshot);
  EXPECT_EQ(store().WriteNavHistory(Load(kDay), {History(999, kDay, 1)}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ExpectNoVersions(SnapshotKind::kNavHistory);
  EXPECT_EQ(store().WriteExposure(Load(kDay), {Exposure(999, 1)}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ExpectNoVersions(SnapshotKind::kExposure);

  // The failed loads left the sessions usable and the data untouched: a good load is version 1.
  positions.pop_back();
  auto good = store().WritePositions(Load(kDay), positions);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->version, 1);
  EXPECT_EQ(Ok(store().ListPositions(good->id, std::nullopt, Page{0, 10})), positions);
}

// SQLite inserts several rows per statement (full batches, then one shorter last batch); every
// row count around the batch size must store exactly the given rows, and a bad row in a later
// batch must fail the whole load.
TEST_P(StoreSnapshots, BulkLoadsOfAnyRowCountStoreExactlyTheRows) {
  Date day = kDay;
  for (size_t count : {1, 2, 127, 128, 129, 256, 300}) {
    day = day + 1;
    std::vector<Position> rows;
    for (size_t i = 0; i < count; ++i) rows.push_back(MakePosition(i * 7 + count, day));
    auto v = store().WritePositions(Load(day), rows);
    ASSERT_TRUE(v.ok()) << count << ": " << v.status();
    EXPECT_EQ(v->row_count, static_cast<int64_t>(count));
    EXPECT_EQ(Ok(store().ListPositions(v->id, std::nullopt, Page{0, 1000})),
              InCanonicalOrder(rows))
        << count;
  }
  std::vector<Position> rows;
  for (size_t i = 0; i < 300; ++i) rows.push_back(MakePosition(i, kDay));
  rows[290].fund_id = 999;  // sorts last: in the last, shorter batch
  EXPECT_EQ(store().WritePositions(Load(kDay), rows).status().code(),
            absl::StatusCode::kFailedPrecondition);
  rows[290].fund_id = kFunds[0];
  rows[140].fund_id = 999;  // in the second full batch
  EXPECT_EQ(store().WritePositions(Load(kDay), rows).status().code(),
            absl::StatusCode::kFailedPrecondition);
  ExpectNoVersions(SnapshotKind::kPositions);
}

TEST_P(StoreSnapshots, DuplicateRowIsAlreadyExistsAndLeavesNothingBehind) {
  auto dup = store().WriteNavSnapshot(Load(kDay), {Nav(101, 1), Nav(101, 2)});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists) << dup.status();
  ExpectNoVersions(SnapshotKind::kNavSnapshot);
}

TEST_P(StoreSnapshots, RowDatedAfterTheReferenceDateIsInvalidArgument) {
  std::vector<Position> positions = {MakePosition(0, kDay), MakePosition(1, kDay + 1)};
  auto bad_position = store().WritePositions(Load(kDay), positions);
  EXPECT_EQ(bad_position.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad_position.status().message(), "rows[1].position_date"))
      << bad_position.status();
  NavSnapshot future = Nav(101, 1);
  future.position_date = kDay + 1;
  EXPECT_EQ(store().WriteNavSnapshot(Load(kDay), {future}).status().code(),
            absl::StatusCode::kInvalidArgument);
  FundExposure late = Exposure(101, 1);
  late.position_date = kDay + 7;
  EXPECT_EQ(store().WriteExposure(Load(kDay), {late}).status().code(),
            absl::StatusCode::kInvalidArgument);
  NavSnapshot not_a_number = Nav(101, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(store().WriteNavSnapshot(Load(kDay), {not_a_number}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ExpectNoVersions(SnapshotKind::kPositions);
  ExpectNoVersions(SnapshotKind::kNavSnapshot);
  ExpectNoVersions(SnapshotKind::kExposure);
}

TEST_P(StoreSnapshots, RowsFromEarlierDatesBelongToTheLoad) {
  // A fund whose latest positions are from the day before is still part of the day's batch.
  std::vector<Position> rows = {MakePosition(0, kDay), MakePosition(1, kDay - 1)};
  auto v = store().WritePositions(Load(kDay), rows);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(Ok(store().ListPositions(v->id, std::nullopt, Page{0, 10})), rows);
}

TEST_P(StoreSnapshots, MissingVersionsAreNotFound) {
  auto none = store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, std::nullopt);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(none.status().message(), "no NAV_SNAPSHOT snapshot for 2026-11-24");
  EXPECT_EQ(store().GetNavSnapshot(101, kDay, std::nullopt).status().code(),
            absl::StatusCode::kNotFound);

  auto nav = store().WriteNavSnapshot(Load(kDay), {Nav(101, 1)});
  ASSERT_TRUE(nav.ok()) << nav.status();
  EXPECT_EQ(store().GetSnapshotVersion(SnapshotKind::kNavSnapshot, kDay, 2).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetNavSnapshot(101, kDay, 3).status().code(), absl::StatusCode::kNotFound);
  // A version id of another kind, or no version at all, is not a positions batch.
  EXPECT_EQ(store().ListPositions(nav->id, std::nullopt, Page{}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().ListPositions(nav->id + 1000, std::nullopt, Page{}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().ListExposures(nav->id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetExposure(nav->id, 101).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().ListNavSnapshots(nav->id + 1000).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().ListNavHistory(101, kDay, kDay, nav->id).status().code(),
            absl::StatusCode::kNotFound);
}

// ---- Streamed loads (Write*Stream): chunks in any order, row numbers given, one transaction.

// Supplies `rows` in chunks of `chunk` rows, last chunk first, with their 1-based numbers.
RowChunks<Position> ReversedChunks(const std::vector<Position>& rows, size_t chunk,
                                   size_t* calls = nullptr) {
  auto next = std::make_shared<size_t>((rows.size() + chunk - 1) / chunk);
  return [&rows, chunk, next, calls](std::vector<Position>& out,
                                     std::vector<int64_t>& numbers) -> absl::StatusOr<bool> {
    if (calls != nullptr) ++*calls;
    if (*next == 0) return false;
    --*next;
    for (size_t i = *next * chunk; i < std::min(rows.size(), (*next + 1) * chunk); ++i) {
      out.push_back(rows[i]);
      numbers.push_back(static_cast<int64_t>(i) + 1);
    }
    return true;
  };
}

TEST_P(StoreSnapshots, StreamedPositionsAreStoredByTheirRowNumbersWhateverTheChunkOrder) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 50; ++i) rows.push_back(MakePosition(i, kDay));
  rows = InCanonicalOrder(rows);  // numbered as a batch is: each fund's rows consecutive
  size_t calls = 0;
  auto written = store().WritePositionsStream(Load(kDay), 50, ReversedChunks(rows, 7, &calls));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->row_count, 50);
  EXPECT_EQ(calls, 9u);  // 8 chunks, then the end
  auto back = store().ListPositions(written->id, std::nullopt, Page{0, 1000});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, rows);
}

// One fund's rows are read as one range of row numbers (position_fund_ranges), so a load must
// number each fund's rows consecutively, as the canonical order does; otherwise it is refused
// whole, and a fund outside the batch reads as empty.
TEST_P(StoreSnapshots, AStreamThatScattersAFundsRowsIsRefusedWhole) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 20; ++i) rows.push_back(MakePosition(i, kDay));  // funds interleaved
  ASSERT_NE(rows[0].fund_id, rows[1].fund_id);
  auto scattered = store().WritePositionsStream(Load(kDay), 20, ReversedChunks(rows, 8));
  EXPECT_EQ(scattered.status().code(), absl::StatusCode::kInvalidArgument) << scattered.status();
  EXPECT_TRUE(absl::StrContains(scattered.status().message(), "not consecutive"))
      << scattered.status();
  ExpectNoVersions(SnapshotKind::kPositions);

  rows = InCanonicalOrder(rows);
  auto written = store().WritePositionsStream(Load(kDay), 20, ReversedChunks(rows, 8));
  ASSERT_TRUE(written.ok()) << written.status();
  for (int64_t fund : {101, 102, 103}) {
    std::vector<Position> want;
    for (const Position& p : rows) {
      if (p.fund_id == fund) want.push_back(p);
    }
    EXPECT_EQ(Ok(store().ListPositions(written->id, fund, Page{0, 100})), want) << fund;
  }
  EXPECT_TRUE(Ok(store().ListPositions(written->id, 999, Page{0, 100})).empty());
}

TEST_P(StoreSnapshots, AStreamHashedWhileWrittenRecordsTheHashGivenAfterTheLastRow) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 30; ++i) rows.push_back(MakePosition(i, kDay));
  rows = InCanonicalOrder(rows);
  size_t calls = 0;
  bool asked_early = false;
  auto written = store().WritePositionsStream(
      Load(kDay, ""), 30, ReversedChunks(rows, 8, &calls), [&]() -> absl::StatusOr<std::string> {
        asked_early = calls < 5;  // 4 chunks, then the end
        return std::string(64, 'a');
      });
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_FALSE(asked_early);
  EXPECT_EQ(written->content_hash, std::string(64, 'a'));
  EXPECT_EQ(
      Ok(store().GetSnapshotVersion(SnapshotKind::kPositions, kDay, std::nullopt)).content_hash,
      std::string(64, 'a'));

  // A hash that cannot be had rolls the whole load back; naming a hash as well is refused.
  auto failed = store().WritePositionsStream(
      Load(kDay, ""), 30, ReversedChunks(rows, 8),
      []() -> absl::StatusOr<std::string> { return absl::DataLossError("spool unreadable"); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Ok(store().ListSnapshotVersions(SnapshotKind::kPositions, kDay)).size(), 1u);
  auto both = store().WritePositionsStream(Load(kDay), 30, ReversedChunks(rows, 8),
                                           [] { return absl::StatusOr<std::string>("x"); });
  EXPECT_EQ(both.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ok(store().ListSnapshotVersions(SnapshotKind::kPositions, kDay)).size(), 1u);
}

TEST_P(StoreSnapshots, AStreamThatFailsOrMiscountsWritesNothing) {
  std::vector<Position> rows;
  for (size_t i = 0; i < 20; ++i) rows.push_back(MakePosition(i, kDay));
  rows = InCanonicalOrder(rows);
  EXPECT_FALSE(store().WritePositionsStream(Load(kDay), 21, ReversedChunks(rows, 8)).ok());
  EXPECT_FALSE(store().WritePositionsStream(Load(kDay), 19, ReversedChunks(rows, 8)).ok());
  int calls = 0;
  auto failing = [&](std::vector<Position>& out,
                     std::vector<int64_t>& numbers) -> absl::StatusOr<bool> {
    if (++calls == 3) return absl::DataLossError("spool unreadable");
    out.push_back(rows[0]);
    numbers.push_back(calls);
    return true;
  };
  auto failed = store().WritePositionsStream(Load(kDay), 20, failing);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kDataLoss);
  ExpectNoVersions(SnapshotKind::kPositions);
}

TEST_P(StoreSnapshots, StreamedNavLoadsRoundTrip) {
  std::vector<NavSnapshot> navs = {Nav(101, 0.5), Nav(103, -1)};
  bool sent = false;
  auto written = store().WriteNavSnapshotStream(
      Load(kDay), 2,
      [&](std::vector<NavSnapshot>& out, std::vector<int64_t>&) -> absl::StatusOr<bool> {
        if (std::exchange(sent, true)) return false;
        out = navs;
        return true;
      });
  ASSERT_TRUE(written.ok()) << written.status();
  auto back = store().ListNavSnapshots(written->id);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, navs);

  std::vector<NavHistoryEntry> history = {{101, kDay - 1, Micros(1), Micros(2)},
                                          {102, kDay, Micros(-3), Micros(4)}};
  sent = false;
  auto hist = store().WriteNavHistoryStream(
      Load(kDay), 2,
      [&](std::vector<NavHistoryEntry>& out, std::vector<int64_t>&) -> absl::StatusOr<bool> {
        if (std::exchange(sent, true)) return false;
        out = history;
        return true;
      });
  ASSERT_TRUE(hist.ok()) << hist.status();
  auto fund_101 = store().ListNavHistory(101, kDay - 5, kDay, hist->id);
  ASSERT_TRUE(fund_101.ok()) << fund_101.status();
  EXPECT_EQ(*fund_101, std::vector<NavHistoryEntry>{history[0]});
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StoreSnapshots);

}  // namespace
}  // namespace riskcap::db
