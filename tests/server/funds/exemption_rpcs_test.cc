// FundService's exemption RPCs (server/funds/exemption_rpcs.cc) against a real server on both backends:
// grant, list, revoke, scope, and retries under one request id.
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/funds/fund_service_fixture.h"

namespace riskcap::server {
namespace {

class ExemptionRpcsTest : public FundServiceTest {};

TEST_P(ExemptionRpcsTest, ExemptionsAreGrantedListedAndRevoked) {
  v1::Exemption first, second, replay, revoked;
  ASSERT_TRUE(Grant(analyst_, 101, "g-1", &first).ok());
  EXPECT_EQ(first.granted_by().rfind("key:", 0), 0u);
  EXPECT_EQ(first.grant_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));
  ASSERT_TRUE(Grant(analyst_, 101, "g-1", &replay).ok());  // a retry: no second exemption
  EXPECT_EQ(replay.exemption_id(), first.exemption_id());
  ASSERT_TRUE(Grant(admin_, 201, "g-2", &second).ok());
  EXPECT_THAT(ExemptionIds(analyst_, 0, false),
              ElementsAre(second.exemption_id(), first.exemption_id()));  // newest first
  EXPECT_THAT(ExemptionIds(manager1_, 0, false), ElementsAre(first.exemption_id()));
  v1::ListExemptionsRequest foreign;
  foreign.set_fund_id(201);
  EXPECT_EQ(Call(manager1_, &Stub::ListExemptions, foreign).error_code(), Code::PERMISSION_DENIED);
  server_->clock().Advance(absl::Hours(1));
  ASSERT_TRUE(Revoke(first.exemption_id(), &revoked).ok());
  EXPECT_EQ(revoked.revoke_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));
  EXPECT_EQ(revoked.revoked_by(), first.granted_by());
  server_->clock().Advance(absl::Hours(1));
  v1::Exemption retried;
  ASSERT_TRUE(Revoke(first.exemption_id(), &retried).ok());  // a retry: the first revocation
  EXPECT_EQ(retried.revoke_time().seconds(), revoked.revoke_time().seconds());
  EXPECT_EQ(Revoke(first.exemption_id(), nullptr, "rx-again").error_code(),
            Code::FAILED_PRECONDITION);
  EXPECT_EQ(Revoke(999).error_code(), Code::NOT_FOUND);
  EXPECT_THAT(ExemptionIds(analyst_, 101, false), ElementsAre());
  EXPECT_THAT(ExemptionIds(analyst_, 101, true), ElementsAre(first.exemption_id()));
}

TEST_P(ExemptionRpcsTest, GrantRequestIdsAreTheCallersOwn) {
  v1::Exemption first, by_admin;
  ASSERT_TRUE(Grant(analyst_, 101, "g-1", &first).ok());
  grpc::Status st = Grant(analyst_, 201, "g-1");
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("request_id 'g-1'"));
  ASSERT_TRUE(Grant(admin_, 101, "g-1", &by_admin).ok());  // another key's request
  EXPECT_NE(by_admin.exemption_id(), first.exemption_id());
  EXPECT_THAT(ExemptionIds(analyst_, 0, false),
              ElementsAre(by_admin.exemption_id(), first.exemption_id()));
}

TEST_P(ExemptionRpcsTest, ConcurrentRetriesGrantOneExemption) {
  constexpr int kCalls = 8;
  std::vector<v1::Exemption> granted(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] { statuses[i] = Grant(analyst_, 101, "g-race", &granted[i]); });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(granted[i].exemption_id(), granted[0].exemption_id());
  }
  EXPECT_THAT(ExemptionIds(analyst_, 101, true), ElementsAre(granted[0].exemption_id()));
}

TEST_P(ExemptionRpcsTest, BadExemptionsNameTheirFields) {
  v1::GrantExemptionRequest r;
  r.set_request_id("g-bad");
  r.mutable_exemption()->set_fund_id(999);
  r.mutable_exemption()->set_start_date("2026-11-30");
  r.mutable_exemption()->set_end_date("2026-11-01");
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::GrantExemption, r)),
              UnorderedElementsAre("exemption.fund_id", "exemption.reason", "exemption.end_date"));
  r.mutable_exemption()->set_end_date("30/11/2026");
  r.mutable_exemption()->set_reason("ok");
  r.mutable_exemption()->set_fund_id(101);
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::GrantExemption, r)),
              ElementsAre("exemption.end_date"));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ExemptionRpcsTest);

}  // namespace
}  // namespace riskcap::server
