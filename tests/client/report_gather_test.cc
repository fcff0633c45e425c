// The dashboard's fund view gathered from a live server (SnapshotService and MarginService over
// data written to its store), and the pure helpers of the gathering step.
#include "client/report_gather.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "client/command.h"
#include "client/report_fund_view.h"
#include "gtest/gtest.h"
#include "server/rpc/service_set.h"
#include "tests/testing/test_server.h"

namespace riskcap::client {
namespace {

const Date kDay(2026, 11, 24);
constexpr int64_t kFund = 101;

class ReportGatherTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(
        GetParam(), [](server::RpcEnv& env) { return server::MakeServices(env); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    context_.connection_options().server = server_->address();
    context_.connection_options().token = server_->CreateKey(Role::kAnalyst);
    db::Store& store = server_->store();
    ASSERT_TRUE(store.CreateManager({7, "Gestora Sete", "11444777000161"}).ok());
    Fund fund;
    fund.id = kFund;
    fund.name = "Alpha FIM";
    fund.tax_id = "11222333000181";
    fund.manager_id = 7;
    ASSERT_TRUE(store.CreateFund(fund).ok());
  }

  db::NewVersion Load(Date day, int salt) {
    return db::NewVersion{day, absl::StrCat("h", salt), std::nullopt, std::nullopt, "test"};
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  CommandContext context_;
};

TEST_P(ReportGatherTest, FundViewHasTwelveMonthsOfNavMarginAndOffshoreAndThePositions) {
  db::Store& store = server_->store();
  // NAV on the 10th and 25th of 14 months: each month shows its last closing NAV.
  std::vector<NavHistoryEntry> history;
  std::map<std::string, double> want_nav;
  for (int m = 0; m < 14; ++m) {
    for (int d : {10, 25}) {
      Date day = Date(absl::CivilMonth(2025, 10) + m) + (d - 1);
      if (day > kDay) continue;
      int64_t micros = (18'000'000 + m * 10'000 + d) * 1'000'000LL + 500'000;
      history.push_back({kFund, day, Money::FromMicros(micros), Money::FromMicros(micros)});
      want_nav[FormatDate(day).substr(0, 7)] = micros / 1e6;
    }
  }
  ASSERT_TRUE(store.WriteNavHistory(Load(kDay, 1), history).ok());
  // Submissions: two in March (the later one counts), a rejected later one in May (ignored).
  std::map<std::string, double> want_margin;
  int n = 0;
  auto submit = [&](Date day, int64_t local, int64_t offshore, SubmissionState decision) {
    MarginSubmission s;
    s.fund_id = kFund;
    s.reference_date = day;
    s.local_margin = Money::FromMicros(local);
    s.offshore_margin = Money::FromMicros(offshore);
    s.methodology = absl::StrCat("method ", ++n);
    s.submitted_at = absl::FromUnixSeconds(1'770'000'000 + n);
    s.submitted_by = "key:1";
    s.idempotency_key = absl::StrCat("k", n);
    s.content_hash = absl::StrCat("c", n);
    auto inserted = store.InsertSubmission(s);
    ASSERT_TRUE(inserted.ok()) << inserted.status();
    if (decision != SubmissionState::kReceived) {
      ASSERT_TRUE(store.DecideSubmission(inserted->id, decision, "r", "a", absl::Now()).ok());
    }
  };
  submit(Date(2026, 3, 5), 1'000'000'000, 1'000'000, SubmissionState::kValidated);
  submit(Date(2026, 3, 20), 2'000'000'000, 500'000, SubmissionState::kReceived);
  submit(Date(2026, 5, 10), 3'000'000'000, 0, SubmissionState::kReceived);
  submit(Date(2026, 5, 28), 9'000'000'000, 0, SubmissionState::kRejected);
  submit(Date(2024, 5, 28), 7'000'000'000, 0, SubmissionState::kReceived);  // out of range
  want_margin["2026-03"] = 2000.5;
  want_margin["2026-05"] = 3000;
  // Exposure snapshots at two month ends: only those months get an offshore point.
  for (auto [day, micros] : {std::pair(Date(2026, 6, 30), 5'250'000'000'000LL),
                             std::pair(Date(2026, 9, 30), 5'600'000'000'000LL)}) {
    FundExposure e;
    e.fund_id = kFund;
    e.position_date = day;
    e.offshore = true;
    e.offshore_fund_count = 1;
    e.offshore_market_value = Money::FromMicros(micros);
    ASSERT_TRUE(store.WriteExposure(Load(day, static_cast<int>(micros % 97)), {e}).ok());
  }
  std::vector<Position> positions(3);
  for (int i = 0; i < 3; ++i) {
    positions[i].fund_id = kFund;
    positions[i].position_date = kDay;
    positions[i].asset_nickname = absl::StrCat("ASSET ", i);
    positions[i].isin = "BRABCDEFGHIJ";
    positions[i].classification = PositionClassification::kOffshoreFund;
    positions[i].notional = Money::FromMicros(1'234'567'890'000LL * (i + 1));
    positions[i].market_value = Money::FromMicros(-500'000 * (i + 1));
    positions[i].currency = "BRL";
  }
  ASSERT_TRUE(store.WritePositions(Load(kDay, 50), positions).ok());

  v1::FundStatus status;
  status.set_fund_id(kFund);
  status.mutable_risk_capital()->set_nav("18110025.5");
  status.mutable_risk_capital()->mutable_utilisation()->set_value(0.25);
  status.mutable_risk_capital()->mutable_cap()->set_value(0.7);
  TrackingRow row;
  row.fund_id = kFund;
  row.fund_name = "Alpha FIM";
  auto view = GatherFundView(context_, kDay, status, row, nullptr);
  ASSERT_TRUE(view.ok()) << view.status();

  std::vector<std::string> months = LastTwelveMonths(kDay);
  ASSERT_EQ(view->history.size(), 12u);
  for (size_t i = 0; i < 12; ++i) {
    const MonthPoint& p = view->history[i];
    EXPECT_EQ(p.month, months[i]);
    EXPECT_EQ(p.nav, want_nav.count(p.month) ? std::optional(want_nav[p.month]) : std::nullopt)
        << p.month;
    EXPECT_EQ(p.margin,
              want_margin.count(p.month) ? std::optional(want_margin[p.month]) : std::nullopt)
        << p.month;
    std::optional<double> offshore;
    if (p.month == "2026-06") offshore = 5'250'000;
    if (p.month == "2026-09") offshore = 5'600'000;
    EXPECT_EQ(p.offshore_exposure, offshore) << p.month;
  }
  EXPECT_EQ(view->methodology, "method 3");
  EXPECT_EQ(view->nav, "18110025.5");
  EXPECT_EQ(view->utilisation, 0.25);
  EXPECT_EQ(view->cap, 0.7);
  ASSERT_EQ(view->positions.size(), 3u);
  EXPECT_EQ(view->positions[2].asset_nickname, "ASSET 2");
  EXPECT_EQ(view->positions[2].notional, "3703703.67");
  EXPECT_EQ(view->positions[2].market_value, "-1.50");
  EXPECT_EQ(view->positions[2].classification, "OFFSHORE_FUND");
}

TEST(ReportGather, LastTwelveMonthsEndWithTheDatesMonth) {
  std::vector<std::string> months = LastTwelveMonths(Date(2026, 2, 28));
  ASSERT_EQ(months.size(), 12u);
  EXPECT_EQ(months.front(), "2025-03");
  EXPECT_EQ(months.back(), "2026-02");
}

// A FIDC at 900% has no cap: its utilisation is not applicable, so it is never picked.
TEST(ReportGather, DefaultFundViewsAreTheHighestUtilisationsOfFundsWithACap) {
  std::vector<TrackingRow> rows(6);
  const std::optional<double> utilisation[] = {0.3, std::nullopt, 0.9, 0.5, 0.9, 9.0};
  for (int i = 0; i < 6; ++i) {
    rows[i].fund_id = 100 + i;
    rows[i].utilisation = utilisation[i];
    if (i != 5) rows[i].cap = 0.7;
  }
  EXPECT_EQ(DefaultFundViews(rows, 3), (std::vector<int64_t>{102, 104, 103}));
  EXPECT_EQ(DefaultFundViews(rows, 10), (std::vector<int64_t>{102, 104, 103, 100}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportGatherTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgresql),
                         riskcap::testing::BackendTestName);

}  // namespace
}  // namespace riskcap::client
