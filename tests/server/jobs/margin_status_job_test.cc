// End-to-end tests of the margin_status and reminders jobs (server/jobs/*) on both backends: over
// a generated dataset the stored statuses equal an independent SQL query over the same tables
// (hand-built exemption cases included, whose expected statuses are also written out here);
// re-runs are no-ops that duplicate nothing; changed inputs give a new version and clear findings.
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/clock.h"
#include "gtest/gtest.h"
#include "server/jobs/margin_status_job.h"
#include "server/jobs/reminders_job.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using server::jobs::JobContext;
using server::jobs::JobOutput;

constexpr Date kRef(2026, 11, 24);
constexpr int kFunds = 48;
constexpr int kManagers = 4;

absl::Time At(Date day, int hour = 12) {
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), hour),
                         absl::UTCTimeZone());
}

// A hand-built exemption boundary: reports sent on `sent`, exemptions [from, to], and the
// status expected on kRef (next_due empty when none).
struct ExemptionCase {
  int64_t fund_id;
  bool exposed;
  std::vector<Date> sent;
  std::vector<std::pair<Date, Date>> exempt;
  std::string deadline, validation, next_due;
};

// An exemption makes the fund RECEIVED_VALIDATED while in force; it dates the deadline only
// where the fund has no report (its last covered day), never pushing a reporter's due date out.
std::vector<ExemptionCase> ExemptionCases() {
  const std::pair<Date, Date> in_force{kRef - 30, kRef + 30};
  return {
      {2001, true, {kRef - 20}, {in_force}, "OVERDUE", "RECEIVED_VALIDATED", "2026-11-11"},
      {2002, true, {kRef - 2}, {in_force}, "ON_TIME", "RECEIVED_VALIDATED", "2026-11-29"},
      {2003, true, {kRef - 10}, {{kRef - 30, kRef - 1}}, "OVERDUE", "RECEIVED_NOT_VALIDATED",
       "2026-11-21"},
      {2004, true, {}, {{kRef - 30, kRef - 8}}, "OVERDUE", "NOT_RECEIVED", "2026-11-23"},
      {2005, true, {}, {{kRef - 30, kRef - 7}}, "ON_TIME", "NOT_RECEIVED", "2026-11-24"},
      {2006, true, {}, {{kRef, kRef + 5}}, "ON_TIME", "RECEIVED_VALIDATED", "2026-12-01"},
      {2007, true, {kRef - 10}, {{kRef - 30, kRef}}, "OVERDUE", "RECEIVED_VALIDATED",
       "2026-11-21"},
      {2008, true, {kRef - 10}, {{kRef, kRef + 5}}, "OVERDUE", "RECEIVED_VALIDATED", "2026-11-21"},
      {2009, false, {}, {in_force}, "NOT_APPLICABLE", "NOT_APPLICABLE", ""},
      {2010, true, {}, {}, "NEVER_SUBMITTED", "NOT_RECEIVED", ""},
      {2011, true, {kRef + 1}, {in_force}, "ON_TIME", "RECEIVED_VALIDATED", "2026-12-01"},
  };
}

class MarginStatusJobTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Generate();
  }

  void Check(const absl::Status& st) { ASSERT_TRUE(st.ok()) << st; }
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void Generate() {
    for (int m = 1; m <= kManagers; ++m) {
      Check(store().CreateManager({m, absl::StrCat("Gestora ", m), absl::StrCat(1000 + m)}).status());
    }
    std::vector<FundExposure> exposures;
    std::vector<Position> positions;
    std::vector<NavSnapshot> navs;
    for (int i = 1; i <= kFunds; ++i) {
      Fund f;
      f.id = 1000 + i;
      f.name = absl::StrCat("Fundo ", i);
      f.tax_id = absl::StrCat(5000 + i);
      f.manager_id = 1 + i % kManagers;
      f.regulatory_class = static_cast<RegulatoryClass>(Pick(0, 6));
      f.target_audience = static_cast<TargetAudience>(Pick(0, 2));
      f.active = Pick(0, 9) > 0;
      Check(store().CreateFund(f));
      GenerateFund(f, exposures, positions, navs);
    }
    GenerateExemptionCases(exposures);
    WriteSnapshots(exposures, positions, navs);
  }

  // Funds 2001.. (OTC, GENERAL audience: 7 days) with the exemption boundaries of
  // ExemptionCases(), each with its reports' sending days and its exemptions.
  void GenerateExemptionCases(std::vector<FundExposure>& exposures) {
    for (const ExemptionCase& c : ExemptionCases()) {
      Fund f;
      f.id = c.fund_id;
      f.name = absl::StrCat("Isento ", c.fund_id);
      f.tax_id = absl::StrCat(9000 + c.fund_id);
      f.manager_id = 1;
      f.target_audience = TargetAudience::kGeneral;
      Check(store().CreateFund(f));
      if (c.exposed) {
        FundExposure e;
        e.fund_id = f.id;
        e.position_date = kRef;
        e.otc = true;
        exposures.push_back(e);
      }
      for (Date sent : c.sent) AddSubmissionSent(f.id, sent);
      for (auto [from, to] : c.exempt) AddExemptionFor(f.id, from, to);
    }
  }

  void GenerateFund(const Fund& f, std::vector<FundExposure>& exposures,
                    std::vector<Position>& positions, std::vector<NavSnapshot>& navs) {
    const int kind = Pick(0, 4);  // 0 none, 1 OTC, 2 offshore, 3 both, 4 row with neither
    if (kind > 0) {
      FundExposure e;
      e.fund_id = f.id;
      e.position_date = kRef - Pick(0, 3);
      e.otc = kind == 1 || kind == 3;
      e.offshore = kind == 2 || kind == 3;
      exposures.push_back(e);
      if (e.otc) AddPositions(f, e.position_date, positions);
    }
    if (Pick(0, 5) > 0) {
      NavSnapshot n;
      n.fund_id = f.id;
      n.position_date = Pick(0, 6) > 0 ? kRef : kRef - 1;
      n.nav = Money::FromMicros(Pick(0, 12) == 0 ? -Pick(0, 5) * 1'000'000'000LL
                                                  : Pick(1, 50) * 100'000'000'000LL);
      n.exchange_margin_pct = Pick(0, 30) / 100.0;
      navs.push_back(n);
    }
    for (int s = Pick(0, 4); s > 0; --s) AddSubmission(f.id);
    for (int x = Pick(-2, 2); x > 0; --x) AddExemption(f.id);
  }

  void AddPositions(const Fund& f, Date date, std::vector<Position>& positions) {
    for (int p = Pick(1, 3); p > 0; --p) {
      Position pos;
      pos.fund_id = f.id;
      pos.position_date = date;
      pos.asset_code = absl::StrCat("SWP", f.id, "-", p);
      pos.classification = PositionClassification::kOtcSwap;
      pos.notional = Money::FromMicros(Pick(1, 100) * 1'000'000'000LL);
      pos.market_value = Money::FromMicros(Pick(-50, 50) * 10'000'000LL);
      pos.asset_class = Pick(0, 4) == 0 ? OtcAssetClass::kCredit : OtcAssetClass::kInterestRate;
      pos.end_date = kRef + Pick(30, 4000);
      pos.direction = Pick(0, 1) ? "LONG" : "SHORT";
      pos.currency = "BRL";
      positions.push_back(pos);
    }
  }

  void AddSubmission(int64_t fund_id) {
    MarginSubmission m;
    m.fund_id = fund_id;
    const Date sent = kRef - Pick(-2, 100);
    m.reference_date = sent - 1;
    m.local_margin = Money::FromMicros(Pick(0, 1000) * 1'000'000'000LL);
    m.offshore_margin = Money::FromMicros(Pick(0, 3) * 7'654'321LL);
    m.submitted_at = At(sent, Pick(0, 23));
    m.submitted_by = "key-1";
    m.idempotency_key = absl::StrCat("req-", ++keys_);
    m.content_hash = m.idempotency_key;
    auto stored = store().InsertSubmission(m);
    ASSERT_TRUE(stored.ok()) << stored.status();
    const int decision = Pick(0, 3);
    if (decision > 0) {
      const SubmissionState state = decision == 3 ? SubmissionState::kRejected
                                                  : SubmissionState::kValidated;
      Check(store().DecideSubmission(stored->id, state, "checked", "analyst",
                                     m.submitted_at + absl::Hours(24 * Pick(0, 5))).status());
    }
  }

  void AddSubmissionSent(int64_t fund_id, Date sent) {
    MarginSubmission m;
    m.fund_id = fund_id;
    m.reference_date = sent - 1;
    m.local_margin = Money::FromMicros(1'000'000'000LL);
    m.submitted_at = At(sent, 10);
    m.submitted_by = "key-1";
    m.idempotency_key = absl::StrCat("req-", ++keys_);
    m.content_hash = m.idempotency_key;
    ASSERT_TRUE(store().InsertSubmission(m).ok());
  }

  void AddExemptionFor(int64_t fund_id, Date from, Date to) {
    Exemption e;
    e.fund_id = fund_id;
    e.reason = "fundo em liquidação";
    e.valid_from = from;
    e.valid_to = to;
    e.granted_by = "analyst";
    e.granted_at = At(from - 1);
    ASSERT_TRUE(store().GrantExemption(e).ok());
  }

  void AddExemption(int64_t fund_id) {
    Exemption e;
    e.fund_id = fund_id;
    e.reason = "fundo em liquidação";
    e.valid_from = kRef - Pick(-3, 60);
    e.valid_to = e.valid_from + Pick(0, 40);
    e.granted_by = "analyst";
    e.granted_at = At(e.valid_from - Pick(-2, 5));
    auto granted = store().GrantExemption(e);
    ASSERT_TRUE(granted.ok()) << granted.status();
    if (Pick(0, 3) == 0) {
      Check(store().RevokeExemption(granted->id, "analyst", e.granted_at + absl::Hours(24 * Pick(0, 40))));
    }
  }

  db::NewVersion Version(Date date, std::string hash) {
    db::NewVersion v;
    v.reference_date = date;
    v.content_hash = std::move(hash);
    v.source = "test";
    return v;
  }

  void WriteSnapshots(const std::vector<FundExposure>& exposures,
                      const std::vector<Position>& positions, const std::vector<NavSnapshot>& navs) {
    // An older exposure snapshot that the job must not use, and one after the date.
    std::vector<FundExposure> everyone_otc;
    for (int i = 1; i <= kFunds; ++i) {
      FundExposure e;
      e.fund_id = 1000 + i;
      e.position_date = kRef - 10;
      e.otc = true;
      everyone_otc.push_back(e);
    }
    Check(store().WriteExposure(Version(kRef - 10, "old"), everyone_otc).status());
    auto batch = store().WritePositions(Version(kRef, "positions"), positions);
    ASSERT_TRUE(batch.ok()) << batch.status();
    db::NewVersion ev = Version(kRef, "exposure");
    ev.source_version_id = batch->id;
    Check(store().WriteExposure(ev, exposures).status());
    for (FundExposure& e : everyone_otc) e.position_date = kRef + 1;
    Check(store().WriteExposure(Version(kRef + 1, "future"), everyone_otc).status());
    Check(store().WriteNavSnapshot(Version(kRef, "navs"), navs).status());
  }

  absl::StatusOr<JobOutput> RunMarginStatus(int64_t run_id = 0, Date date = kRef) {
    JobContext ctx(store(), clock_, rules_, run_id, "margin_status", date, {});
    return server::jobs::MakeMarginStatusJob()->Run(ctx);
  }

  // id -> state of every finding of `date`.
  std::map<int64_t, FindingState> FindingsOf(Date date) {
    std::map<int64_t, FindingState> out;
    for (const Finding& f : AllFindings()) {
      if (f.reference_date == date) out[f.id] = f.state;
    }
    return out;
  }

  // The MARGIN_STATUS version the BI views call current (v_current_versions).
  int64_t BiCurrentStatusVersion() {
    long long id = 0;
    absl::Status st = testing::ReadSql(store(), [&](soci::session& s) -> absl::Status {
      s << "SELECT version_id FROM v_current_versions WHERE kind = 'MARGIN_STATUS'",
          soci::into(id);
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return id;
  }

  std::vector<Finding> AllFindings() {
    auto all = store().ListFindings({}, db::Page{0, 10000});
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? *all : std::vector<Finding>{};
  }

  std::mt19937 rng_{20261124};
  int keys_ = 0;
  FakeClock clock_{At(kRef, 20)};
  rules::RulesConfig rules_;
};

// The status rules of docs/rules.md written directly in SQL, independent of core/rules: the
// effective last
// submission is the latest report's sending day, or only without one, the last day an exemption
// covered the fund; an exemption in force validates. Columns: fund_id,
// deadline_status, validation_status, next_due_date, consolidated_margin_micros (as text).
std::string IndependentStatusSql(db::Backend backend) {
  const bool pg = backend == db::Backend::kPostgresql;
  const std::string ref = pg ? "DATE '2026-11-24'" : "'2026-11-24'";
  auto day = [&](const std::string& us) {
    return pg ? absl::StrCat("CAST(to_timestamp(", us, " / 1000000.0) AT TIME ZONE 'UTC' AS DATE)")
              : absl::StrCat("date(", us, " / 1000000, 'unixepoch')");
  };
  const std::string next_due = pg ? "(last_day + days)"
                                  : "date(last_day, '+' || days || ' days')";
  std::string sql = R"sql(
WITH ev AS (SELECT id FROM snapshot_versions WHERE kind = 'EXPOSURE' AND reference_date <= REF
            ORDER BY reference_date DESC, version DESC LIMIT 1),
x AS (SELECT f.id AS fund_id, f.target_audience AS audience,
             COALESCE(e.otc, 0) AS otc, COALESCE(e.offshore, 0) AS offshore
      FROM funds f LEFT JOIN fund_exposures e
        ON e.fund_id = f.id AND e.version_id = (SELECT id FROM ev)
      WHERE f.active = 1),
p AS (SELECT fund_id,
             CASE WHEN otc = 1 THEN CASE audience WHEN 'GENERAL' THEN 7 WHEN 'QUALIFIED' THEN 30
                                    ELSE 90 END END AS otc_days,
             CASE WHEN offshore = 1 THEN 30 END AS off_days FROM x),
per AS (SELECT fund_id, CASE WHEN otc_days IS NULL THEN off_days WHEN off_days IS NULL THEN otc_days
                             WHEN otc_days < off_days THEN otc_days ELSE off_days END AS days FROM p),
sent AS (SELECT s.id, s.fund_id, s.submitted_at_us, s.state, s.decided_at_us,
                s.local_margin_micros, s.offshore_margin_micros, DAY(s.submitted_at_us) AS sent_day
         FROM margin_submissions s WHERE DAY(s.submitted_at_us) <= REF),
latest AS (SELECT * FROM sent s WHERE NOT EXISTS (
             SELECT 1 FROM sent t WHERE t.fund_id = s.fund_id AND (t.submitted_at_us > s.submitted_at_us
               OR (t.submitted_at_us = s.submitted_at_us AND t.id > s.id)))),
ex AS (SELECT * FROM exemptions WHERE DAY(granted_at_us) <= REF
         AND (revoked_at_us IS NULL OR DAY(revoked_at_us) > REF) AND valid_from <= REF),
inforce AS (SELECT DISTINCT fund_id FROM ex WHERE valid_to >= REF),
val AS (SELECT fund_id, MAX(CASE WHEN valid_to < REF THEN valid_to ELSE REF END) AS vday
        FROM ex GROUP BY fund_id),
lastd AS (SELECT per.fund_id, per.days, l.id AS sid, l.state, l.decided_at_us,
                 l.local_margin_micros + l.offshore_margin_micros AS consolidated,
                 i.fund_id AS exempt,
                 CASE WHEN l.sent_day IS NOT NULL THEN l.sent_day ELSE v.vday END AS last_day
          FROM per LEFT JOIN latest l ON l.fund_id = per.fund_id
                   LEFT JOIN val v ON v.fund_id = per.fund_id
                   LEFT JOIN inforce i ON i.fund_id = per.fund_id),
due AS (SELECT lastd.*, CASE WHEN days IS NOT NULL AND last_day IS NOT NULL THEN NEXT_DUE END AS next_due
        FROM lastd)
SELECT fund_id,
       CASE WHEN days IS NULL THEN 'NOT_APPLICABLE' WHEN last_day IS NULL THEN 'NEVER_SUBMITTED'
            WHEN REF <= next_due THEN 'ON_TIME' ELSE 'OVERDUE' END,
       CASE WHEN days IS NULL THEN 'NOT_APPLICABLE' WHEN exempt IS NOT NULL THEN 'RECEIVED_VALIDATED'
            WHEN sid IS NULL THEN 'NOT_RECEIVED'
            WHEN state = 'VALIDATED' AND DECIDED_DAY <= REF THEN 'RECEIVED_VALIDATED'
            ELSE 'RECEIVED_NOT_VALIDATED' END,
       CASE WHEN days IS NULL THEN NULL ELSE CAST(next_due AS TEXT) END,
       CAST(consolidated AS TEXT)
FROM due ORDER BY fund_id)sql";
  return absl::StrReplaceAll(sql, {{"DAY(s.submitted_at_us)", day("s.submitted_at_us")},
                                   {"DAY(granted_at_us)", day("granted_at_us")},
                                   {"DAY(revoked_at_us)", day("revoked_at_us")},
                                   {"DECIDED_DAY", day("decided_at_us")},
                                   {"NEXT_DUE", next_due},
                                   {"REF", ref}});
}

struct ExpectedStatus {
  std::string deadline, validation, next_due, consolidated;
};

std::map<int64_t, ExpectedStatus> QueryIndependently(db::Store& store) {
  std::map<int64_t, ExpectedStatus> out;
  auto rows = testing::QuerySql(store, IndependentStatusSql(store.backend()));
  EXPECT_TRUE(rows.ok()) << rows.status();
  for (const std::vector<std::string>& row : rows.value_or(testing::SqlRows{}).rows) {
    auto text = [&](size_t i) { return row.at(i) == "NULL" ? std::string() : row.at(i); };
    out[std::stoll(row.at(0))] = ExpectedStatus{text(1), text(2), text(3), text(4)};
  }
  return out;
}

TEST_P(MarginStatusJobTest, StatusesEqualAnIndependentSqlQuery) {
  auto out = RunMarginStatus();
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(out->output_version_id.has_value());
  auto rows = store().ListFundStatus(*out->output_version_id, {}, db::Page{0, 1000});
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::map<int64_t, ExpectedStatus> expected = QueryIndependently(store());
  ASSERT_EQ(rows->size(), expected.size());
  ASSERT_GT(expected.size(), 30u);
  std::map<std::string, int> seen;  // the dataset must exercise every status
  for (const rules::FundStatusRow& row : *rows) {
    const rules::FundStatus& s = row.status;
    ASSERT_TRUE(expected.count(row.fund_id())) << row.fund_id();
    const ExpectedStatus& e = expected[row.fund_id()];
    EXPECT_EQ(EnumName(s.deadline_status), e.deadline) << "fund " << row.fund_id();
    EXPECT_EQ(EnumName(s.validation_status), e.validation) << "fund " << row.fund_id();
    EXPECT_EQ(s.next_due_date ? FormatDate(*s.next_due_date) : "", e.next_due)
        << "fund " << row.fund_id();
    EXPECT_EQ(s.consolidated_margin ? absl::StrCat(s.consolidated_margin->micros()) : "",
              e.consolidated) << "fund " << row.fund_id();
    ++seen[std::string(EnumName(s.deadline_status))];
    ++seen[std::string(EnumName(s.validation_status))];
    ++seen[std::string(EnumName(row.risk.limit_status))];
  }
  for (const char* status : {"ON_TIME", "OVERDUE", "NEVER_SUBMITTED", "NOT_APPLICABLE",
                             "RECEIVED_VALIDATED", "RECEIVED_NOT_VALIDATED", "NOT_RECEIVED",
                             "CRITICAL", "WITHIN_LIMIT"}) {
    EXPECT_GT(seen[status], 0) << status << " not exercised by the dataset";
  }
  // The hand-built exemption cases: the SQL (and so the job) gives the statuses worked out here.
  for (const ExemptionCase& c : ExemptionCases()) {
    ASSERT_TRUE(expected.count(c.fund_id)) << c.fund_id;
    const ExpectedStatus& e = expected[c.fund_id];
    EXPECT_EQ(e.deadline, c.deadline) << "fund " << c.fund_id;
    EXPECT_EQ(e.validation, c.validation) << "fund " << c.fund_id;
    EXPECT_EQ(e.next_due, c.next_due) << "fund " << c.fund_id;
  }
}

TEST_P(MarginStatusJobTest, ReRunIsANoOpAndDuplicatesNoFinding) {
  auto first = RunMarginStatus();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_GT(first->rows_written, 0);
  const std::vector<Finding> findings = AllFindings();
  ASSERT_FALSE(findings.empty());
  auto second = RunMarginStatus();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->content_hash, first->content_hash);
  EXPECT_EQ(second->rows_written, 0);
  EXPECT_EQ(second->output_version_id, first->output_version_id);
  EXPECT_EQ(store().ListSnapshotVersions(SnapshotKind::kMarginStatus, kRef)->size(), 1u);
  const std::vector<Finding> again = AllFindings();
  ASSERT_EQ(again.size(), findings.size());
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].state, FindingState::kOpen);
  std::set<std::string> keys;
  for (const Finding& f : again) EXPECT_TRUE(keys.insert(f.dedup_key).second) << f.dedup_key;
}

TEST_P(MarginStatusJobTest, NewSubmissionMakesANewVersionAndClearsItsFinding) {
  auto first = RunMarginStatus();
  ASSERT_TRUE(first.ok()) << first.status();
  auto rows = store().ListFundStatus(*first->output_version_id, {}, db::Page{0, 1000});
  ASSERT_TRUE(rows.ok());
  const rules::FundStatusRow* pending = nullptr;
  for (const auto& row : *rows) {
    if (row.status.deadline_status == rules::DeadlineStatus::kNeverSubmitted ||
        row.status.deadline_status == rules::DeadlineStatus::kOverdue) {
      pending = &row;
      break;
    }
  }
  ASSERT_NE(pending, nullptr);
  db::FindingFilter filter;
  filter.fund_id = pending->fund_id();
  auto before = store().ListFindings(filter, db::Page{0, 100});
  ASSERT_TRUE(before.ok());
  const Finding* deadline = nullptr;
  for (const Finding& f : *before) {
    if (f.rule == "OVERDUE" || f.rule == "NEVER_SUBMITTED") deadline = &f;
  }
  ASSERT_NE(deadline, nullptr);
  MarginSubmission m;
  m.fund_id = pending->fund_id();
  m.reference_date = kRef;
  m.submitted_at = At(kRef, 9);
  m.submitted_by = "key-1";
  m.idempotency_key = "late-report";
  m.content_hash = "late-report";
  ASSERT_TRUE(store().InsertSubmission(m).ok());
  auto second = RunMarginStatus(0);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->content_hash, first->content_hash);
  EXPECT_NE(second->output_version_id, first->output_version_id);
  EXPECT_EQ(store().ListSnapshotVersions(SnapshotKind::kMarginStatus, kRef)->size(), 2u);
  auto cleared = store().GetFinding(deadline->id);
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->state, FindingState::kResolved);
  EXPECT_EQ(cleared->resolved_by, "system");
  EXPECT_EQ(cleared->resolution, "cleared by run 0 for 2026-11-24");
  db::FundStatusFilter one;
  one.fund_id = pending->fund_id();
  auto now = store().ListFundStatus(*second->output_version_id, one, db::Page{});
  ASSERT_TRUE(now.ok());
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ((*now)[0].status.deadline_status, rules::DeadlineStatus::kOnTime);
}

// A breach continues from the fund's previous result: from the latest earlier status snapshot
// (read for all funds at once), and for a fund missing from it, from its own latest earlier row.
TEST_P(MarginStatusJobTest, BreachesContinueFromEachFundsPreviousResult) {
  auto first = RunMarginStatus();
  ASSERT_TRUE(first.ok()) << first.status();
  auto rows = store().ListFundStatus(*first->output_version_id, {}, db::Page{0, 1000});
  ASSERT_TRUE(rows.ok());
  std::vector<rules::FundStatusRow> breached;
  for (const auto& row : *rows) {
    if (row.risk.breach.start_date.has_value()) breached.push_back(row);
  }
  ASSERT_GE(breached.size(), 2u) << "the dataset must have funds in breach";
  EXPECT_EQ(*breached[0].risk.breach.start_date, kRef);  // no earlier result yet

  // Earlier results: the second breached fund only on Wed 2026-11-18 (breach since then), every
  // other breached fund on Mon 2026-11-23 (breach since Sat 2026-11-21).
  auto as_of = [](rules::FundStatusRow row, Date date, Date start) {
    row.status.reference_date = date;
    row.risk.reference_date = date;
    row.risk.breach.start_date = start;
    return row;
  };
  std::vector<rules::FundStatusRow> monday;
  for (size_t i = 0; i < breached.size(); ++i) {
    if (i != 1) monday.push_back(as_of(breached[i], kRef - 1, kRef - 3));
  }
  ASSERT_TRUE(store().WriteFundStatus(Version(kRef - 6, "wed"),
                                      {as_of(breached[1], kRef - 6, kRef - 6)}).ok());
  ASSERT_TRUE(store().WriteFundStatus(Version(kRef - 1, "mon"), monday).ok());

  auto second = RunMarginStatus();
  ASSERT_TRUE(second.ok()) << second.status();
  auto now = store().ListFundStatus(*second->output_version_id, {}, db::Page{0, 1000});
  ASSERT_TRUE(now.ok());
  std::map<int64_t, rules::FundStatusRow> by_fund;
  for (const auto& row : *now) by_fund[row.fund_id()] = row;
  for (size_t i = 0; i < breached.size(); ++i) {
    const rules::BreachState& b = by_fund[breached[i].fund_id()].risk.breach;
    ASSERT_TRUE(b.start_date.has_value()) << breached[i].fund_id();
    if (i == 1) {
      EXPECT_EQ(*b.start_date, kRef - 6);
      EXPECT_EQ(b.business_days, 5);  // Wed, Thu, Fri, Mon, Tue
    } else {
      EXPECT_EQ(*b.start_date, kRef - 3) << breached[i].fund_id();
      EXPECT_EQ(b.business_days, 2) << breached[i].fund_id();  // Mon, Tue
    }
  }
}

// Findings belong to their date: a newer date's run leaves an older date's findings alone, and
// re-running the older date afterwards (unchanged, then corrected) changes neither the newer
// date's findings (same ids, same states) nor which status is current (the newest date's).
TEST_P(MarginStatusJobTest, AnOlderDateRerunLeavesTheNewerDatesFindingsAndTheCurrentStatus) {
  const Date older = kRef - 1;  // reads the older exposure snapshot: every fund OTC
  auto old_run = RunMarginStatus(0, older);
  ASSERT_TRUE(old_run.ok()) << old_run.status();
  const std::map<int64_t, FindingState> older_findings = FindingsOf(older);
  ASSERT_FALSE(older_findings.empty());

  auto new_run = RunMarginStatus(0, kRef);
  ASSERT_TRUE(new_run.ok()) << new_run.status();
  EXPECT_EQ(FindingsOf(older), older_findings) << "the newer date's run touched the older date's";
  const std::vector<Finding> after_newer = AllFindings();
  const std::map<int64_t, FindingState> newer_findings = FindingsOf(kRef);
  ASSERT_FALSE(newer_findings.empty());

  auto rerun = RunMarginStatus(0, older);  // same inputs: nothing changes at all
  ASSERT_TRUE(rerun.ok()) << rerun.status();
  EXPECT_EQ(rerun->rows_written, 0);
  const std::vector<Finding> after_rerun = AllFindings();
  ASSERT_EQ(after_rerun.size(), after_newer.size()) << "the older date's re-run opened findings";
  for (size_t i = 0; i < after_rerun.size(); ++i) {
    EXPECT_EQ(after_rerun[i].id, after_newer[i].id);
    EXPECT_EQ(after_rerun[i].state, after_newer[i].state) << after_rerun[i].dedup_key;
  }

  // A correction for the older date: a report sent before it by a fund that never submitted.
  int64_t fund = 0;
  for (const Finding& f : AllFindings()) {
    if (f.reference_date == older && f.rule == "NEVER_SUBMITTED") fund = *f.fund_id;
  }
  ASSERT_NE(fund, 0);
  MarginSubmission m;
  m.fund_id = fund;
  m.reference_date = older - 2;
  m.submitted_at = At(older - 1, 9);
  m.submitted_by = "key-1";
  m.idempotency_key = m.content_hash = "backdated-report";
  ASSERT_TRUE(store().InsertSubmission(m).ok());
  auto corrected = RunMarginStatus(0, older);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_GT(corrected->rows_written, 0);  // a new version of the older date, written last
  EXPECT_NE(FindingsOf(older), older_findings);  // its own findings follow it
  EXPECT_EQ(FindingsOf(kRef), newer_findings);
  auto current = store().GetLatestSnapshotVersion(SnapshotKind::kMarginStatus, Date(9999, 12, 31));
  ASSERT_TRUE(current.ok()) << current.status();
  EXPECT_EQ(current->id, *new_run->output_version_id);
  EXPECT_EQ(current->reference_date, kRef);
  EXPECT_EQ(BiCurrentStatusVersion(), *new_run->output_version_id);
}

TEST_P(MarginStatusJobTest, RemindersOncePerManagerAndNotTwiceTheSameDay) {
  JobContext none(store(), clock_, rules_, 0, "reminders", kRef, {});
  EXPECT_EQ(server::jobs::MakeRemindersJob()->Run(none).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto status = RunMarginStatus();
  ASSERT_TRUE(status.ok()) << status.status();
  std::map<int64_t, std::vector<int64_t>> pending;
  for (auto deadline : {rules::DeadlineStatus::kOverdue, rules::DeadlineStatus::kNeverSubmitted}) {
    db::FundStatusFilter f;
    f.deadline_status = deadline;
    auto rows = store().ListFundStatus(*status->output_version_id, f, db::Page{0, 1000});
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const rules::FundStatusRow& row : rows.value()) {
      pending[row.manager_id].push_back(row.fund_id());
    }
  }
  ASSERT_FALSE(pending.empty());
  // A fund moved to another manager after the status was computed is still named in the reminder
  // of the manager it had then.
  auto moved = store().GetFund(pending.begin()->second.front());
  ASSERT_TRUE(moved.ok()) << moved.status();
  auto all = store().ListFunds(std::nullopt, db::Page{0, 1000});
  ASSERT_TRUE(all.ok()) << all.status();
  auto other = std::find_if(all->begin(), all->end(),
                            [&](const Fund& f) { return f.manager_id != moved->manager_id; });
  ASSERT_NE(other, all->end());
  moved->manager_id = other->manager_id;
  ASSERT_TRUE(store().UpdateFund(*moved).ok());
  JobContext ctx(store(), clock_, rules_, 0, "reminders", kRef, {});
  auto sent = server::jobs::MakeRemindersJob()->Run(ctx);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->rows_written, static_cast<int64_t>(pending.size()));
  auto reminders = store().ListReminders(std::nullopt, db::Page{0, 100});
  ASSERT_TRUE(reminders.ok());
  ASSERT_EQ(reminders->size(), pending.size());
  std::set<int64_t> managers;
  for (const Reminder& r : *reminders) {
    ASSERT_TRUE(pending.count(r.manager_id)) << "reminder to manager " << r.manager_id;
    managers.insert(r.manager_id);
    for (int64_t fund : pending.at(r.manager_id)) {
      EXPECT_NE(r.body.find(absl::StrCat("fund ", fund, " ")), std::string::npos) << r.body;
    }
  }
  EXPECT_EQ(managers.size(), pending.size());  // one reminder to each manager with pending funds
  auto again = server::jobs::MakeRemindersJob()->Run(ctx);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rows_written, 0);
  EXPECT_EQ(again->content_hash, sent->content_hash);
  EXPECT_EQ(store().ListReminders(std::nullopt, db::Page{0, 100})->size(), pending.size());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(MarginStatusJobTest);

}  // namespace
}  // namespace riskcap::testing
