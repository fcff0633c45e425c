// RiskService.ExplainFundStatus (server/risk/status_explain.cc, status_rpcs.cc) against a real server on
// both backends, over statuses written by the real margin_status job: the inputs of a fund in
// each limit status with their identities, recompute equal for every fund of a generated dataset,
// a tampered input reported as a mismatch naming the figure, and who may ask.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "server/jobs/margin_status_job.h"
#include "server/risk/risk_service.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/service_fixture.h"
#include "tests/testing/store_sql.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::ViolatedFields;

constexpr Date kRef(2026, 11, 24);  // a Tuesday

absl::Time At(Date day, int hour = 12) {
  return absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), hour),
                         absl::UTCTimeZone());
}

Money Units(int64_t units) { return Money::FromMicros(units * 1'000'000); }

class StatusExplainTest : public ::riskcap::testing::ServiceFixture<v1::RiskService> {
 protected:
  std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) override {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<RiskServiceImpl>(env));
    return services;
  }
  db::Store& store() { return server_->store(); }
  void Check(const absl::Status& st) { ASSERT_TRUE(st.ok()) << st; }

  void AddFund(int64_t id, int64_t manager, RegulatoryClass cls,
               std::optional<double> bylaws = std::nullopt) {
    Fund f;
    f.id = id;
    f.name = absl::StrCat("Fundo ", id);
    f.tax_id = absl::StrCat(700000 + id);
    f.manager_id = manager;
    f.regulatory_class = cls;
    f.bylaws_margin_cap = bylaws;
    Check(store().CreateFund(f));
  }

  NavSnapshot Nav(int64_t fund, Money nav, double exchange_pct, Date date = kRef) {
    NavSnapshot n;
    n.fund_id = fund;
    n.position_date = date;
    n.nav = nav;
    n.exchange_margin_pct = exchange_pct;
    return n;
  }

  FundExposure Exposure(int64_t fund, bool otc, bool offshore, Date date = kRef) {
    FundExposure e;
    e.fund_id = fund;
    e.position_date = date;
    e.otc = otc;
    e.offshore = offshore;
    return e;
  }

  Position Swap(int64_t fund, int n, Money notional, Date date = kRef) {
    Position p;
    p.fund_id = fund;
    p.position_date = date;
    p.asset_code = absl::StrCat("SWP", fund, "-", n);
    p.classification = PositionClassification::kOtcSwap;
    p.notional = notional;
    p.asset_class = OtcAssetClass::kInterestRate;
    p.end_date = date + 400 + n;
    p.direction = n % 2 ? "LONG" : "SHORT";
    p.currency = "BRL";
    return p;
  }

  MarginSubmission Submit(int64_t fund, Money local, Money offshore, Date sent) {
    MarginSubmission m;
    m.fund_id = fund;
    m.reference_date = sent - 1;
    m.local_margin = local;
    m.offshore_margin = offshore;
    m.submitted_at = At(sent, 10);
    m.submitted_by = "key-1";
    m.idempotency_key = absl::StrCat("req-", ++keys_);
    m.content_hash = absl::StrCat("hash-", keys_);
    auto stored = store().InsertSubmission(m);
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : m;
  }

  db::NewVersion Version(Date date, const std::string& hash) {
    db::NewVersion v;
    v.reference_date = date;
    v.content_hash = hash;
    v.source = "test";
    return v;
  }

  // Writes the positions batch, the exposure snapshot derived from it and the NAV snapshot of
  // `date`, remembering their ids.
  void WriteInputs(Date date, const std::vector<Position>& positions,
                   const std::vector<FundExposure>& exposures,
                   const std::vector<NavSnapshot>& navs) {
    auto batch = store().WritePositions(Version(date, absl::StrCat("p", date.day())), positions);
    ASSERT_TRUE(batch.ok()) << batch.status();
    db::NewVersion ev = Version(date, absl::StrCat("e", date.day()));
    ev.source_version_id = batch->id;
    auto exposure = store().WriteExposure(ev, exposures);
    ASSERT_TRUE(exposure.ok()) << exposure.status();
    auto nav = store().WriteNavSnapshot(Version(date, absl::StrCat("n", date.day())), navs);
    ASSERT_TRUE(nav.ok()) << nav.status();
    positions_id_ = batch->id;
    exposure_id_ = exposure->id;
    nav_id_ = nav->id;
  }

  void RunJob(Date date = kRef) {
    FakeClock clock(At(date, 20));
    jobs::JobContext ctx(store(), clock, rules_, 0, "margin_status", date, {});
    auto out = jobs::MakeMarginStatusJob()->Run(ctx);
    ASSERT_TRUE(out.ok()) << out.status();
  }

  // One fund in each limit status (docs/rules.md): 101 WITHIN_LIMIT (OTC, server estimate),
  // 301 WARNING (offshore, exempt), 302 BREACH (Ações), 303 CRITICAL (NAV < 0), 304
  // NOT_APPLICABLE (FIDC, no cap).
  void SeedEachLimitStatus() {
    AddFund(301, 1, RegulatoryClass::kMultimercado);
    AddFund(302, 2, RegulatoryClass::kAcoes, 0.35);
    AddFund(303, 1, RegulatoryClass::kMultimercado);
    AddFund(304, 2, RegulatoryClass::kFidc);
    WriteInputs(kRef, {Swap(101, 1, Units(1'000'000)), Swap(101, 2, Units(2'000'000))},
                {Exposure(101, true, false), Exposure(301, false, true),
                 Exposure(302, true, true), Exposure(303, false, true), Exposure(304, true, false)},
                {Nav(101, Units(100'000'000), 0.1), Nav(301, Units(1000), 0.6),
                 Nav(302, Units(1000), 0.3), Nav(303, Units(-5), 0.1), Nav(304, Units(1000), 0.9)});
    submission_101_ = Submit(101, Units(40'000), Units(0), kRef - 2);
    Submit(302, Units(150), Units(25), kRef - 3);
    Exemption e;
    e.fund_id = 301;
    e.reason = "fundo em liquidação";
    e.valid_from = kRef - 5;
    e.valid_to = kRef + 5;
    e.granted_by = "analyst";
    e.granted_at = At(kRef - 6);
    auto granted = store().GrantExemption(e);
    ASSERT_TRUE(granted.ok()) << granted.status();
    exemption_301_ = granted->id;
    RunJob();
  }

  v1::FundStatusExplanation Explain(int64_t fund, bool recompute, const std::string& key = "") {
    v1::ExplainFundStatusRequest r;
    r.set_fund_id(fund);
    r.set_as_of_date(FormatDate(kRef));
    r.set_recompute(recompute);
    v1::FundStatusExplanation out;
    grpc::Status st = Call(key.empty() ? analyst_ : key, &Stub::ExplainFundStatus, r, &out);
    EXPECT_TRUE(st.ok()) << fund << ": " << st.error_message();
    return out;
  }

  static const v1::StatusInput* Input(const v1::FundStatusExplanation& e, const std::string& kind) {
    for (const v1::StatusInput& in : e.inputs()) {
      if (in.kind() == kind) return &in;
    }
    return nullptr;
  }
  static std::string Step(const v1::FundStatusExplanation& e, const std::string& name) {
    for (const v1::ExplanationStep& s : e.steps()) {
      if (s.name() == name) return absl::StrCat(s.value(), " | ", s.text());
    }
    return "";
  }
  static std::vector<std::string> Mismatched(const v1::FundStatusExplanation& e) {
    std::vector<std::string> out;
    for (const auto& m : e.recomputation().mismatches()) out.push_back(m.figure());
    return out;
  }

  void Sql(const std::string& sql) {
    Check(testing::WriteSql(store(), [&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    }));
  }

  rules::RulesConfig rules_;
  int keys_ = 0;
  int64_t positions_id_ = 0, exposure_id_ = 0, nav_id_ = 0, exemption_301_ = 0;
  MarginSubmission submission_101_;
};

TEST_P(StatusExplainTest, ExplainListsTheStoredInputsOfAFundInEachLimitStatus) {
  SeedEachLimitStatus();
  const std::vector<std::pair<int64_t, v1::LimitStatus>> cases = {
      {101, v1::LIMIT_STATUS_WITHIN_LIMIT}, {301, v1::LIMIT_STATUS_WARNING},
      {302, v1::LIMIT_STATUS_BREACH}, {303, v1::LIMIT_STATUS_CRITICAL},
      {304, v1::LIMIT_STATUS_NOT_APPLICABLE}};
  for (const auto& [fund, limit] : cases) {
    SCOPED_TRACE(fund);
    v1::FundStatusExplanation e = Explain(fund, false);
    EXPECT_EQ(e.status().risk_capital().limit_status(), limit);
    EXPECT_EQ(e.snapshot().reference_date(), "2026-11-24");
    const v1::StatusInput* nav = Input(e, "NAV_SNAPSHOT");
    const v1::StatusInput* exposure = Input(e, "EXPOSURE_SNAPSHOT");
    const v1::StatusInput* positions = Input(e, "POSITIONS_BATCH");
    ASSERT_TRUE(nav && exposure && positions && Input(e, "RULES"));
    EXPECT_EQ(nav->id(), nav_id_);
    EXPECT_EQ(nav->content_hash(), "n24");
    EXPECT_EQ(exposure->id(), exposure_id_);
    EXPECT_EQ(positions->id(), positions_id_);
    EXPECT_TRUE(nav->recorded() && exposure->recorded() && positions->recorded());
    EXPECT_TRUE(e.rules_config_recorded());
    EXPECT_EQ(e.rule_version(), rules_.rule_version);
    EXPECT_EQ(e.rules_config_size(), static_cast<int>(rules::RulesConfigKeys().size()));
    EXPECT_EQ(Step(e, "gross_margin").rfind(
                  absl::StrCat(Money::Parse(e.status().risk_capital().gross_margin())->micros(),
                               " | gross margin = exchange "), 0),
              0u)
        << Step(e, "gross_margin");
    EXPECT_NE(Step(e, "limit_status").find(v1::LimitStatus_Name(limit).substr(13)),
              std::string::npos)
        << Step(e, "limit_status");
  }
  v1::FundStatusExplanation within = Explain(101, false);
  const v1::StatusInput* submission = Input(within, "SUBMISSION");
  ASSERT_NE(submission, nullptr);
  EXPECT_EQ(submission->id(), submission_101_.id);
  EXPECT_EQ(submission->content_hash(), submission_101_.content_hash);
  EXPECT_EQ(within.status().risk_capital().otc_margin().source(),
            v1::MARGIN_SOURCE_SERVER_ESTIMATE);
  EXPECT_NE(Step(within, "otc_margin").find("schedule IM over 2 OTC positions"), std::string::npos)
      << Step(within, "otc_margin");
  EXPECT_NE(Input(within, "POSITIONS_BATCH")->detail().find("2 positions of fund 101"),
            std::string::npos);
  const v1::FundStatusExplanation exempted = Explain(301, false);  // owns what Input points to
  const v1::StatusInput* exemption = Input(exempted, "EXEMPTION");
  ASSERT_NE(exemption, nullptr);
  EXPECT_EQ(exemption->id(), exemption_301_);
  EXPECT_EQ(Input(Explain(304, false), "SUBMISSION"), nullptr);  // none in the store
  EXPECT_NE(Step(Explain(302, false), "cap").find("(BYLAWS)"), std::string::npos);
  EXPECT_NE(Step(Explain(302, false), "breach_business_days").find("1 business days"),
            std::string::npos);
}

TEST_P(StatusExplainTest, RecomputeMatchesForEveryFundOfAGeneratedDataset) {
  std::mt19937 rng(20261207);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<int64_t> funds = {101, 201};
  for (int i = 1; i <= 30; ++i) {
    AddFund(1000 + i, 1 + i % 2, static_cast<RegulatoryClass>(pick(0, 6)),
            pick(0, 3) == 0 ? std::optional<double>(pick(1, 9) / 10.0) : std::nullopt);
    funds.push_back(1000 + i);
  }
  for (Date date : {kRef - 1, kRef}) {  // two days, so breaches continue from the previous one
    std::vector<Position> positions;
    std::vector<FundExposure> exposures;
    std::vector<NavSnapshot> navs;
    for (int64_t fund : funds) {
      const int kind = pick(0, 3);  // none, OTC, offshore, both
      if (kind > 0) exposures.push_back(Exposure(fund, kind != 2, kind >= 2, date));
      if (kind == 1 || kind == 3) {
        for (int p = pick(0, 3); p > 0; --p) {
          positions.push_back(Swap(fund, p, Units(pick(1, 900) * 10'000), date));
        }
      }
      if (pick(0, 6) > 0) {
        navs.push_back(Nav(fund, Units(pick(0, 10) == 0 ? -pick(0, 5) : pick(1, 50) * 10'000),
                           pick(0, 90) / 100.0, date));
      }
      if (pick(0, 2) > 0) {
        Submit(fund, Units(pick(0, 300'000)), Units(pick(0, 3) * 7), date - pick(-1, 40));
      }
    }
    WriteInputs(date, positions, exposures, navs);
    RunJob(date);
  }
  int within = 0, breach = 0;
  for (int64_t fund : funds) {
    SCOPED_TRACE(fund);
    v1::FundStatusExplanation e = Explain(fund, true);
    EXPECT_TRUE(e.recomputation().matches()) << e.recomputation().error() << "\n"
                                             << e.recomputation().stored_line()
                                             << e.recomputation().recomputed_line();
    EXPECT_EQ(e.recomputation().stored_line(), e.recomputation().recomputed_line());
    within += e.status().risk_capital().limit_status() == v1::LIMIT_STATUS_WITHIN_LIMIT;
    breach += e.status().risk_capital().limit_status() == v1::LIMIT_STATUS_BREACH;
  }
  EXPECT_GT(within, 0);  // the dataset is varied enough to mean something
  EXPECT_GT(breach, 0);
}

TEST_P(StatusExplainTest, ATamperedInputMakesRecomputeReportTheFigure) {
  SeedEachLimitStatus();
  EXPECT_TRUE(Explain(101, true).recomputation().matches());
  Sql("UPDATE positions SET notional_micros = notional_micros * 3 WHERE fund_id = 101");
  v1::FundStatusExplanation e = Explain(101, true);
  EXPECT_FALSE(e.recomputation().matches());
  std::vector<std::string> figures = Mismatched(e);
  EXPECT_NE(std::find(figures.begin(), figures.end(), "otc_margin"), figures.end());
  EXPECT_NE(std::find(figures.begin(), figures.end(), "gross_margin"), figures.end());
  EXPECT_NE(std::find(figures.begin(), figures.end(), "schedule_im"), figures.end());
  for (const auto& m : e.recomputation().mismatches()) EXPECT_NE(m.stored(), m.recomputed());

  Sql("UPDATE nav_snapshots SET nav_micros = nav_micros + 1 WHERE fund_id = 302");
  std::vector<std::string> nav_figures = Mismatched(Explain(302, true));
  EXPECT_NE(std::find(nav_figures.begin(), nav_figures.end(), "nav"), nav_figures.end());
  EXPECT_TRUE(Explain(303, true).recomputation().matches());  // untouched funds still match
}

TEST_P(StatusExplainTest, AVersionWrittenBeforeRecordingSaysItsInputsAreInferred) {
  SeedEachLimitStatus();
  Sql("DELETE FROM margin_status_inputs");
  v1::FundStatusExplanation e = Explain(302, true);
  EXPECT_FALSE(e.rules_config_recorded());
  EXPECT_FALSE(Input(e, "NAV_SNAPSHOT")->recorded());
  EXPECT_EQ(Input(e, "NAV_SNAPSHOT")->id(), nav_id_);  // the current one of the date
  EXPECT_TRUE(e.recomputation().matches());
}

TEST_P(StatusExplainTest, AnalystsAdminsAndTheFundsOwnManagerMayAsk) {
  SeedEachLimitStatus();
  v1::ExplainFundStatusRequest r;
  r.set_fund_id(101);
  EXPECT_TRUE(Call(admin_, &Stub::ExplainFundStatus, r).ok());
  EXPECT_TRUE(Call(manager1_, &Stub::ExplainFundStatus, r).ok());
  EXPECT_EQ(Call(service_, &Stub::ExplainFundStatus, r).error_code(), Code::PERMISSION_DENIED);
  r.set_fund_id(302);  // manager 2's
  EXPECT_EQ(Call(manager1_, &Stub::ExplainFundStatus, r).error_code(), Code::PERMISSION_DENIED);
  r.set_fund_id(999);  // no such fund: the same answer, so existence does not leak
  EXPECT_EQ(Call(manager1_, &Stub::ExplainFundStatus, r).error_code(), Code::PERMISSION_DENIED);
  EXPECT_EQ(Call(analyst_, &Stub::ExplainFundStatus, r).error_code(), Code::NOT_FOUND);
  r.set_fund_id(102);  // inactive: not in the snapshot
  EXPECT_EQ(Call(analyst_, &Stub::ExplainFundStatus, r).error_code(), Code::NOT_FOUND);
  r.set_fund_id(0);
  grpc::Status bad = Call(analyst_, &Stub::ExplainFundStatus, r);
  EXPECT_EQ(bad.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(bad), std::vector<std::string>{"fund_id"});
  r.set_fund_id(101);
  r.set_as_of_date(FormatDate(kRef - 30));  // before any status
  EXPECT_EQ(Call(analyst_, &Stub::ExplainFundStatus, r).error_code(), Code::NOT_FOUND);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StatusExplainTest);

}  // namespace
}  // namespace riskcap::server
