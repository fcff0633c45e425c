// MarginService against a real server on both backends: submission, idempotency, review, scope.
#include "server/margin/margin_service.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "db/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class MarginServiceTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(GetParam(), [](RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      services.push_back(std::make_unique<MarginServiceImpl>(env));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    stub_ = v1::MarginService::NewStub(server_->channel());
    manager1_ = server_->CreateKey(Role::kManager, 1);
    manager2_ = server_->CreateKey(Role::kManager, 2);
    service_ = server_->CreateKey(Role::kService);
    analyst_ = server_->CreateKey(Role::kAnalyst);
    admin_ = server_->CreateKey(Role::kAdmin);
  }

  static v1::SubmitMarginRequest Request(const std::string& id, int64_t fund = 101,
                                         const std::string& local = "1500000.25") {
    v1::SubmitMarginRequest r;
    r.set_request_id(id);
    r.set_fund_id(fund);
    r.set_reference_date("2026-11-20");
    r.set_local_margin(local);
    r.set_offshore_margin("250000");
    r.set_methodology("Historical VaR 99%, 10-day horizon");
    return r;
  }

  grpc::Status Submit(const std::string& key, const v1::SubmitMarginRequest& r,
                      v1::SubmissionReceipt* receipt) {
    grpc::ClientContext ctx;
    riskcap::testing::TestServer::Authorize(ctx, key);
    return stub_->SubmitMargin(&ctx, r, receipt);
  }

  grpc::Status Get(const std::string& key, int64_t id, v1::MarginSubmission* out) {
    grpc::ClientContext ctx;
    riskcap::testing::TestServer::Authorize(ctx, key);
    v1::GetSubmissionRequest r;
    r.set_submission_id(id);
    return stub_->GetSubmission(&ctx, r, out);
  }

  std::vector<int64_t> ListIds(const std::string& key, v1::ListSubmissionsRequest r) {
    std::vector<int64_t> ids;
    while (true) {
      grpc::ClientContext ctx;
      riskcap::testing::TestServer::Authorize(ctx, key);
      v1::ListSubmissionsResponse resp;
      grpc::Status st = stub_->ListSubmissions(&ctx, r, &resp);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& s : resp.submissions()) ids.push_back(s.submission_id());
      if (!st.ok() || resp.next_page_token().empty()) return ids;
      r.set_page_token(resp.next_page_token());
    }
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::unique_ptr<v1::MarginService::Stub> stub_;
  std::string manager1_, manager2_, service_, analyst_, admin_;
};

TEST_P(MarginServiceTest, SubmitReturnsADurableReceiptAndGetReadsItBack) {
  v1::SubmissionReceipt receipt;
  ASSERT_TRUE(Submit(manager1_, Request("req-1"), &receipt).ok());
  EXPECT_GT(receipt.submission_id(), 0);
  EXPECT_FALSE(receipt.replayed());
  EXPECT_EQ(receipt.content_hash(),
            db::Sha256Hex("fund_id=101\nreference_date=2026-11-20\nlocal_margin=1500000.25\n"
                          "offshore_margin=250000.00\nmethodology=Historical VaR 99%, 10-day horizon"));
  EXPECT_EQ(receipt.receive_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));
  v1::MarginSubmission got;
  ASSERT_TRUE(Get(analyst_, receipt.submission_id(), &got).ok());
  EXPECT_EQ(got.fund_id(), 101);
  EXPECT_EQ(got.manager_id(), 1);
  EXPECT_EQ(got.reference_date(), "2026-11-20");
  EXPECT_EQ(got.local_margin(), "1500000.25");
  EXPECT_EQ(got.offshore_margin(), "250000.00");
  EXPECT_EQ(got.consolidated_margin(), "1750000.25");
  EXPECT_EQ(got.state(), v1::SUBMISSION_STATE_RECEIVED);
  EXPECT_EQ(got.request_id(), "req-1");
  EXPECT_EQ(got.content_hash(), receipt.content_hash());
  EXPECT_EQ(got.submitted_by().rfind("key:", 0), 0u);
}

TEST_P(MarginServiceTest, ReceiptCarriesTheNextDueDateFromExposureAndAudience) {
  // Fund 101 (GENERAL audience) holds OTC derivatives: due every 7 days. Fund 201 is not exposed.
  FundExposure otc;
  otc.fund_id = 101;
  otc.position_date = Date(2026, 11, 23);
  otc.otc = true;
  otc.otc_option_count = 1;
  db::NewVersion load;
  load.reference_date = otc.position_date;
  load.content_hash = "h";
  load.source = "test";
  ASSERT_TRUE(server_->store().WriteExposure(load, {otc}).ok());
  v1::SubmissionReceipt exposed, not_exposed;
  ASSERT_TRUE(Submit(manager1_, Request("due-1"), &exposed).ok());
  EXPECT_EQ(exposed.next_due_date(), "2026-12-01");  // submitted 2026-11-24 + 7
  ASSERT_TRUE(Submit(manager2_, Request("due-2", 201), &not_exposed).ok());
  EXPECT_EQ(not_exposed.next_due_date(), "");
  v1::SubmissionReceipt replay;
  ASSERT_TRUE(Submit(manager1_, Request("due-1"), &replay).ok());
  EXPECT_EQ(replay.next_due_date(), "2026-12-01");
}

TEST_P(MarginServiceTest, BadFieldsAreAllNamedAndNothingIsStored) {
  v1::SubmitMarginRequest r = Request("bad id!", 0, "-1");
  r.set_reference_date("2026-11-25");  // tomorrow for the fake clock
  r.set_offshore_margin("1.0000001");
  r.set_methodology("");
  v1::SubmissionReceipt receipt;
  grpc::Status st = Submit(service_, r, &receipt);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(riskcap::testing::ViolatedFields(st),
              UnorderedElementsAre("request_id", "fund_id", "reference_date", "local_margin",
                                   "offshore_margin", "methodology"));
  EXPECT_TRUE(ListIds(admin_, {}).empty());
}

TEST_P(MarginServiceTest, UnknownInactiveAndForeignFunds) {
  v1::SubmissionReceipt receipt;
  EXPECT_EQ(Submit(service_, Request("a", 999), &receipt).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Submit(service_, Request("b", 102), &receipt).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // A MANAGER key cannot tell another manager's fund from a missing one.
  grpc::Status foreign = Submit(manager1_, Request("c", 201), &receipt);
  grpc::Status missing = Submit(manager1_, Request("d", 999), &receipt);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(foreign.error_message().substr(0, 5), missing.error_message().substr(0, 5));
  EXPECT_EQ(Submit(analyst_, Request("e"), &receipt).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Submit("rk_not_a_key", Request("f"), &receipt).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_P(MarginServiceTest, SameRequestIdReplaysSameContentAndRefusesDifferentContent) {
  v1::SubmissionReceipt first, replay, conflict;
  ASSERT_TRUE(Submit(manager1_, Request("idem-1", 101, "1000"), &first).ok());
  ASSERT_TRUE(Submit(manager1_, Request("idem-1", 101, "1000.000"), &replay).ok());
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.submission_id(), first.submission_id());
  EXPECT_EQ(replay.content_hash(), first.content_hash());
  EXPECT_EQ(replay.receive_time().seconds(), first.receive_time().seconds());
  grpc::Status st = Submit(manager1_, Request("idem-1", 101, "1001"), &conflict);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ListIds(admin_, {}).size(), 1u);
}

TEST_P(MarginServiceTest, ConcurrentDuplicatesStoreExactlyOneRecord) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<int64_t> ids(kThreads, -1);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::SubmissionReceipt receipt;
      if (Submit(manager1_, Request("race"), &receipt).ok()) ids[i] = receipt.submission_id();
    });
  }
  for (auto& t : threads) t.join();
  for (int64_t id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_THAT(ListIds(admin_, {}), ElementsAre(ids[0]));
}

TEST_P(MarginServiceTest, ALaterSubmissionSupersedesButNeverErases) {
  v1::SubmissionReceipt a, b;
  ASSERT_TRUE(Submit(manager1_, Request("v1", 101, "10"), &a).ok());
  ASSERT_TRUE(Submit(manager1_, Request("v2", 101, "20"), &b).ok());
  EXPECT_NE(a.submission_id(), b.submission_id());
  v1::ListSubmissionsRequest by_fund;
  by_fund.set_fund_id(101);
  EXPECT_THAT(ListIds(analyst_, by_fund), UnorderedElementsAre(a.submission_id(), b.submission_id()));
}

TEST_P(MarginServiceTest, BatchGivesOneResultPerItem) {
  grpc::ClientContext ctx;
  riskcap::testing::TestServer::Authorize(ctx, manager1_);
  v1::SubmitMarginsResponse response;
  auto writer = stub_->SubmitMargins(&ctx, &response);
  v1::SubmitMarginsRequest chunk1, chunk2;
  *chunk1.add_submissions() = Request("b-1");
  *chunk1.add_submissions() = Request("b-2", 101, "-5");
  *chunk2.add_submissions() = Request("b-3", 201);
  *chunk2.add_submissions() = Request("b-1");  // replay inside the batch
  ASSERT_TRUE(writer->Write(chunk1));
  ASSERT_TRUE(writer->Write(chunk2));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.accepted_count(), 2);
  EXPECT_EQ(response.rejected_count(), 2);
  EXPECT_TRUE(response.results(0).has_receipt());
  EXPECT_EQ(response.results(1).error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(response.results(1).error().field_violations_size(), 1);
  EXPECT_EQ(response.results(1).error().field_violations(0).field(), "local_margin");
  EXPECT_EQ(response.results(2).error().code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(response.results(3).receipt().replayed());
  EXPECT_EQ(response.results(3).receipt().submission_id(), response.results(0).receipt().submission_id());
  EXPECT_EQ(response.results(2).index(), 2);
  EXPECT_EQ(response.results(2).request_id(), "b-3");
}

TEST_P(MarginServiceTest, ManagersListOnlyTheirOwnSubmissions) {
  v1::SubmissionReceipt own, other;
  ASSERT_TRUE(Submit(manager1_, Request("m1"), &own).ok());
  ASSERT_TRUE(Submit(manager2_, Request("m2", 201), &other).ok());
  EXPECT_THAT(ListIds(manager1_, {}), ElementsAre(own.submission_id()));
  EXPECT_THAT(ListIds(manager2_, {}), ElementsAre(other.submission_id()));
  EXPECT_THAT(ListIds(analyst_, {}), UnorderedElementsAre(own.submission_id(), other.submission_id()));
  v1::MarginSubmission got;
  EXPECT_EQ(Get(manager1_, other.submission_id(), &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(manager1_, 987654, &got).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(analyst_, 987654, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_P(MarginServiceTest, ListPaginatesWithoutOverlapOrGaps) {
  std::vector<int64_t> created;
  for (int i = 0; i < 7; ++i) {
    v1::SubmissionReceipt r;
    ASSERT_TRUE(Submit(service_, Request(absl::StrCat("p", i)), &r).ok());
    created.push_back(r.submission_id());
  }
  v1::ListSubmissionsRequest req;
  req.set_page_size(3);
  std::vector<int64_t> listed = ListIds(analyst_, req);
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(listed, created);
  req.set_page_token("garbage");
  grpc::ClientContext ctx;
  riskcap::testing::TestServer::Authorize(ctx, analyst_);
  v1::ListSubmissionsResponse resp;
  grpc::Status st = stub_->ListSubmissions(&ctx, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(riskcap::testing::ViolatedFields(st), ElementsAre("page_token"));
}

TEST_P(MarginServiceTest, AnalystsValidateAndRejectOnce) {
  v1::SubmissionReceipt a, b;
  ASSERT_TRUE(Submit(manager1_, Request("r1"), &a).ok());
  ASSERT_TRUE(Submit(manager1_, Request("r2"), &b).ok());
  auto decide = [&](const std::string& key, bool validate, int64_t id, const std::string& reason,
                    v1::MarginSubmission* out) {
    grpc::ClientContext ctx;
    riskcap::testing::TestServer::Authorize(ctx, key);
    if (validate) {
      v1::ValidateSubmissionRequest r;
      r.set_request_id(absl::StrCat("val-", id));
      r.set_submission_id(id);
      r.set_reason(reason);
      return stub_->ValidateSubmission(&ctx, r, out);
    }
    v1::RejectSubmissionRequest r;
    r.set_request_id(absl::StrCat("rej-", id));
    r.set_submission_id(id);
    r.set_reason(reason);
    return stub_->RejectSubmission(&ctx, r, out);
  };
  v1::MarginSubmission out;
  EXPECT_EQ(decide(manager1_, true, a.submission_id(), "", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(decide(analyst_, true, a.submission_id(), "checked", &out).ok());
  EXPECT_EQ(out.state(), v1::SUBMISSION_STATE_VALIDATED);
  EXPECT_EQ(out.decision_reason(), "checked");
  ASSERT_TRUE(decide(analyst_, true, a.submission_id(), "checked", &out).ok());  // retry: same answer
  EXPECT_EQ(decide(analyst_, false, a.submission_id(), "too low", &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::Status no_reason = decide(analyst_, false, b.submission_id(), "", &out);
  EXPECT_EQ(no_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(riskcap::testing::ViolatedFields(no_reason), ElementsAre("reason"));
  ASSERT_TRUE(decide(admin_, false, b.submission_id(), "margin below exchange requirement", &out).ok());
  EXPECT_EQ(out.state(), v1::SUBMISSION_STATE_REJECTED);
  EXPECT_TRUE(out.has_decision_time());
}

// Every authenticated mutating call; a call that fails authentication is counted per peer and
// minute instead (docs/security.md, "What is audited").
TEST_P(MarginServiceTest, EveryMutatingCallIsAudited) {
  v1::SubmissionReceipt receipt;
  ASSERT_TRUE(Submit(manager1_, Request("aud-1"), &receipt).ok());
  EXPECT_FALSE(Submit(manager1_, Request("aud-2", 201), &receipt).ok());
  EXPECT_FALSE(Submit("rk_wrong", Request("aud-3"), &receipt).ok());
  auto audit = server_->store().ListAudit({0, 100});
  ASSERT_TRUE(audit.ok()) << audit.status();
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].method, "MarginService/SubmitMargin");
  EXPECT_EQ((*audit)[0].request_id, "aud-1");
  EXPECT_EQ((*audit)[0].outcome, "OK");
  EXPECT_EQ((*audit)[1].outcome, "PERMISSION_DENIED");
  ASSERT_TRUE(server_->auth().FlushFailures().ok());
  auto failures = server_->store().ListAuthFailures(absl::InfinitePast());
  ASSERT_TRUE(failures.ok()) << failures.status();
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].method, "MarginService/SubmitMargin");
  EXPECT_EQ((*failures)[0].failures, 1);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(MarginServiceTest);

}  // namespace
}  // namespace riskcap::server
