// Every RPC x every role against the real server: who may call what, and that a MANAGER key
// never reaches another manager's data (nor learns whether it exists).
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/ingest.grpc.pb.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"
#include "server/rpc/service_set.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using Code = grpc::StatusCode;
using riskcap::testing::TestServer;

struct Stubs {
  std::unique_ptr<v1::MarginService::Stub> margin;
  std::unique_ptr<v1::FundService::Stub> fund;
  std::unique_ptr<v1::AdminService::Stub> admin;
  std::unique_ptr<v1::SnapshotService::Stub> snapshot;
  std::unique_ptr<v1::IngestService::Stub> ingest;
};

// Makes one call. `salt` keeps ids unique per caller; `fund` is the fund the call is about.
using Call = std::function<grpc::Status(Stubs&, grpc::ClientContext&, int salt, int64_t fund)>;

struct Rpc {
  const char* name;
  std::vector<Role> allowed;  // besides ADMIN, which may call everything
  Code allowed_code;          // what an allowed caller gets for this valid request
  bool fund_scoped;           // a MANAGER naming another manager's fund is refused
  Call call;
};

template <typename Req>
void SetId(Req& r, const char* method, int salt) {
  r.set_request_id(absl::StrCat(method, "-", salt));
}

v1::SubmitMarginRequest Submission(int salt, int64_t fund) {
  v1::SubmitMarginRequest r;
  SetId(r, "submit", salt);
  r.set_fund_id(fund);
  r.set_reference_date("2026-11-20");
  r.set_local_margin("100");
  r.set_offshore_margin("0");
  r.set_methodology("VaR");
  return r;
}

// Opens a client stream, sends `first`, closes it and returns the final status.
template <typename Req, typename Resp, typename Open>
grpc::Status OneMessageStream(grpc::ClientContext& c, const Req& first, Open open) {
  Resp resp;
  auto writer = open(&c, &resp);
  writer->Write(first);
  writer->WritesDone();
  return writer->Finish();
}

constexpr Role M = Role::kManager, A = Role::kAnalyst, S = Role::kService;
const std::vector<Role> kAll = {M, A, S};

std::vector<Rpc> MarginRpcs() {
  return {
      {"SubmitMargin", {M, S}, Code::OK, true,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t fund) {
         v1::SubmissionReceipt r;
         return s.margin->SubmitMargin(&c, Submission(salt, fund), &r);
       }},
      {"SubmitMargins", {M, S}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t fund) {
         v1::SubmitMarginsRequest req;
         *req.add_submissions() = Submission(1000 + salt, fund);
         return OneMessageStream<v1::SubmitMarginsRequest, v1::SubmitMarginsResponse>(
             c, req, [&](auto* ctx, auto* resp) { return s.margin->SubmitMargins(ctx, resp); });
       }},
      {"GetSubmission", kAll, Code::OK, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::GetSubmissionRequest r;
         r.set_submission_id(fund == 101 ? 1 : 2);  // seeded: 1 is fund 101's, 2 fund 201's
         v1::MarginSubmission out;
         return s.margin->GetSubmission(&c, r, &out);
       }},
      {"ListSubmissions", kAll, Code::OK, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::ListSubmissionsRequest r;
         r.set_fund_id(fund);
         v1::ListSubmissionsResponse out;
         return s.margin->ListSubmissions(&c, r, &out);
       }},
      {"ValidateSubmission", {A}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t) {
         v1::ValidateSubmissionRequest r;
         SetId(r, "validate", salt);
         r.set_submission_id(1);
         v1::MarginSubmission out;
         return s.margin->ValidateSubmission(&c, r, &out);
       }},
      {"RejectSubmission", {A}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t) {
         v1::RejectSubmissionRequest r;
         SetId(r, "reject", salt);
         r.set_submission_id(2);
         r.set_reason("incomplete methodology");
         v1::MarginSubmission out;
         return s.margin->RejectSubmission(&c, r, &out);
       }},
  };
}

std::vector<Rpc> FundRpcs() {
  return {
      {"CreateManager", {}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t) {
         v1::CreateManagerRequest r;
         SetId(r, "cm", salt);
         r.mutable_manager()->set_manager_id(100 + salt);
         r.mutable_manager()->set_name(absl::StrCat("Gestora ", salt));
         r.mutable_manager()->set_tax_id("11444777000161");
         v1::Manager out;
         return s.fund->CreateManager(&c, r, &out);
       }},
      {"GetManager", kAll, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::GetManagerRequest r;
         r.set_manager_id(1);
         v1::Manager out;
         return s.fund->GetManager(&c, r, &out);
       }},
      {"ListManagers", {A, S}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::ListManagersResponse out;
         return s.fund->ListManagers(&c, v1::ListManagersRequest(), &out);
       }},
      {"GetFund", kAll, Code::OK, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::GetFundRequest r;
         r.set_fund_id(fund);
         v1::Fund out;
         return s.fund->GetFund(&c, r, &out);
       }},
      {"ListFunds", kAll, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::ListFundsResponse out;
         return s.fund->ListFunds(&c, v1::ListFundsRequest(), &out);
       }},
      {"GrantExemption", {A}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t fund) {
         v1::GrantExemptionRequest r;
         SetId(r, "grant", salt);
         r.mutable_exemption()->set_fund_id(fund);
         r.mutable_exemption()->set_reason(absl::StrCat("closing down ", salt));
         r.mutable_exemption()->set_start_date("2026-11-01");
         r.mutable_exemption()->set_end_date("2026-12-31");
         v1::Exemption out;
         return s.fund->GrantExemption(&c, r, &out);
       }},
      {"ListExemptions", kAll, Code::OK, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::ListExemptionsRequest r;
         r.set_fund_id(fund);
         v1::ListExemptionsResponse out;
         return s.fund->ListExemptions(&c, r, &out);
       }},
  };
}

std::vector<Rpc> AdminRpcs() {
  return {
      {"CreateApiKey", {}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int salt, int64_t) {
         v1::CreateApiKeyRequest r;
         SetId(r, "key", salt);
         r.set_label(absl::StrCat("bi-", salt));
         r.set_role(v1::ROLE_SERVICE);
         v1::CreateApiKeyResponse out;
         return s.admin->CreateApiKey(&c, r, &out);
       }},
      {"ListApiKeys", {}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::ListApiKeysResponse out;
         return s.admin->ListApiKeys(&c, v1::ListApiKeysRequest(), &out);
       }},
      {"ListAuditRecords", {A}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::ListAuditRecordsResponse out;
         return s.admin->ListAuditRecords(&c, v1::ListAuditRecordsRequest(), &out);
       }},
      {"GetServerInfo", kAll, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::ServerInfo out;
         return s.admin->GetServerInfo(&c, v1::GetServerInfoRequest(), &out);
       }},
      // The in-process server has no sealer, hence no signing key.
      {"GetAuditHead", {A}, Code::FAILED_PRECONDITION, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::AuditCheckpoint out;
         return s.admin->GetAuditHead(&c, v1::GetAuditHeadRequest(), &out);
       }},
      {"VerifyAuditLog", {A}, Code::OK, false,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t) {
         v1::AuditVerification out;
         return s.admin->VerifyAuditLog(&c, v1::VerifyAuditLogRequest(), &out);
       }},
  };
}

std::vector<Rpc> SnapshotRpcs() {
  // No snapshot is loaded: an allowed caller learns NOT_FOUND, a refused one learns nothing.
  return {
      {"GetNavSnapshot", kAll, Code::NOT_FOUND, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::GetNavSnapshotRequest r;
         r.set_fund_id(fund);
         v1::NavSnapshot out;
         return s.snapshot->GetNavSnapshot(&c, r, &out);
       }},
      {"ListPositions", kAll, Code::NOT_FOUND, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::ListPositionsRequest r;
         r.set_fund_id(fund);
         v1::ListPositionsResponse out;
         return s.snapshot->ListPositions(&c, r, &out);
       }},
      {"GetExposure", kAll, Code::NOT_FOUND, true,
       [](Stubs& s, grpc::ClientContext& c, int, int64_t fund) {
         v1::GetExposureRequest r;
         r.set_fund_id(fund);
         v1::FundExposure out;
         return s.snapshot->GetExposure(&c, r, &out);
       }},
  };
}

std::vector<Rpc> IngestRpcs() {
  // An upload with a header and no rows is a quarantined empty feed for an allowed caller.
  auto header = [](auto& req, int salt) {
    req.mutable_header()->set_request_id(absl::StrCat("up-", salt));
    req.mutable_header()->set_reference_date("2026-11-20");
    req.mutable_header()->set_source("matrix-test");
  };
  return {
      {"UploadPositions", {S}, Code::FAILED_PRECONDITION, false,
       [header](Stubs& s, grpc::ClientContext& c, int salt, int64_t) {
         v1::UploadPositionsRequest req;
         header(req, salt);
         return OneMessageStream<v1::UploadPositionsRequest, v1::UploadResponse>(
             c, req, [&](auto* ctx, auto* resp) { return s.ingest->UploadPositions(ctx, resp); });
       }},
      {"UploadNavSnapshots", {S}, Code::FAILED_PRECONDITION, false,
       [header](Stubs& s, grpc::ClientContext& c, int salt, int64_t) {
         v1::UploadNavSnapshotsRequest req;
         header(req, salt);
         return OneMessageStream<v1::UploadNavSnapshotsRequest, v1::UploadResponse>(
             c, req, [&](auto* ctx, auto* resp) { return s.ingest->UploadNavSnapshots(ctx, resp); });
       }},
  };
}

class AuthorizationMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(db::Backend::kSqlite, [](RpcEnv& env) { return MakeServices(env); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    keys_[Role::kManager] = server_->CreateKey(Role::kManager, 1);
    keys_[Role::kAnalyst] = server_->CreateKey(Role::kAnalyst);
    keys_[Role::kService] = server_->CreateKey(Role::kService);
    keys_[Role::kAdmin] = server_->CreateKey(Role::kAdmin);
    auto ch = server_->channel();
    stubs_ = {v1::MarginService::NewStub(ch), v1::FundService::NewStub(ch),
              v1::AdminService::NewStub(ch), v1::SnapshotService::NewStub(ch),
              v1::IngestService::NewStub(ch)};
    SeedSubmissions();
  }

  void SeedSubmissions() {  // submission 1 for fund 101 (manager 1), 2 for fund 201 (manager 2)
    for (int64_t fund : {101, 201}) {
      grpc::ClientContext ctx;
      TestServer::Authorize(ctx, keys_[Role::kService]);
      v1::SubmissionReceipt r;
      ASSERT_TRUE(stubs_.margin->SubmitMargin(&ctx, Submission(-static_cast<int>(fund), fund), &r).ok());
    }
  }

  grpc::Status Invoke(const Rpc& rpc, const std::string& key, int salt, int64_t fund) {
    grpc::ClientContext ctx;
    if (!key.empty()) TestServer::Authorize(ctx, key);
    return rpc.call(stubs_, ctx, salt, fund);
  }

  void Check(const std::vector<Rpc>& rpcs) {
    int salt = 0;
    for (const Rpc& rpc : rpcs) {
      EXPECT_EQ(Invoke(rpc, "", ++salt, 101).error_code(), Code::UNAUTHENTICATED) << rpc.name;
      EXPECT_EQ(Invoke(rpc, "rk_unknown", ++salt, 101).error_code(), Code::UNAUTHENTICATED) << rpc.name;
      for (const auto& [role, key] : keys_) {
        bool allowed = role == Role::kAdmin ||
                       std::find(rpc.allowed.begin(), rpc.allowed.end(), role) != rpc.allowed.end();
        grpc::Status st = Invoke(rpc, key, ++salt, 101);
        Code want = allowed ? rpc.allowed_code : Code::PERMISSION_DENIED;
        EXPECT_EQ(st.error_code(), want) << rpc.name << " as " << EnumName(role) << ": "
                                         << st.error_message();
      }
      if (rpc.fund_scoped) CheckForeignFund(rpc, salt);
    }
  }

  // A MANAGER key naming another manager's fund, or a fund that does not exist, gets the same
  // PERMISSION_DENIED: nothing leaks, not even existence.
  void CheckForeignFund(const Rpc& rpc, int& salt) {
    if (std::find(rpc.allowed.begin(), rpc.allowed.end(), Role::kManager) == rpc.allowed.end()) return;
    grpc::Status foreign = Invoke(rpc, keys_[Role::kManager], ++salt, 201);
    EXPECT_EQ(foreign.error_code(), Code::PERMISSION_DENIED) << rpc.name << " on a foreign fund";
    if (std::string(rpc.name) == "GetSubmission") return;  // addresses a submission, not a fund
    grpc::Status missing = Invoke(rpc, keys_[Role::kManager], ++salt, 999);
    EXPECT_EQ(missing.error_code(), Code::PERMISSION_DENIED) << rpc.name << " on a missing fund";
  }

  std::unique_ptr<TestServer> server_;
  std::map<Role, std::string> keys_;
  Stubs stubs_;
};

TEST_F(AuthorizationMatrix, MarginService) { Check(MarginRpcs()); }
TEST_F(AuthorizationMatrix, FundService) { Check(FundRpcs()); }
TEST_F(AuthorizationMatrix, AdminService) { Check(AdminRpcs()); }
TEST_F(AuthorizationMatrix, SnapshotService) { Check(SnapshotRpcs()); }
TEST_F(AuthorizationMatrix, IngestService) { Check(IngestRpcs()); }

// Listings a MANAGER key can make contain only its own manager's data.
TEST_F(AuthorizationMatrix, ManagerListingsNeverShowAnotherManagersData) {
  grpc::ClientContext c1, c2, c3;
  TestServer::Authorize(c1, keys_[Role::kManager]);
  TestServer::Authorize(c2, keys_[Role::kManager]);
  TestServer::Authorize(c3, keys_[Role::kManager]);
  v1::ListSubmissionsResponse subs;
  ASSERT_TRUE(stubs_.margin->ListSubmissions(&c1, v1::ListSubmissionsRequest(), &subs).ok());
  ASSERT_EQ(subs.submissions_size(), 1);
  EXPECT_EQ(subs.submissions(0).fund_id(), 101);
  v1::ListFundsResponse funds;
  ASSERT_TRUE(stubs_.fund->ListFunds(&c2, v1::ListFundsRequest(), &funds).ok());
  for (const auto& f : funds.funds()) EXPECT_EQ(f.manager_id(), 1) << f.fund_id();
  v1::ListExemptionsResponse exemptions;
  ASSERT_TRUE(stubs_.fund->ListExemptions(&c3, v1::ListExemptionsRequest(), &exemptions).ok());
  for (const auto& e : exemptions.exemptions()) EXPECT_NE(e.fund_id(), 201);
}

}  // namespace
}  // namespace riskcap::server
