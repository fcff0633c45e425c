// The BI views of migrations/*/0005_bi_views.sql on both backends: a generated dataset written
// through the store (fund_status rows with plain SQL), each view's rows compared with values
// computed here from the same data. Only current data may appear: the highest version of the
// latest reference date of each snapshot kind.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

constexpr int kFunds = 9;
const Date kOld(2026, 10, 30), kDay(2026, 11, 24);
const absl::Time kAt = absl::FromUnixSeconds(1'780'000'000);
const char* const kDeadline[] = {"ON_TIME", "OVERDUE", "NEVER_SUBMITTED", "NOT_APPLICABLE"};
const char* const kValidation[] = {"RECEIVED_VALIDATED", "RECEIVED_NOT_VALIDATED", "NOT_RECEIVED",
                                   "NOT_APPLICABLE"};
const char* const kLimit[] = {"WITHIN_LIMIT", "WARNING", "BREACH", "NOT_APPLICABLE"};

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
int64_t Amount(uint64_t seed) {
  return 1'000'000 + static_cast<int64_t>(Mix(seed) % 50'000'000'000'000ULL);
}
int64_t FundId(int i) { return 101 + i; }

// One fund's margin_status row as the test writes and expects it.
struct StatusRow {
  int64_t fund_id = 0, manager_id = 0;
  std::string exposure, deadline, validation, limit;
  std::optional<int64_t> submission_id, nav_micros;
  int64_t gross_micros = 0;
  std::optional<double> utilisation, cap;
};

class BiViewsTest : public testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    for (int m = 1; m <= 2; ++m) {
      ASSERT_TRUE(
          store()
              .CreateManager({m, absl::StrCat("Gestora ", m), absl::StrCat(10000000000000 + m)})
              .ok());
    }
    for (int i = 0; i < kFunds; ++i) {
      Fund f;
      f.id = FundId(i);
      f.name = absl::StrCat("Fundo ", f.id);
      f.tax_id = absl::StrCat(20000000000000 + f.id);
      f.manager_id = 1 + i % 2;
      f.regulatory_class = static_cast<RegulatoryClass>(i % 3);
      f.target_audience = static_cast<TargetAudience>(i % 3);
      ASSERT_TRUE(store().CreateFund(f).ok());
      funds_[f.id] = f;
    }
  }

  NewVersion Load(Date day, int salt) {
    return NewVersion{day, absl::StrCat("hash", salt), std::nullopt, std::nullopt, "test"};
  }

  // NAV snapshots: kOld v1, kDay v1 and kDay v2 (current) with different values.
  void WriteNavs() {
    for (int salt : {1, 2, 3}) {
      std::vector<NavSnapshot> rows;
      for (int i = 0; i < kFunds; ++i) {
        NavSnapshot n;
        n.fund_id = FundId(i);
        n.position_date = salt == 1 ? kOld : kDay;
        n.nav = Money::FromMicros(Amount(salt * 1000 + i));
        rows.push_back(n);
      }
      auto v = store().WriteNavSnapshot(Load(salt == 1 ? kOld : kDay, salt), rows);
      ASSERT_TRUE(v.ok()) << v.status();
      if (salt == 3) current_navs_ = rows, nav_version_ = v->id;
    }
  }

  // Exposure snapshots: kDay v1 and v2 (current); flags and amounts vary with the version.
  void WriteExposures() {
    for (int salt : {1, 2}) {
      std::vector<FundExposure> rows;
      for (int i = 0; i < kFunds; ++i) {
        uint64_t h = Mix(salt * 77 + i);
        FundExposure e;
        e.fund_id = FundId(i);
        e.position_date = kDay;
        e.otc = h % 3 == 0;
        e.offshore = (h >> 8) % 2 == 0;
        e.otc_option_count = e.otc ? 1 + h % 4 : 0;
        e.otc_swap_count = e.otc ? (h >> 4) % 3 : 0;
        e.offshore_fund_count = e.offshore ? 1 + (h >> 12) % 5 : 0;
        e.otc_notional = Money::FromMicros(e.otc ? Amount(h) : 0);
        e.otc_market_value = Money::FromMicros(e.otc ? Amount(h + 1) : 0);
        e.offshore_market_value = Money::FromMicros(e.offshore ? Amount(h + 2) : 0);
        rows.push_back(e);
      }
      auto v = store().WriteExposure(Load(kDay, 10 + salt), rows);
      ASSERT_TRUE(v.ok()) << v.status();
      current_exposures_ = rows;
      exposure_version_ = v->id;
    }
  }

  // NAV history: load A with three dates a month for 12 months, load B rewriting some dates.
  void WriteHistory() {
    for (int load = 0; load < 2; ++load) {
      std::vector<NavHistoryEntry> rows;
      for (int i = 0; i < 3; ++i) {
        for (int m = 0; m < 12; ++m) {
          for (int d : {3, 17, 28}) {
            if (load == 1 && (m + d + i) % 4 != 0) continue;
            NavHistoryEntry h;
            h.fund_id = FundId(i);
            h.nav_date = Date(absl::CivilMonth(2025, 12) + m) + (d - 1);
            h.opening_nav = Money::FromMicros(Amount(load * 7 + m * 31 + d + i * 1000));
            h.closing_nav = Money::FromMicros(Amount(load * 7 + m * 31 + d + i * 1000 + 5));
            rows.push_back(h);
            history_[{h.fund_id, h.nav_date}] = h.closing_nav.micros();  // load B wins
          }
        }
      }
      ASSERT_TRUE(store().WriteNavHistory(Load(kDay, 20 + load), rows).ok());
    }
  }

  // Submissions for funds 101..103 over the months, some validated, some rejected.
  void WriteSubmissions() {
    int n = 0;
    for (int i = 0; i < 3; ++i) {
      for (int m = 0; m < 12; m += 1 + i) {
        for (int d : {5, 20, 20}) {
          MarginSubmission s;
          s.fund_id = FundId(i);
          s.reference_date = Date(absl::CivilMonth(2025, 12) + m) + (d - 1);
          s.local_margin = Money::FromMicros(Amount(++n));
          s.offshore_margin = Money::FromMicros(Amount(n + 500) / 7);
          s.methodology = "VaR";
          s.submitted_at = absl::FromUnixSeconds(1'760'000'000 + n);
          s.submitted_by = "key:1";
          s.idempotency_key = absl::StrCat("k", n);
          s.content_hash = absl::StrCat("h", n);
          auto inserted = store().InsertSubmission(s);
          ASSERT_TRUE(inserted.ok()) << inserted.status();
          if (n % 3 != 0) {
            auto decision = n % 3 == 1 ? SubmissionState::kValidated : SubmissionState::kRejected;
            auto decided =
                store().DecideSubmission(inserted->id, decision, "r", "analyst",
                                         absl::FromUnixSeconds(1'770'000'000 + n * 86400));
            ASSERT_TRUE(decided.ok()) << decided.status();
            inserted = decided;
          }
          submissions_.push_back(*inserted);
        }
      }
    }
  }

  int64_t InsertStatusVersion(Date day, int version) {
    int64_t id = 0;
    absl::Status st = store().database().Write([&](soci::session& s) -> absl::Status {
      std::string date = FormatDate(day), hash = absl::StrCat("status", version);
      s << "INSERT INTO snapshot_versions (kind, reference_date, version, content_hash, row_count,"
           " source, created_at_us) VALUES ('MARGIN_STATUS', :d, :v, :h, 0, 'test', 0)",
          soci::use(date), soci::use(version), soci::use(hash);
      long long got = 0;
      s << "SELECT id FROM snapshot_versions WHERE kind = 'MARGIN_STATUS' AND reference_date = :d"
           " AND version = :v",
          soci::use(date), soci::use(version), soci::into(got);
      id = got;
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return id;
  }

  void InsertStatus(int64_t version_id, Date day, const StatusRow& r) {
    absl::Status st = store().database().Write([&](soci::session& s) -> absl::Status {
      const Fund& f = funds_.at(r.fund_id);
      std::string date = FormatDate(day), cls(EnumName(f.regulatory_class)),
                  audience(EnumName(f.target_audience));
      long long version = version_id, fund = r.fund_id, manager = r.manager_id,
                gross = r.gross_micros;
      Nullable<long long> submission(r.submission_id), nav(r.nav_micros);
      Nullable<double> utilisation(r.utilisation), cap(r.cap);
      s << "INSERT INTO fund_status (version_id, fund_id, reference_date, rule_version, manager_id,"
           " regulatory_class, target_audience, consolidated_exposure, submission_id,"
           " last_submission_source, deadline_status, validation_status, nav_micros,"
           " gross_margin_micros, utilisation, cap, cap_source, limit_status, stale,"
           " breach_business_days, benchmark_position_count, benchmark_excluded_count)"
           " VALUES (:v, :f, :d, 'test', :m, :c, :a, :e, :s, 'SUBMISSION', :dl, :vl, :n, :g, :u,"
           " :cap, 'REGULATORY_CLASS', :l, 0, 0, 0, 0)",
          soci::use(version), soci::use(fund), soci::use(date), soci::use(manager), soci::use(cls),
          soci::use(audience), soci::use(r.exposure),
          soci::use(submission.value, submission.indicator), soci::use(r.deadline),
          soci::use(r.validation), soci::use(nav.value, nav.indicator), soci::use(gross),
          soci::use(utilisation.value, utilisation.indicator), soci::use(cap.value, cap.indicator),
          soci::use(r.limit);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  // Status versions: kOld v1, kDay v1 (all funds OVERDUE) and kDay v2 (current, fund 109 left
  // out, statuses varied).
  void WriteStatuses() {
    for (auto [day, version] : {std::pair(kOld, 1), std::pair(kDay, 1), std::pair(kDay, 2)}) {
      int64_t id = InsertStatusVersion(day, version);
      bool current = day == kDay && version == 2;
      for (int i = 0; i < (current ? kFunds - 1 : kFunds); ++i) {
        StatusRow r;
        r.fund_id = FundId(i);
        r.manager_id = funds_.at(r.fund_id).manager_id;
        r.exposure = current ? (i % 3 == 0 ? "NONE" : i % 3 == 1 ? "OTC" : "OFFSHORE") : "OTC";
        r.deadline = current ? kDeadline[i % 4] : "OVERDUE";
        r.validation = current ? kValidation[i % 4] : "NOT_RECEIVED";
        r.limit = current ? kLimit[i % 4] : "BREACH";
        if (i < 3 && current) r.submission_id = LatestSubmission(r.fund_id);
        if (i % 4 != 3) r.nav_micros = Amount(version * 100 + i + day.day());
        r.gross_micros = Amount(version * 200 + i + day.day()) / 3;
        if (r.nav_micros) r.utilisation = double(r.gross_micros) / double(*r.nav_micros);
        if (i % 3 != 2) r.cap = 0.2 + 0.2 * (i % 3);
        InsertStatus(id, day, r);
        if (current) current_statuses_.push_back(r);
      }
      if (current) status_version_ = id;
    }
  }

  int64_t LatestSubmission(int64_t fund_id) const {
    int64_t best = 0;
    for (const auto& s : submissions_)
      if (s.fund_id == fund_id) best = std::max(best, s.id);
    return best;
  }

  void WriteAll() {
    WriteNavs();
    WriteExposures();
    WriteHistory();
    WriteSubmissions();
    WriteStatuses();
  }

  // Every row of `sql`, each column read by `read`.
  template <typename Row, typename Fn>
  std::vector<Row> Query(const std::string& sql, Fn read) {
    auto rows = store().database().Read([&](soci::session& s) -> absl::StatusOr<std::vector<Row>> {
      std::vector<Row> out;
      soci::rowset<soci::row> rs = (s.prepare << sql);
      for (const soci::row& r : rs) {
        RowReader reader(r);
        out.push_back(read(reader));
      }
      return out;
    });
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    return rows.ok() ? *rows : std::vector<Row>{};
  }

  std::map<int64_t, Fund> funds_;
  std::vector<NavSnapshot> current_navs_;
  std::vector<FundExposure> current_exposures_;
  std::map<std::pair<int64_t, Date>, int64_t> history_;
  std::vector<MarginSubmission> submissions_;
  std::vector<StatusRow> current_statuses_;
  int64_t nav_version_ = 0, exposure_version_ = 0, status_version_ = 0;
};

// A decimal column agrees with its micros column (REAL on SQLite, NUMERIC on PostgreSQL).
void ExpectDecimal(double decimal, int64_t micros) {
  EXPECT_NEAR(decimal, micros / 1e6, std::max(1e-6, std::fabs(micros / 1e6) * 1e-15)) << micros;
}

TEST_P(BiViewsTest, CurrentVersionsAreTheHighestVersionOfTheLatestDate) {
  WriteAll();
  auto rows = Query<std::pair<std::string, int64_t>>(
      "SELECT kind, version_id FROM v_current_versions ORDER BY kind", [](RowReader& r) {
        auto kind = r.Str();
        return std::make_pair(kind, r.Int());
      });
  std::map<std::string, int64_t> got(rows.begin(), rows.end());
  EXPECT_EQ(rows.size(), got.size()) << "one current version per kind";
  EXPECT_EQ(got["NAV_SNAPSHOT"], nav_version_);
  EXPECT_EQ(got["EXPOSURE"], exposure_version_);
  EXPECT_EQ(got["MARGIN_STATUS"], status_version_);
}

TEST_P(BiViewsTest, FundOverviewShowsEveryFundWithCurrentNavExposureAndStatus) {
  WriteAll();
  struct Row {
    int64_t fund;
    std::string manager;
    int64_t nav;
    double nav_decimal;
    std::string exposure;
    int64_t offshore;
    std::string deadline;
  };
  auto rows = Query<Row>(
      "SELECT fund_id, manager_name, nav_micros, nav, consolidated_exposure,"
      " offshore_market_value_micros, deadline_status FROM v_fund_overview ORDER BY fund_id",
      [](RowReader& r) {
        Row x;
        x.fund = r.Int();
        x.manager = r.Str();
        x.nav = r.Int();
        x.nav_decimal = r.Double();
        x.exposure = r.Str();
        x.offshore = r.Int();
        x.deadline = r.Str();
        return x;
      });
  ASSERT_EQ(rows.size(), static_cast<size_t>(kFunds));
  for (int i = 0; i < kFunds; ++i) {
    const Row& row = rows[i];
    const FundExposure& e = current_exposures_[i];
    EXPECT_EQ(row.fund, FundId(i));
    EXPECT_EQ(row.manager, absl::StrCat("Gestora ", funds_.at(row.fund).manager_id));
    EXPECT_EQ(row.nav, current_navs_[i].nav.micros());
    ExpectDecimal(row.nav_decimal, row.nav);
    EXPECT_EQ(row.exposure, e.otc ? "OTC" : e.offshore ? "OFFSHORE" : "NONE") << row.fund;
    EXPECT_EQ(row.offshore, e.offshore_market_value.micros());
    std::string deadline = i < kFunds - 1 ? current_statuses_[i].deadline : "";
    EXPECT_EQ(row.deadline, deadline) << "fund " << row.fund << " status from the current version";
  }
}

TEST_P(BiViewsTest, SubmissionTrackingListsTheCurrentStatusVersionOnly) {
  WriteAll();
  struct Row {
    int64_t fund;
    std::string fund_name, manager, exposure, deadline, validation;
    std::optional<Date> validation_date;
  };
  auto rows = Query<Row>(
      "SELECT fund_id, fund_name, manager_name, consolidated_exposure, deadline_status,"
      " validation_status, validation_date FROM v_submission_tracking ORDER BY fund_id",
      [](RowReader& r) {
        Row x;
        x.fund = r.Int();
        x.fund_name = r.Str();
        x.manager = r.Str();
        x.exposure = r.Str();
        x.deadline = r.Str();
        x.validation = r.Str();
        x.validation_date = r.OptDate();
        return x;
      });
  ASSERT_EQ(rows.size(), current_statuses_.size()) << "older versions' rows must not appear";
  for (size_t i = 0; i < rows.size(); ++i) {
    const StatusRow& want = current_statuses_[i];
    EXPECT_EQ(rows[i].fund, want.fund_id);
    EXPECT_EQ(rows[i].fund_name, funds_.at(want.fund_id).name);
    EXPECT_EQ(rows[i].manager, absl::StrCat("Gestora ", want.manager_id));
    EXPECT_EQ(rows[i].exposure, want.exposure);
    EXPECT_EQ(rows[i].deadline, want.deadline);
    EXPECT_EQ(rows[i].validation, want.validation);
    std::optional<Date> validated;
    for (const auto& s : submissions_) {
      if (want.submission_id && s.id == *want.submission_id &&
          s.state == SubmissionState::kValidated) {
        validated = UtcDate(*s.decided_at);
      }
    }
    EXPECT_EQ(rows[i].validation_date, validated) << want.fund_id;
  }
}

TEST_P(BiViewsTest, NavHistoryCarriesEachMonthsLastNavAndLatestMargin) {
  WriteAll();
  // Expected: per (fund, month) the last NAV date's current closing NAV, and the consolidated
  // margin of the month's latest non-rejected submission.
  std::map<std::pair<int64_t, std::string>, std::pair<Date, int64_t>> nav;
  for (const auto& [key, closing] : history_) {
    auto& slot = nav[{key.first, FormatDate(key.second).substr(0, 7)}];
    if (key.second >= slot.first) slot = {key.second, closing};
  }
  std::map<std::pair<int64_t, std::string>, const MarginSubmission*> margin;
  for (const auto& s : submissions_) {
    if (s.state == SubmissionState::kRejected) continue;
    auto& slot = margin[{s.fund_id, FormatDate(s.reference_date).substr(0, 7)}];
    if (!slot || std::tie(s.reference_date, s.id) > std::tie(slot->reference_date, slot->id))
      slot = &s;
  }
  struct Row {
    int64_t fund;
    std::string month;
    Date date;
    int64_t nav;
    double nav_decimal;
    std::optional<int64_t> submission, margin;
  };
  auto rows = Query<Row>(
      "SELECT fund_id, month, month_end_nav_date, nav_micros, nav, submission_id,"
      " consolidated_margin_micros FROM v_nav_history_margin ORDER BY fund_id, month",
      [](RowReader& r) {
        Row x;
        x.fund = r.Int();
        x.month = r.Str();
        x.date = r.DateValue();
        x.nav = r.Int();
        x.nav_decimal = r.Double();
        x.submission = r.OptInt();
        x.margin = r.OptInt();
        return x;
      });
  ASSERT_EQ(rows.size(), nav.size());
  for (const Row& row : rows) {
    auto want = nav.at({row.fund, row.month});
    EXPECT_EQ(row.date, want.first);
    EXPECT_EQ(row.nav, want.second) << row.fund << " " << row.month;
    ExpectDecimal(row.nav_decimal, row.nav);
    auto it = margin.find({row.fund, row.month});
    if (it == margin.end()) {
      EXPECT_FALSE(row.submission) << row.fund << " " << row.month;
    } else {
      EXPECT_EQ(row.submission, it->second->id);
      EXPECT_EQ(row.margin,
                it->second->local_margin.micros() + it->second->offshore_margin.micros());
    }
  }
}

TEST_P(BiViewsTest, ExposureByOriginSumsTheCurrentSnapshot) {
  WriteAll();
  int64_t otc_funds = 0, off_funds = 0, off_only = 0, otc_pos = 0, off_pos = 0;
  int64_t otc_notional = 0, otc_mv = 0, off_mv = 0;
  for (const FundExposure& e : current_exposures_) {
    otc_funds += e.otc;
    off_funds += e.offshore;
    off_only += !e.otc && e.offshore;
    otc_pos += e.otc_option_count + e.otc_swap_count;
    off_pos += e.offshore_fund_count;
    otc_notional += e.otc_notional.micros();
    otc_mv += e.otc_market_value.micros();
    off_mv += e.offshore_market_value.micros();
  }
  using Row = std::tuple<std::string, int64_t, int64_t, int64_t, std::optional<int64_t>, int64_t>;
  auto rows = Query<Row>(
      "SELECT origin, fund_count, consolidated_fund_count, position_count, notional_micros,"
      " market_value_micros FROM v_exposure_by_origin ORDER BY origin",
      [](RowReader& r) {
        auto origin = r.Str();
        auto a = r.Int();
        auto b = r.Int();
        auto c = r.Int();
        auto d = r.OptInt();
        auto e = r.Int();
        return Row{origin, a, b, c, d, e};
      });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], Row("OFFSHORE", off_funds, off_only, off_pos, std::nullopt, off_mv));
  EXPECT_EQ(rows[1], Row("OTC", otc_funds, otc_funds, otc_pos, otc_notional, otc_mv));
}

TEST_P(BiViewsTest, RiskCapitalUtilisationReadsTheCurrentStatus) {
  WriteAll();
  struct Row {
    int64_t fund;
    std::optional<int64_t> nav;
    int64_t gross;
    double gross_decimal;
    std::optional<double> utilisation, cap, of_cap;
    std::string limit;
  };
  auto rows = Query<Row>(
      "SELECT fund_id, nav_micros, gross_margin_micros, gross_margin, utilisation, cap,"
      " utilisation_of_cap, limit_status FROM v_risk_capital_utilisation ORDER BY fund_id",
      [](RowReader& r) {
        Row x;
        x.fund = r.Int();
        x.nav = r.OptInt();
        x.gross = r.Int();
        x.gross_decimal = r.Double();
        x.utilisation = r.OptDouble();
        x.cap = r.OptDouble();
        x.of_cap = r.OptDouble();
        x.limit = r.Str();
        return x;
      });
  ASSERT_EQ(rows.size(), current_statuses_.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const StatusRow& want = current_statuses_[i];
    EXPECT_EQ(rows[i].fund, want.fund_id);
    EXPECT_EQ(rows[i].nav, want.nav_micros);
    EXPECT_EQ(rows[i].gross, want.gross_micros);
    ExpectDecimal(rows[i].gross_decimal, want.gross_micros);
    EXPECT_EQ(rows[i].utilisation, want.utilisation);
    EXPECT_EQ(rows[i].cap, want.cap);
    EXPECT_EQ(rows[i].limit, want.limit);
    if (want.utilisation && want.cap) {
      // SQLite's driver round-trips doubles through text: equal to ~1e-15, not bit for bit.
      EXPECT_NEAR(*rows[i].of_cap, *want.utilisation / *want.cap, 1e-12 * *rows[i].of_cap);
    } else {
      EXPECT_FALSE(rows[i].of_cap);
    }
  }
}

TEST_P(BiViewsTest, OpenFindingsAreTheUnresolvedOnes) {
  std::set<int64_t> open;
  for (int i = 0; i < 7; ++i) {
    Finding f;
    f.rule = "OVERDUE";
    f.fund_id = i % 3 == 0 ? std::nullopt : std::optional<int64_t>(FundId(i));
    f.reference_date = kDay;
    f.message = absl::StrCat("finding ", i);
    f.dedup_key = absl::StrCat("d", i);
    f.raised_at = absl::FromUnixSeconds(1'770'000'000 + i);
    auto raised = store().RaiseFinding(f);
    ASSERT_TRUE(raised.ok()) << raised.status();
    if (i % 3 == 1) {
      ASSERT_TRUE(store().AcknowledgeFinding(raised->id, "a", kAt).ok());
    }
    if (i % 3 == 2) {
      ASSERT_TRUE(store().ResolveFinding(raised->id, "a", "fixed", kAt).ok());
    } else {
      open.insert(raised->id);
    }
  }
  auto rows = Query<std::pair<int64_t, std::string>>(
      "SELECT finding_id, fund_name FROM v_open_findings ORDER BY finding_id", [](RowReader& r) {
        auto id = r.Int();
        return std::make_pair(id, r.Str());
      });
  std::set<int64_t> got;
  for (const auto& [id, name] : rows) got.insert(id);
  EXPECT_EQ(got, open);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(BiViewsTest);

}  // namespace
}  // namespace riskcap::db
