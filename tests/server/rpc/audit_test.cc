// What HandleRpc audits (server/rpc/rpc.h), against a real server on both backends: request ids are
// bounded before anything is written, failed authentication is counted per peer and minute, audit
// details are bounded, and page tokens are bound to their method and filters.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "server/admin/admin_service.h"
#include "server/funds/fund_service.h"
#include "server/margin/margin_service.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/service_fixture.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::ServiceFixture;
using ::riskcap::testing::TestServer;
using ::riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const std::string kHugeId(5 * 1024 * 1024, 'r');

class AuditTest : public ServiceFixture<v1::AdminService> {
 protected:
  std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) override {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<AdminServiceImpl>(env));
    services.push_back(std::make_unique<FundServiceImpl>(env));
    services.push_back(std::make_unique<MarginServiceImpl>(env));
    return services;
  }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServiceFixture::SetUp());
    funds_ = v1::FundService::NewStub(server_->channel());
    margins_ = v1::MarginService::NewStub(server_->channel());
  }

  static v1::SubmitMarginRequest Submission(const std::string& id) {
    v1::SubmitMarginRequest r;
    r.set_request_id(id);
    r.set_fund_id(101);
    r.set_reference_date("2026-11-20");
    r.set_local_margin("1500000.25");
    r.set_offshore_margin("0");
    r.set_methodology("Historical VaR 99%");
    return r;
  }

  static v1::UpdateFundRequest Rename(const std::string& id, const std::string& name) {
    v1::UpdateFundRequest r;
    r.set_request_id(id);
    r.mutable_fund()->set_fund_id(101);
    r.mutable_fund()->set_name(name);
    r.mutable_update_mask()->add_paths("name");
    return r;
  }

  template <typename StubT, typename Req, typename Resp>
  static grpc::Status CallWith(StubT& stub, const std::string& key,
                               grpc::Status (StubT::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                               const Req& request, Resp* out = nullptr) {
    grpc::ClientContext ctx;
    if (!key.empty()) TestServer::Authorize(ctx, key);
    Resp ignored;
    return (stub.*rpc)(&ctx, request, out != nullptr ? out : &ignored);
  }

  db::Store::AuditLogSize AuditSize() {
    auto size = server_->store().MeasureAuditLog();
    EXPECT_TRUE(size.ok()) << size.status();
    return size.ok() ? *size : db::Store::AuditLogSize{-1, -1};
  }

  std::vector<AuthFailure> Failures() {
    EXPECT_TRUE(server_->auth().FlushFailures().ok());
    auto rows = server_->store().ListAuthFailures(absl::InfinitePast());
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<AuthFailure>{};
  }

  std::vector<AuditRecord> Audit() {
    auto rows = server_->store().ListAudit({0, 1000});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<AuditRecord>{};
  }

  std::unique_ptr<v1::FundService::Stub> funds_;
  std::unique_ptr<v1::MarginService::Stub> margins_;
};

void ExpectRequestIdRefused(const grpc::Status& st, const std::string& what) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what << ": "
                                                                 << st.error_message();
  EXPECT_THAT(ViolatedFields(st), ElementsAre("request_id")) << what;
  EXPECT_LT(st.error_message().size(), 1000u) << what << ": the id is not echoed";
}

TEST_P(AuditTest, OversizedRequestIdIsRefusedBeforeAuthenticationAndWritesNothing) {
  const db::Store::AuditLogSize before = AuditSize();
  for (int i = 0; i < 3; ++i) {
    ExpectRequestIdRefused(
        CallWith(*margins_, "", &v1::MarginService::Stub::SubmitMargin, Submission(kHugeId)),
        "SubmitMargin without a key");
  }
  ExpectRequestIdRefused(
      CallWith(*margins_, "rk_wrong", &v1::MarginService::Stub::SubmitMargin, Submission(kHugeId)),
      "SubmitMargin with a wrong key");
  ExpectRequestIdRefused(CallWith(*margins_, manager1_, &v1::MarginService::Stub::SubmitMargin,
                                  Submission(kHugeId)),
                         "SubmitMargin with a good key");
  v1::CreateApiKeyRequest create;
  create.set_request_id(kHugeId);
  create.set_label("x");
  create.set_role(v1::ROLE_ANALYST);
  ExpectRequestIdRefused(Call("", &Stub::CreateApiKey, create), "CreateApiKey without a key");
  ExpectRequestIdRefused(CallWith(*funds_, admin_, &v1::FundService::Stub::UpdateFund,
                                  Rename(kHugeId, "Renamed")),
                         "UpdateFund as admin");
  ExpectRequestIdRefused(CallWith(*funds_, admin_, &v1::FundService::Stub::UpdateFund,
                                  Rename(std::string("ok\x01id", 5), "Renamed")),
                         "a control character");
  v1::SubmitMarginsRequest batch;
  *batch.add_submissions() = Submission(kHugeId);
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, manager1_);
  v1::SubmitMarginsResponse batch_out;
  auto writer = margins_->SubmitMargins(&ctx, &batch_out);
  writer->Write(batch);
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_THAT(batch_out.results(), SizeIs(1));
  EXPECT_EQ(batch_out.rejected_count(), 1);

  const db::Store::AuditLogSize after = AuditSize();
  EXPECT_EQ(after.rows, before.rows + 1) << "only the batch's own summary record";
  EXPECT_LT(after.bytes - before.bytes, 200);
  EXPECT_THAT(Failures(), SizeIs(0)) << "refused before authentication was even tried";
  auto fund = server_->store().GetFund(101);
  ASSERT_TRUE(fund.ok());
  EXPECT_NE(fund->name, "Renamed");
}

TEST_P(AuditTest, FiveHundredFailedAuthenticationsAreOneCountedRow) {
  const db::Store::AuditLogSize before = AuditSize();
  for (int i = 0; i < 500; ++i) {
    grpc::Status st = CallWith(*margins_, i % 2 == 0 ? "" : "rk_wrong",
                               &v1::MarginService::Stub::SubmitMargin,
                               Submission(absl::StrCat("flood-", i)));
    ASSERT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  }
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(CallWith(*funds_, "rk_wrong", &v1::FundService::Stub::UpdateFund,
                       Rename(absl::StrCat("u-", i), "x"))
                  .error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  std::vector<AuthFailure> rows = Failures();
  ASSERT_THAT(rows, SizeIs(2));  // the fake clock stays in one minute
  for (const AuthFailure& f : rows) {
    EXPECT_EQ(f.peer, "ipv4:127.0.0.1") << "the port is dropped: connections count together";
    if (f.method == "MarginService/SubmitMargin") {
      EXPECT_EQ(f.failures, 500);
    } else {
      EXPECT_EQ(f.method, "FundService/UpdateFund");
      EXPECT_EQ(f.failures, 7);
      EXPECT_EQ(f.last_reason, "unknown API key");
    }
  }
  const db::Store::AuditLogSize after = AuditSize();
  EXPECT_EQ(after.rows, before.rows) << "no audit record per failed call";

  // The next minute starts a new row.
  server_->clock().Advance(absl::Minutes(1));
  ASSERT_EQ(CallWith(*margins_, "", &v1::MarginService::Stub::SubmitMargin, Submission("late"))
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(Failures(), SizeIs(3));
}

TEST_P(AuditTest, AuditDetailIsCutToItsBoundWithAMarker) {
  v1::CreateApiKeyRequest r;
  r.set_request_id("long-label");
  r.set_label(std::string(100 * 1024, 'L') + "\n\xc3\xa9");  // ends in "\né"
  r.set_role(v1::ROLE_ANALYST);
  grpc::Status st = Call(admin_, &Stub::CreateApiKey, r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<AuditRecord> audit = Audit();
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].outcome, "INVALID_ARGUMENT");
  EXPECT_LE(audit[0].detail.size(), kMaxAuditDetail);
  EXPECT_TRUE(absl::StartsWith(audit[0].detail, "label=LLLL")) << audit[0].detail;
  EXPECT_THAT(audit[0].detail, HasSubstr(absl::StrCat("[cut; ", 6 + 100 * 1024 + 3,
                                                      " bytes in all]")));
  EXPECT_EQ(BoundedAuditDetail("a\nb\xff"), "a\\nb\\xff");
}

TEST_P(AuditTest, AMutatingCallCommitsExactlyOneAuditRecordWithItsChange) {
  v1::Fund out;
  ASSERT_TRUE(CallWith(*funds_, admin_, &v1::FundService::Stub::UpdateFund,
                       Rename("rename-1", "Renamed Fund"), &out)
                  .ok());
  ASSERT_TRUE(CallWith(*funds_, admin_, &v1::FundService::Stub::UpdateFund,
                       Rename("rename-1", "Renamed Fund"), &out)
                  .ok());
  std::vector<std::string> seen;
  for (const AuditRecord& a : Audit()) {
    seen.push_back(absl::StrCat(a.method, " ", a.request_id, " ", a.outcome, " ", a.detail));
  }
  EXPECT_THAT(seen, ElementsAre("FundService/UpdateFund rename-1 OK fund=101 fields=name",
                                "FundService/UpdateFund rename-1 OK fund=101 fields=name replayed"));
}

// ---- Page tokens ----

std::string NextFundsToken(v1::FundService::Stub& stub, const std::string& key,
                           v1::ListFundsRequest r) {
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, key);
  v1::ListFundsResponse out;
  grpc::Status st = stub.ListFunds(&ctx, r, &out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return out.next_page_token();
}

void ExpectTokenRefused(const grpc::Status& st, const std::string& what) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << what;
  EXPECT_THAT(ViolatedFields(st), ElementsAre("page_token")) << what;
}

TEST_P(AuditTest, PageTokenContinuesOnlyItsOwnQuery) {
  v1::ListFundsRequest first;
  first.set_include_inactive(true);
  first.set_page_size(1);
  const std::string token = NextFundsToken(*funds_, admin_, first);
  ASSERT_FALSE(token.empty());

  v1::ListFundsRequest next = first;
  next.set_page_token(token);
  v1::ListFundsResponse page2;
  grpc::Status st = CallWith(*funds_, admin_, &v1::FundService::Stub::ListFunds, next, &page2);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_THAT(page2.funds(), SizeIs(1));
  EXPECT_EQ(page2.funds(0).fund_id(), 102);
  next.set_page_size(5);  // the size may change between pages
  EXPECT_TRUE(CallWith(*funds_, admin_, &v1::FundService::Stub::ListFunds, next).ok());

  v1::ListFundsRequest other_filter = next;
  other_filter.set_include_inactive(false);
  ExpectTokenRefused(CallWith(*funds_, admin_, &v1::FundService::Stub::ListFunds, other_filter),
                     "the same method with another filter");
  v1::ListSubmissionsRequest other_method;
  other_method.set_page_token(token);
  ExpectTokenRefused(CallWith(*margins_, admin_, &v1::MarginService::Stub::ListSubmissions,
                              other_method),
                     "a ListFunds token on ListSubmissions");
  for (const std::string& forged :
       {absl::WebSafeBase64Escape("p1:101"), absl::WebSafeBase64Escape("p1:0"),
        absl::WebSafeBase64Escape("p2:101:00000000000000000000000000000000"),
        token.substr(0, token.size() - 2) + (token.back() == 'A' ? "BB" : "AA"),
        std::string("not base64!"), std::string(100000, 'A')}) {
    v1::ListFundsRequest r = first;
    r.set_page_token(forged);
    ExpectTokenRefused(CallWith(*funds_, admin_, &v1::FundService::Stub::ListFunds, r),
                       absl::StrCat("forged ", forged.substr(0, 40)));
  }
}

TEST_P(AuditTest, PageTokenFromAnotherDatabaseIsRefused) {
  v1::ListFundsRequest first;
  first.set_include_inactive(true);
  first.set_page_size(1);
  const std::string token = NextFundsToken(*funds_, admin_, first);
  ASSERT_FALSE(token.empty());
  auto other = TestServer::Start(GetParam(), [](RpcEnv& env) {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<FundServiceImpl>(env));
    return services;
  });
  ASSERT_TRUE(other.ok()) << other.status();
  const std::string key = (*other)->CreateKey(Role::kAdmin);
  auto stub = v1::FundService::NewStub((*other)->channel());
  v1::ListFundsRequest r = first;
  r.set_page_token(token);
  ExpectTokenRefused(CallWith(*stub, key, &v1::FundService::Stub::ListFunds, r),
                     "another server's key");
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(AuditTest);

}  // namespace
}  // namespace riskcap::server
