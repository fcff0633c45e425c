// RiskService.CalculateBenchmark through a real server: BCBS 279 figures, field-level errors, auth.
#include "server/risk/risk_service.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

v1::BenchmarkTrade Swap(const std::string& id, const std::string& ccy, double notional,
                        double years, double mtm, v1::TradeDirection direction) {
  v1::BenchmarkTrade t;
  t.set_id(id);
  t.set_asset_class(v1::BENCHMARK_ASSET_CLASS_IR);
  t.set_hedging_key(ccy);
  t.set_notional(notional);
  t.set_end_years(years);
  t.set_maturity_years(years);
  t.set_mtm(mtm);
  t.set_direction(direction);
  return t;
}

// BCBS 279 Annex 4a example 1 (thousands of USD): two USD swaps and a bought EUR receiver
// swaption 1y into 10y (a put on the swap rate, forward 6%, strike 5%).
v1::BenchmarkNettingSet Example1(const std::string& id = "NS1") {
  v1::BenchmarkNettingSet set;
  set.set_id(id);
  *set.add_trades() = Swap("T1", "USD", 10000, 10, 30, v1::TRADE_DIRECTION_LONG);
  *set.add_trades() = Swap("T2", "USD", 10000, 4, -20, v1::TRADE_DIRECTION_SHORT);
  v1::BenchmarkTrade* swaption = set.add_trades();
  *swaption = Swap("T3", "EUR", 5000, 11, 50, v1::TRADE_DIRECTION_UNSPECIFIED);
  swaption->set_start_years(1);
  v1::BenchmarkOption* option = swaption->mutable_option();
  option->set_type(v1::OPTION_TYPE_PUT);
  option->set_bought(true);
  option->set_expiry_years(1);
  option->set_strike(0.05);
  option->set_underlying_price(0.06);
  return set;
}

class RiskServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(db::Backend::kSqlite, [](RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      services.push_back(std::make_unique<RiskServiceImpl>(env));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::RiskService::NewStub(server_->channel());
    analyst_ = server_->CreateKey(Role::kAnalyst);
  }

  grpc::Status Calculate(const v1::CalculateBenchmarkRequest& request,
                         v1::CalculateBenchmarkResponse* response, const std::string& key) {
    grpc::ClientContext ctx;
    if (!key.empty()) riskcap::testing::TestServer::Authorize(ctx, key);
    return stub_->CalculateBenchmark(&ctx, request, response);
  }
  grpc::Status Calculate(const v1::CalculateBenchmarkRequest& request,
                         v1::CalculateBenchmarkResponse* response) {
    return Calculate(request, response, analyst_);
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::unique_ptr<v1::RiskService::Stub> stub_;
  std::string analyst_;
};

TEST_F(RiskServiceTest, Bcbs279Example1GivesThePublishedEad) {
  v1::CalculateBenchmarkRequest request;
  *request.add_netting_sets() = Example1();
  v1::CalculateBenchmarkResponse response;
  grpc::Status st = Calculate(request, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(response.netting_sets_size(), 1);
  const v1::NettingSetBenchmark& result = response.netting_sets(0);
  EXPECT_EQ(result.id(), "NS1");
  ASSERT_TRUE(result.has_sa_ccr());
  EXPECT_THAT(result.sa_ccr().replacement_cost(), DoubleNear(60, 1e-9));
  EXPECT_THAT(result.sa_ccr().ead(), DoubleNear(569, 0.5));
  EXPECT_THAT(result.sa_ccr().addon().ir(), DoubleNear(346.76, 0.01));
  EXPECT_EQ(result.sa_ccr().addon().fx(), 0);
  EXPECT_THAT(result.sa_ccr().pfe(),
              DoubleNear(result.sa_ccr().multiplier() * result.sa_ccr().addon_aggregate(), 1e-9));
  // Schedule: 4% of 10,000 (10y) + 2% of 10,000 (4y) + 4% of 5,000 (11y); NGR = 60 / 80.
  EXPECT_THAT(result.schedule().gross_im(), DoubleNear(800, 1e-9));
  EXPECT_THAT(result.schedule().ngr(), DoubleNear(0.75, 1e-12));
  EXPECT_THAT(result.schedule().net_im(), DoubleNear(0.4 * 800 + 0.6 * 0.75 * 800, 1e-9));
}

TEST_F(RiskServiceTest, ResultsFollowRequestOrderAndOtherTradesGetOnlyTheSchedule) {
  v1::CalculateBenchmarkRequest request;
  v1::BenchmarkNettingSet* other = request.add_netting_sets();
  other->set_id("B");
  v1::BenchmarkTrade* trade = other->add_trades();
  trade->set_id("X1");
  trade->set_asset_class(v1::BENCHMARK_ASSET_CLASS_OTHER);
  trade->set_notional(-1000);  // the schedule takes |notional|
  trade->set_maturity_years(3);
  *request.add_netting_sets() = Example1("A");
  v1::CalculateBenchmarkResponse response;
  ASSERT_TRUE(Calculate(request, &response).ok());
  ASSERT_EQ(response.netting_sets_size(), 2);
  EXPECT_EQ(response.netting_sets(0).id(), "B");
  EXPECT_FALSE(response.netting_sets(0).has_sa_ccr());
  EXPECT_THAT(response.netting_sets(0).schedule().gross_im(), DoubleNear(150, 1e-9));
  EXPECT_EQ(response.netting_sets(1).id(), "A");
  EXPECT_TRUE(response.netting_sets(1).has_sa_ccr());
}

TEST_F(RiskServiceTest, BadTradeNamesNettingSetTradeAndField) {
  v1::CalculateBenchmarkRequest request;
  *request.add_netting_sets() = Example1();
  request.mutable_netting_sets(0)->mutable_trades(2)->set_end_years(0.5);  // before start (1)
  v1::CalculateBenchmarkResponse response;
  grpc::Status st = Calculate(request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = riskcap::testing::FieldViolations(st);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "netting_sets[0].trades[2].end_years");
  EXPECT_EQ(violations[0].second, "netting set NS1 trade T3: end_years must be >= start_years");
}

// One bad field per trade (or set), each reported at its own path.
struct BadInputCase {
  std::string name;
  std::function<void(v1::BenchmarkNettingSet&)> spoil;
  std::string field;
  std::string description_part;
};

class RiskServiceBadInputTest : public RiskServiceTest,
                                public ::testing::WithParamInterface<BadInputCase> {};

TEST_P(RiskServiceBadInputTest, IsAFieldViolationAtItsPath) {
  v1::CalculateBenchmarkRequest request;
  *request.add_netting_sets() = Example1("OK");
  *request.add_netting_sets() = Example1();
  GetParam().spoil(*request.mutable_netting_sets(1));
  v1::CalculateBenchmarkResponse response;
  grpc::Status st = Calculate(request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto violations = riskcap::testing::FieldViolations(st);
  ASSERT_EQ(violations.size(), 1u) << st.error_message();
  EXPECT_EQ(violations[0].first, GetParam().field);
  EXPECT_THAT(violations[0].second, HasSubstr(GetParam().description_part));
  EXPECT_EQ(response.netting_sets_size(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RiskServiceBadInputTest,
    ::testing::Values(
        BadInputCase{
            "NegativeMaturity", [](auto& s) { s.mutable_trades(1)->set_maturity_years(-1); },
            "netting_sets[1].trades[1].maturity_years", "trade T2: maturity_years must be >= 0"},
        BadInputCase{"MissingAssetClass",
                     [](auto& s) {
                       s.mutable_trades(0)->set_asset_class(v1::BENCHMARK_ASSET_CLASS_UNSPECIFIED);
                     },
                     "netting_sets[1].trades[0].asset_class", "trade T1: asset_class is required"},
        BadInputCase{"UnknownAssetClassNumber",
                     [](auto& s) {
                       s.mutable_trades(0)->set_asset_class(
                           static_cast<v1::BenchmarkAssetClass>(42));
                     },
                     "netting_sets[1].trades[0].asset_class", "has unknown value 42"},
        BadInputCase{
            "MissingDirection",
            [](auto& s) { s.mutable_trades(1)->set_direction(v1::TRADE_DIRECTION_UNSPECIFIED); },
            "netting_sets[1].trades[1].direction", "direction is required"},
        BadInputCase{"OptionStrike",
                     [](auto& s) { s.mutable_trades(2)->mutable_option()->set_strike(0); },
                     "netting_sets[1].trades[2].option.strike", "option strike must be > 0"},
        BadInputCase{"OptionType",
                     [](auto& s) {
                       s.mutable_trades(2)->mutable_option()->set_type(v1::OPTION_TYPE_UNSPECIFIED);
                     },
                     "netting_sets[1].trades[2].option.type", "option.type is required"},
        BadInputCase{"MissingHedgingKey", [](auto& s) { s.mutable_trades(0)->clear_hedging_key(); },
                     "netting_sets[1].trades[0].hedging_key", "hedging_key must not be empty"},
        BadInputCase{"EmptyTradeId", [](auto& s) { s.mutable_trades(2)->clear_id(); },
                     "netting_sets[1].trades[2].id", "trade #3: id must not be empty"},
        BadInputCase{"DuplicateTradeId", [](auto& s) { s.mutable_trades(2)->set_id("T1"); },
                     "netting_sets[1].trades[2].id", "id is used by trades[0]"},
        BadInputCase{
            "CreditWithoutRating",
            [](auto& s) { s.mutable_trades(1)->set_asset_class(v1::BENCHMARK_ASSET_CLASS_CREDIT); },
            "netting_sets[1].trades[1].rating", "rating is required for CREDIT"},
        BadInputCase{"NegativeThreshold", [](auto& s) { s.set_threshold(-5); },
                     "netting_sets[1].threshold", "netting set NS1: threshold must be >= 0"},
        BadInputCase{"EmptySetId", [](auto& s) { s.clear_id(); }, "netting_sets[1].id",
                     "netting set #2: id must not be empty"},
        BadInputCase{"DuplicateSetId", [](auto& s) { s.set_id("OK"); }, "netting_sets[1].id",
                     "id is used by netting_sets[0]"}),
    [](const auto& info) { return info.param.name; });

TEST_F(RiskServiceTest, EveryBadTradeIsReportedAtOnce) {
  v1::CalculateBenchmarkRequest request;
  *request.add_netting_sets() = Example1();
  request.mutable_netting_sets(0)->mutable_trades(0)->set_notional(-1);
  request.mutable_netting_sets(0)->mutable_trades(2)->set_maturity_years(-1);
  v1::CalculateBenchmarkResponse response;
  grpc::Status st = Calculate(request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(riskcap::testing::ViolatedFields(st),
              UnorderedElementsAre("netting_sets[0].trades[0].notional",
                                   "netting_sets[0].trades[2].maturity_years"));
}

TEST_F(RiskServiceTest, RequestLimits) {
  v1::CalculateBenchmarkResponse response;
  v1::CalculateBenchmarkRequest empty;
  EXPECT_THAT(riskcap::testing::ViolatedFields(Calculate(empty, &response)),
              ElementsAre("netting_sets"));
  v1::CalculateBenchmarkRequest too_many;
  for (int i = 0; i < 101; ++i) *too_many.add_netting_sets() = Example1(absl::StrCat("S", i));
  EXPECT_THAT(riskcap::testing::ViolatedFields(Calculate(too_many, &response)),
              ElementsAre("netting_sets"));
  v1::CalculateBenchmarkRequest no_trades;
  no_trades.add_netting_sets()->set_id("EMPTY");
  EXPECT_EQ(Calculate(no_trades, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RiskServiceTest, EveryRoleMayCalculateButAKeyIsRequired) {
  v1::CalculateBenchmarkRequest request;
  *request.add_netting_sets() = Example1();
  v1::CalculateBenchmarkResponse response;
  riskcap::testing::SeedRegistry(server_->store());  // a MANAGER key needs its manager
  for (Role role : {Role::kManager, Role::kAnalyst, Role::kService, Role::kAdmin}) {
    std::string key =
        role == Role::kManager ? server_->CreateKey(role, 1) : server_->CreateKey(role);
    EXPECT_TRUE(Calculate(request, &response, key).ok()) << EnumName(role);
  }
  EXPECT_EQ(Calculate(request, &response, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Calculate(request, &response, "rk_unknown").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace riskcap::server
