// SnapshotService against a real server on both backends: snapshot selection by date and
// version, pinned paging, NAV history, exposures and manager scope.
#include "server/snapshots/snapshot_service.h"

#include <google/protobuf/util/message_differencer.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/snapshot.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using riskcap::testing::TestServer;
using riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;

const Date kDay(2026, 11, 23);  // the fake clock's today is 2026-11-24
const Date kEarlier(2026, 11, 20);

Money Units(int64_t units) { return Money::FromMicros(units * Money::kMicrosPerUnit); }

db::NewVersion Load(Date day) {
  db::NewVersion v;
  v.reference_date = day;
  v.content_hash = "test";
  v.source = "test";
  return v;
}

NavSnapshot Nav(int64_t fund, Date day, int64_t nav) {
  NavSnapshot n;
  n.fund_id = fund;
  n.position_date = day;
  n.nav = Units(nav);
  n.var_99 = 0.03;
  n.criticality = "B";
  return n;
}

Position MakePosition(int64_t fund, const std::string& code) {
  Position p;
  p.fund_id = fund;
  p.position_date = kDay;
  p.asset_code = code;
  p.classification = PositionClassification::kOtcOption;
  p.quantity = Units(1);
  p.market_value = Units(2);
  return p;
}

FundExposure Exposure(int64_t fund, bool otc, bool offshore) {
  FundExposure e;
  e.fund_id = fund;
  e.position_date = kDay;
  e.otc = otc;
  e.offshore = offshore;
  e.offshore_fund_count = offshore ? 2 : 0;
  e.otc_option_count = otc ? 1 : 0;
  e.offshore_market_value = Units(offshore ? 250 : 0);
  e.gross_exposure = Units(1000);
  e.net_exposure = Units(-10);
  e.largest_position_value = Money::FromMicros(1);
  return e;
}

class SnapshotServiceTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(GetParam(), [](RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      services.push_back(std::make_unique<SnapshotServiceImpl>(env));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    stub_ = v1::SnapshotService::NewStub(server_->channel());
    analyst_ = server_->CreateKey(Role::kAnalyst);
    manager1_ = server_->CreateKey(Role::kManager, 1);
  }

  SnapshotVersion Write(absl::StatusOr<SnapshotVersion> written) {
    EXPECT_TRUE(written.ok()) << written.status();
    return written.ok() ? *written : SnapshotVersion{};
  }

  grpc::Status GetNav(const std::string& as_of, std::optional<int32_t> version,
                      v1::NavSnapshot* out, int64_t fund = 101, const std::string& key = "") {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, key.empty() ? analyst_ : key);
    v1::GetNavSnapshotRequest r;
    r.set_fund_id(fund);
    r.set_as_of_date(as_of);
    if (version) r.mutable_version()->set_value(*version);
    return stub_->GetNavSnapshot(&ctx, r, out);
  }

  // Every page of a listing; `call` fills one page from a request carrying the token.
  template <typename Request, typename Response, typename Call>
  std::vector<Response> Pages(Request r, Call call, const std::string& key = "") {
    std::vector<Response> pages;
    while (pages.size() < 20) {
      grpc::ClientContext ctx;
      TestServer::Authorize(ctx, key.empty() ? analyst_ : key);
      Response page;
      grpc::Status st = call(&ctx, r, &page);
      EXPECT_TRUE(st.ok()) << st.error_message();
      if (!st.ok()) break;
      pages.push_back(page);
      if (page.next_page_token().empty()) break;
      r.set_page_token(page.next_page_token());
    }
    return pages;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<v1::SnapshotService::Stub> stub_;
  std::string analyst_, manager1_;
};

TEST_P(SnapshotServiceTest, NavReadsTheLatestDateOnOrBeforeAsOfOrAnExactVersion) {
  db::Store& store = server_->store();
  SnapshotVersion early = Write(store.WriteNavSnapshot(Load(kEarlier), {Nav(101, kEarlier, 1)}));
  Write(store.WriteNavSnapshot(Load(kDay), {Nav(101, kDay, 2)}));
  SnapshotVersion latest = Write(store.WriteNavSnapshot(Load(kDay), {Nav(101, kDay, 3)}));
  v1::NavSnapshot got;
  ASSERT_TRUE(GetNav("", std::nullopt, &got).ok());
  v1::NavSnapshot want;
  want.set_fund_id(101);
  want.set_position_date("2026-11-23");
  want.set_reference_date("2026-11-23");
  want.set_version(2);
  want.set_load_id(latest.id);
  want.set_nav("3.00");
  want.set_derivatives_exposure("0.00");
  want.set_derivatives_at_risk("0.00");
  want.set_var_99(0.03);
  want.set_criticality_class("B");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, want)) << got.DebugString();
  ASSERT_TRUE(GetNav("2026-11-22", std::nullopt, &got).ok());
  EXPECT_EQ(got.nav(), "1.00");
  EXPECT_EQ(got.load_id(), early.id);
  ASSERT_TRUE(GetNav("2026-11-23", 1, &got).ok());
  EXPECT_EQ(got.nav(), "2.00");
  EXPECT_EQ(got.version(), 1);
  EXPECT_EQ(GetNav("2026-11-19", std::nullopt, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetNav("2026-11-23", 3, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetNav("", std::nullopt, &got, 201).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(SnapshotServiceTest, BadSelectorsAreFieldViolations) {
  v1::NavSnapshot got;
  grpc::Status no_date = GetNav("", 1, &got);
  EXPECT_EQ(no_date.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(no_date), ElementsAre("as_of_date"));
  EXPECT_THAT(ViolatedFields(GetNav("2026-11-23", 0, &got)), ElementsAre("version"));
  EXPECT_THAT(ViolatedFields(GetNav("23/11/2026", std::nullopt, &got)), ElementsAre("as_of_date"));
  EXPECT_THAT(ViolatedFields(GetNav("", std::nullopt, &got, 0)), ElementsAre("fund_id"));
}

TEST_P(SnapshotServiceTest, ManagersReadOnlyTheirOwnFundsAndCannotProbe) {
  Write(server_->store().WriteNavSnapshot(Load(kDay), {Nav(101, kDay, 1), Nav(201, kDay, 2)}));
  v1::NavSnapshot got;
  EXPECT_TRUE(GetNav("", std::nullopt, &got, 101, manager1_).ok());
  grpc::Status foreign = GetNav("", std::nullopt, &got, 201, manager1_);
  grpc::Status missing = GetNav("", std::nullopt, &got, 999, manager1_);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetNav("", std::nullopt, &got, 999).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(GetNav("", std::nullopt, &got, 201, server_->CreateKey(Role::kService)).error_code(),
            grpc::StatusCode::OK);
  grpc::ClientContext anonymous;
  v1::GetNavSnapshotRequest r;
  r.set_fund_id(101);
  EXPECT_EQ(stub_->GetNavSnapshot(&anonymous, r, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(SnapshotServiceTest, PositionsPageInCanonicalOrderAndStayOnTheirBatch) {
  db::Store& store = server_->store();
  std::vector<Position> batch = {MakePosition(101, "E"), MakePosition(201, "X"),
                                 MakePosition(101, "A"), MakePosition(101, "D"),
                                 MakePosition(201, "Y"), MakePosition(101, "B"),
                                 MakePosition(101, "C")};
  SnapshotVersion v1 = Write(store.WritePositions(Load(kDay), batch));
  v1::ListPositionsRequest r;
  r.set_fund_id(101);
  r.set_page_size(2);
  std::vector<std::string> codes;
  bool reloaded = false;
  auto pages = Pages<v1::ListPositionsRequest, v1::ListPositionsResponse>(
      r, [&](grpc::ClientContext* c, const auto& req, auto* out) {
        grpc::Status st = stub_->ListPositions(c, req, out);
        if (!reloaded) {  // a new batch lands after the first page
          Write(store.WritePositions(Load(kDay), {MakePosition(101, "NEW")}));
          reloaded = true;
        }
        return st;
      });
  ASSERT_EQ(pages.size(), 3u);
  for (const auto& page : pages) {
    EXPECT_EQ(page.load_id(), v1.id);
    EXPECT_EQ(page.version(), 1);
    for (const auto& p : page.positions()) codes.push_back(p.asset_code());
  }
  EXPECT_THAT(codes, ElementsAre("A", "B", "C", "D", "E"));  // canonical order, not load order
  r.set_page_token("bm90LWEtdG9rZW4");
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, analyst_);
  v1::ListPositionsResponse bad;
  EXPECT_THAT(ViolatedFields(stub_->ListPositions(&ctx, r, &bad)), ElementsAre("page_token"));
}

TEST_P(SnapshotServiceTest, ExposuresCarryTheirSnapshotAndOffshoreShareOfNav) {
  db::Store& store = server_->store();
  Write(store.WriteNavSnapshot(Load(kDay), {Nav(102, kDay, 1000)}));
  SnapshotVersion v =
      Write(store.WriteExposure(Load(kDay), {Exposure(101, true, true), Exposure(102, false, true),
                                             Exposure(201, false, false)}));
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, analyst_);
  v1::GetExposureRequest r;
  r.set_fund_id(102);
  v1::FundExposure got;
  ASSERT_TRUE(stub_->GetExposure(&ctx, r, &got).ok());
  v1::FundExposure want;
  want.set_fund_id(102);
  want.set_position_date("2026-11-23");
  want.set_reference_date("2026-11-23");
  want.set_version(1);
  want.set_load_id(v.id);
  want.set_exposed_offshore(true);
  want.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OFFSHORE);
  want.set_offshore_fund_count(2);
  for (auto* money : {want.mutable_otc_notional(), want.mutable_otc_market_value(),
                      want.mutable_swap_notional()}) {
    *money = "0.00";
  }
  want.set_offshore_market_value("250.00");
  want.set_gross_exposure("1000.00");
  want.set_net_exposure("-10.00");
  want.set_largest_position_value("0.000001");
  want.mutable_offshore_share_of_nav()->set_value(0.25);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, want)) << got.DebugString();
}

TEST_P(SnapshotServiceTest, ExposureListsFilterByOriginAndManager) {
  Write(server_->store().WriteExposure(
      Load(kDay),
      {Exposure(101, true, true), Exposure(102, false, true), Exposure(201, false, false)}));
  auto list = [&](grpc::ClientContext* c, const auto& req, auto* out) {
    return stub_->ListExposures(c, req, out);
  };
  auto funds = [](const std::vector<v1::ListExposuresResponse>& pages) {
    std::vector<int64_t> ids;
    for (const auto& page : pages) {
      for (const auto& e : page.exposures()) ids.push_back(e.fund_id());
    }
    return ids;
  };
  v1::ListExposuresRequest r;
  r.set_page_size(1);
  EXPECT_THAT(funds(Pages<v1::ListExposuresRequest, v1::ListExposuresResponse>(r, list)),
              ElementsAre(101, 102, 201));
  EXPECT_THAT(funds(Pages<v1::ListExposuresRequest, v1::ListExposuresResponse>(r, list, manager1_)),
              ElementsAre(101, 102));
  r.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OFFSHORE);
  EXPECT_THAT(funds(Pages<v1::ListExposuresRequest, v1::ListExposuresResponse>(r, list)),
              ElementsAre(102));
  r.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_NONE);
  EXPECT_THAT(funds(Pages<v1::ListExposuresRequest, v1::ListExposuresResponse>(r, list)),
              ElementsAre(201));
}

TEST_P(SnapshotServiceTest, NavHistoryGivesEachDatesCurrentRowOrOneLoadsRows) {
  db::Store& store = server_->store();
  SnapshotVersion first =
      Write(store.WriteNavHistory(Load(kEarlier), {{101, Date(2026, 11, 18), Units(1), Units(2)},
                                                   {101, Date(2026, 11, 19), Units(2), Units(3)},
                                                   {101, kEarlier, Units(3), Units(4)}}));
  Write(store.WriteNavHistory(Load(kDay), {{101, kEarlier, Units(3), Units(5)},
                                           {101, kDay, Units(5), Units(6)},
                                           {201, kDay, Units(7), Units(8)}}));
  auto list = [&](grpc::ClientContext* c, const auto& req, auto* out) {
    return stub_->ListNavHistory(c, req, out);
  };
  auto closings = [](const std::vector<v1::ListNavHistoryResponse>& pages) {
    std::vector<std::string> out;
    for (const auto& page : pages) {
      for (const auto& e : page.entries()) out.push_back(e.nav_date() + "=" + e.closing_nav());
    }
    return out;
  };
  v1::ListNavHistoryRequest r;
  r.set_fund_id(101);
  r.set_page_size(3);
  auto pages = Pages<v1::ListNavHistoryRequest, v1::ListNavHistoryResponse>(r, list);
  EXPECT_EQ(pages.size(), 2u);
  EXPECT_THAT(closings(pages), ElementsAre("2026-11-18=2.00", "2026-11-19=3.00", "2026-11-20=5.00",
                                           "2026-11-23=6.00"));
  r.set_start_date("2026-11-19");
  r.set_end_date("2026-11-20");
  EXPECT_THAT(closings(Pages<v1::ListNavHistoryRequest, v1::ListNavHistoryResponse>(r, list)),
              ElementsAre("2026-11-19=3.00", "2026-11-20=5.00"));
  r.mutable_load_id()->set_value(first.id);
  auto one_load = Pages<v1::ListNavHistoryRequest, v1::ListNavHistoryResponse>(r, list);
  EXPECT_THAT(closings(one_load), ElementsAre("2026-11-19=3.00", "2026-11-20=4.00"));
  EXPECT_EQ(one_load[0].entries(0).load_id(), first.id);

  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, analyst_);
  r.set_end_date("2026-11-01");
  v1::ListNavHistoryResponse bad;
  EXPECT_THAT(ViolatedFields(stub_->ListNavHistory(&ctx, r, &bad)), ElementsAre("end_date"));
  grpc::ClientContext ctx2;
  TestServer::Authorize(ctx2, analyst_);
  r.clear_end_date();
  r.mutable_load_id()->set_value(first.id + 1000);
  EXPECT_EQ(stub_->ListNavHistory(&ctx2, r, &bad).error_code(), grpc::StatusCode::NOT_FOUND);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(SnapshotServiceTest);

}  // namespace
}  // namespace riskcap::server
