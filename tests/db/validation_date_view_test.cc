// Migration 0013 on both backends: v_submission_tracking.validation_date. For a fund with no
// submission it is the exemption's last covered day (the date its deadline runs from);
// otherwise it is the day the effective submission was validated, if that was on or before the
// status date. The rows are the real rules' output for stored submissions and exemptions.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/rules/margin_status.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

constexpr Date kRef(2026, 11, 24);

absl::Time At(Date day, int hour = 12) {
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), hour),
                         absl::UTCTimeZone());
}

struct Shown {
  std::string validation_status;
  std::optional<Date> validation_date;
};

// A fund and what the rules read about it.
struct MarginStatusFund {
  Fund fund;
  std::vector<MarginSubmission> submissions;
  std::vector<Exemption> exemptions;
};

class ValidationDateViewTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(store().CreateManager({1, "Gestora 1", "1001"}).ok());
  }

  // An OTC-exposed fund for the general public (7 days).
  void AddFund(int64_t id) {
    MarginStatusFund& f = funds_[id];
    f.fund.id = id;
    f.fund.name = absl::StrCat("Fundo ", id);
    f.fund.tax_id = absl::StrCat(5000 + id);
    f.fund.manager_id = 1;
    f.fund.target_audience = TargetAudience::kGeneral;
    ASSERT_TRUE(store().CreateFund(f.fund).ok());
  }

  void Submit(int64_t fund_id, Date sent, std::optional<Date> validated = std::nullopt) {
    MarginSubmission m;
    m.fund_id = fund_id;
    m.reference_date = sent - 1;
    m.local_margin = Money::FromMicros(1'000'000);
    m.submitted_at = At(sent);
    m.submitted_by = "key-1";
    m.idempotency_key = absl::StrCat("req-", fund_id, "-", FormatDate(sent));
    m.content_hash = m.idempotency_key;
    auto stored = store().InsertSubmission(m);
    ASSERT_TRUE(stored.ok()) << stored.status();
    if (validated) {
      stored = store().DecideSubmission(stored->id, SubmissionState::kValidated, "ok", "analyst",
                                        At(*validated, 18));
      ASSERT_TRUE(stored.ok()) << stored.status();
    }
    funds_[fund_id].submissions.push_back(*stored);
  }

  void Exempt(int64_t fund_id, Date from, Date to) {
    Exemption e;
    e.fund_id = fund_id;
    e.reason = "fundo em liquidação";
    e.valid_from = from;
    e.valid_to = to;
    e.granted_by = "analyst";
    e.granted_at = At(from - 1);
    auto granted = store().GrantExemption(e);
    ASSERT_TRUE(granted.ok()) << granted.status();
    funds_[fund_id].exemptions.push_back(*granted);
  }

  // Computes every fund's row on kRef with the real rules and stores them as one version.
  void WriteStatuses() {
    std::vector<rules::FundStatusRow> rows;
    for (const auto& [id, f] : funds_) {
      rules::MarginStatusInput in;
      in.fund = f.fund;
      in.reference_date = kRef;
      FundExposure e;
      e.fund_id = id;
      e.position_date = kRef;
      e.otc = true;
      in.exposure = e;
      in.submissions = f.submissions;
      in.exemptions = f.exemptions;
      auto row = rules::ComputeFundStatusRow(in, rules::RulesConfig{});
      ASSERT_TRUE(row.ok()) << row.status();
      rows.push_back(*row);
    }
    db::NewVersion v{kRef, "statuses", std::nullopt, std::nullopt, "test"};
    ASSERT_TRUE(store().WriteFundStatus(v, rows).ok());
  }

  std::map<int64_t, Shown> Query() {
    std::map<int64_t, Shown> out;
    absl::Status st = store().database().Read([&](soci::session& s) -> absl::Status {
      soci::rowset<soci::row> rows =
          (s.prepare << "SELECT fund_id, validation_status, validation_date"
                        " FROM v_submission_tracking ORDER BY fund_id");
      for (const soci::row& row : rows) {
        db::RowReader r(row);
        int64_t fund = r.Int();
        Shown& shown = out[fund];
        shown.validation_status = r.Str();
        shown.validation_date = r.OptDate();
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  std::map<int64_t, MarginStatusFund> funds_;
};

TEST_P(ValidationDateViewTest, ExemptionDayWithoutSubmissionElseTheSubmissionsValidation) {
  struct Case {
    int64_t fund;
    std::string status;
    std::optional<Date> date;
  };
  const std::vector<Case> cases = {
      {101, "RECEIVED_VALIDATED", kRef},       // no submission, exemption in force: D
      {102, "NOT_RECEIVED", kRef - 8},         // no submission, exemption ended: its last day
      {103, "RECEIVED_VALIDATED", kRef - 1},   // validated the day before
      {104, "RECEIVED_NOT_VALIDATED", std::nullopt},  // validated after the status date
      {105, "RECEIVED_VALIDATED", std::nullopt},      // exempt with an unreviewed submission
      {106, "NOT_RECEIVED", std::nullopt},            // neither
  };
  for (const Case& c : cases) AddFund(c.fund);
  Exempt(101, kRef - 30, kRef + 30);
  Exempt(102, kRef - 30, kRef - 8);
  Submit(103, kRef - 3, kRef - 1);
  Submit(104, kRef - 3, kRef + 1);
  Submit(105, kRef - 20);
  Exempt(105, kRef - 30, kRef + 30);
  WriteStatuses();

  std::map<int64_t, Shown> shown = Query();
  ASSERT_EQ(shown.size(), cases.size());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fund);
    EXPECT_EQ(shown[c.fund].validation_status, c.status);
    EXPECT_EQ(shown[c.fund].validation_date, c.date);
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ValidationDateViewTest);

}  // namespace
}  // namespace riskcap::testing
