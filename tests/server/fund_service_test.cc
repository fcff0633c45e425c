// FundService against a real server on both backends: managers, funds, exemptions, scope, audit.
#include "server/fund_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::TestServer;
using ::riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Code = grpc::StatusCode;
using Stub = v1::FundService::Stub;

v1::Fund NewFund(int64_t id, const std::string& tax_id, int64_t manager = 1) {
  v1::Fund f;
  f.set_fund_id(id);
  f.set_name("Fundo Exemplo FIM");
  f.set_tax_id(tax_id);
  f.set_manager_id(manager);
  f.set_regulatory_class(v1::REGULATORY_CLASS_MULTIMERCADO);
  f.set_target_audience(v1::TARGET_AUDIENCE_QUALIFIED);
  f.mutable_bylaws_margin_cap()->set_value(0.5);
  f.set_base_currency("BRL");
  f.set_active(true);
  return f;
}

class FundServiceTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(GetParam(), [](RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      services.push_back(std::make_unique<FundServiceImpl>(env));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    stub_ = v1::FundService::NewStub(server_->channel());
    manager1_ = server_->CreateKey(Role::kManager, 1);
    service_ = server_->CreateKey(Role::kService);
    analyst_ = server_->CreateKey(Role::kAnalyst);
    admin_ = server_->CreateKey(Role::kAdmin);
  }

  // Calls `rpc` with `key` (none when empty); the response lands in `*out` when given.
  template <typename Req, typename Resp>
  grpc::Status Call(const std::string& key,
                    grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& request, Resp* out = nullptr) {
    grpc::ClientContext ctx;
    if (!key.empty()) TestServer::Authorize(ctx, key);
    Resp ignored;
    return (stub_.get()->*rpc)(&ctx, request, out != nullptr ? out : &ignored);
  }

  grpc::Status CreateFund(const std::string& key, const v1::Fund& fund, v1::Fund* out = nullptr,
                          const std::string& request_id = "cf-1") {
    v1::CreateFundRequest r;
    r.set_request_id(request_id);
    *r.mutable_fund() = fund;
    return Call(key, &Stub::CreateFund, r, out);
  }

  grpc::Status UpdateFund(const v1::Fund& fund, std::vector<std::string> paths,
                          v1::Fund* out = nullptr) {
    v1::UpdateFundRequest r;
    r.set_request_id("uf-1");
    *r.mutable_fund() = fund;
    for (const auto& p : paths) r.mutable_update_mask()->add_paths(p);
    return Call(admin_, &Stub::UpdateFund, r, out);
  }

  std::vector<int64_t> FundIds(const std::string& key, v1::ListFundsRequest r) {
    std::vector<int64_t> ids;
    do {
      v1::ListFundsResponse resp;
      grpc::Status st = Call(key, &Stub::ListFunds, r, &resp);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& f : resp.funds()) ids.push_back(f.fund_id());
      r.set_page_token(resp.next_page_token());
    } while (!r.page_token().empty());
    return ids;
  }

  grpc::Status Grant(const std::string& key, int64_t fund, const std::string& request_id,
                     v1::Exemption* out = nullptr) {
    v1::GrantExemptionRequest r;
    r.set_request_id(request_id);
    r.mutable_exemption()->set_fund_id(fund);
    r.mutable_exemption()->set_reason("Positions closed; awaiting NAV confirmation");
    r.mutable_exemption()->set_start_date("2026-11-01");
    r.mutable_exemption()->set_end_date("2026-11-30");
    return Call(key, &Stub::GrantExemption, r, out);
  }

  grpc::Status Revoke(int64_t id, v1::Exemption* out = nullptr) {
    v1::RevokeExemptionRequest r;
    r.set_request_id(absl::StrCat("rx-", id));
    r.set_exemption_id(id);
    return Call(analyst_, &Stub::RevokeExemption, r, out);
  }

  std::vector<int64_t> ExemptionIds(const std::string& key, int64_t fund, bool revoked) {
    v1::ListExemptionsRequest r;
    r.set_fund_id(fund);
    r.set_include_revoked(revoked);
    v1::ListExemptionsResponse resp;
    EXPECT_TRUE(Call(key, &Stub::ListExemptions, r, &resp).ok());
    std::vector<int64_t> ids;
    for (const auto& e : resp.exemptions()) ids.push_back(e.exemption_id());
    return ids;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<Stub> stub_;
  std::string manager1_, service_, analyst_, admin_;
};

TEST_P(FundServiceTest, CreatesGetsAndPagesManagers) {
  v1::CreateManagerRequest create;
  create.set_request_id("cm-1");
  create.mutable_manager()->set_manager_id(7);
  create.mutable_manager()->set_name("Gama Capital");
  create.mutable_manager()->set_tax_id("11222333000181");
  v1::Manager created, got;
  ASSERT_TRUE(Call(admin_, &Stub::CreateManager, create, &created).ok());
  EXPECT_EQ(created.manager_id(), 7);
  v1::GetManagerRequest get;
  get.set_manager_id(7);
  ASSERT_TRUE(Call(analyst_, &Stub::GetManager, get, &got).ok());
  EXPECT_EQ(got.name(), "Gama Capital");
  EXPECT_EQ(got.tax_id(), "11222333000181");
  get.set_manager_id(8);
  EXPECT_EQ(Call(analyst_, &Stub::GetManager, get).error_code(), Code::NOT_FOUND);
  v1::ListManagersRequest list;
  list.set_page_size(2);
  v1::ListManagersResponse page1, page2;
  ASSERT_TRUE(Call(service_, &Stub::ListManagers, list, &page1).ok());
  ASSERT_EQ(page1.managers_size(), 2);
  EXPECT_EQ(page1.managers(1).manager_id(), 2);
  list.set_page_token(page1.next_page_token());
  ASSERT_TRUE(Call(service_, &Stub::ListManagers, list, &page2).ok());
  ASSERT_EQ(page2.managers_size(), 1);
  EXPECT_EQ(page2.managers(0).manager_id(), 7);
  EXPECT_TRUE(page2.next_page_token().empty());
}

TEST_P(FundServiceTest, ManagerFieldsAndConflictsAreNamed) {
  v1::CreateManagerRequest r;
  r.set_request_id("bad id!");
  r.mutable_manager()->set_tax_id("11.222.333/0001-81");  // punctuation is not accepted
  grpc::Status st = Call(admin_, &Stub::CreateManager, r);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), UnorderedElementsAre("request_id", "manager.manager_id",
                                                       "manager.name", "manager.tax_id"));
  r.set_request_id("cm-2");
  r.mutable_manager()->set_manager_id(3);
  r.mutable_manager()->set_name("Delta");
  for (const char* bad : {"11222333000182", "11111111111111", "1122233300018"}) {
    r.mutable_manager()->set_tax_id(bad);
    EXPECT_THAT(ViolatedFields(Call(admin_, &Stub::CreateManager, r)),
                ElementsAre("manager.tax_id"))
        << bad;
  }
  r.mutable_manager()->set_tax_id("11111111000191");  // manager 1's
  st = Call(admin_, &Stub::CreateManager, r);
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("manager.tax_id 11111111000191 is already registered "
                                            "to manager 1"));
  r.mutable_manager()->set_manager_id(1);
  EXPECT_EQ(Call(admin_, &Stub::CreateManager, r).error_code(), Code::ALREADY_EXISTS);
  r.mutable_manager()->set_name("Alpha Gestora");  // manager 1 exactly: a retry
  EXPECT_TRUE(Call(admin_, &Stub::CreateManager, r).ok());
}

TEST_P(FundServiceTest, UpdateManagerReplacesOnlyMaskedFields) {
  v1::UpdateManagerRequest r;
  r.set_request_id("um-1");
  r.mutable_manager()->set_manager_id(1);
  r.mutable_manager()->set_name("Alpha Gestora de Recursos");
  r.mutable_manager()->set_tax_id("not looked at");
  EXPECT_THAT(ViolatedFields(Call(admin_, &Stub::UpdateManager, r)), ElementsAre("update_mask"));
  r.mutable_update_mask()->add_paths("manager_id");
  EXPECT_THAT(ViolatedFields(Call(admin_, &Stub::UpdateManager, r)), ElementsAre("update_mask"));
  r.mutable_update_mask()->set_paths(0, "name");
  v1::Manager updated;
  ASSERT_TRUE(Call(admin_, &Stub::UpdateManager, r, &updated).ok());
  EXPECT_EQ(updated.name(), "Alpha Gestora de Recursos");
  EXPECT_EQ(updated.tax_id(), "11111111000191");
  r.mutable_manager()->set_manager_id(9);
  EXPECT_EQ(Call(admin_, &Stub::UpdateManager, r).error_code(), Code::NOT_FOUND);
}

TEST_P(FundServiceTest, CreatesAndReadsAFund) {
  v1::Fund created, got;
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161"), &created).ok());
  v1::GetFundRequest get;
  get.set_fund_id(301);
  ASSERT_TRUE(Call(analyst_, &Stub::GetFund, get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(got.regulatory_class(), v1::REGULATORY_CLASS_MULTIMERCADO);
  EXPECT_EQ(got.target_audience(), v1::TARGET_AUDIENCE_QUALIFIED);
  EXPECT_DOUBLE_EQ(got.bylaws_margin_cap().value(), 0.5);
  EXPECT_TRUE(got.active());
  v1::Fund no_cap = NewFund(302, "33555777000171");
  no_cap.clear_bylaws_margin_cap();
  ASSERT_TRUE(CreateFund(admin_, no_cap, &created, "cf-2").ok());
  EXPECT_FALSE(created.has_bylaws_margin_cap());
  get.set_fund_id(999);
  EXPECT_EQ(Call(analyst_, &Stub::GetFund, get).error_code(), Code::NOT_FOUND);
}

TEST_P(FundServiceTest, EveryBadFundFieldIsAViolation) {
  v1::Fund bad;
  bad.mutable_bylaws_margin_cap()->set_value(1.5);
  bad.set_base_currency("brl");
  grpc::Status st = CreateFund(admin_, bad);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st),
              UnorderedElementsAre("fund.fund_id", "fund.name", "fund.tax_id", "fund.manager_id",
                                   "fund.regulatory_class", "fund.target_audience",
                                   "fund.bylaws_margin_cap", "fund.base_currency"));
  v1::Fund zero_cap = NewFund(301, "11444777000161");
  zero_cap.mutable_bylaws_margin_cap()->set_value(0);
  EXPECT_THAT(ViolatedFields(CreateFund(admin_, zero_cap)), ElementsAre("fund.bylaws_margin_cap"));
  st = CreateFund(admin_, NewFund(301, "11444777000161", 99));
  EXPECT_THAT(ViolatedFields(st), ElementsAre("fund.manager_id"));
  EXPECT_THAT(st.error_message(), HasSubstr("manager 99 does not exist"));
}

TEST_P(FundServiceTest, FundIdAndTaxIdConflictsButIdenticalRetrySucceeds) {
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161")).ok());
  EXPECT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161")).ok());  // same content: a retry
  grpc::Status st = CreateFund(admin_, NewFund(301, "33555777000171"));
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("fund.fund_id 301"));
  st = CreateFund(admin_, NewFund(302, "11444777000161"));
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("fund.tax_id 11444777000161 is already registered "
                                            "to fund 301"));
}

TEST_P(FundServiceTest, UpdateFundAppliesTheMask) {
  v1::Fund change = NewFund(101, "ignored", 2);
  change.clear_bylaws_margin_cap();
  change.set_active(false);
  v1::Fund updated;
  ASSERT_TRUE(UpdateFund(change, {"manager_id", "bylaws_margin_cap", "active"}, &updated).ok());
  EXPECT_EQ(updated.manager_id(), 2);
  EXPECT_FALSE(updated.has_bylaws_margin_cap());
  EXPECT_FALSE(updated.active());
  EXPECT_EQ(updated.name(), "Fund 101");  // not in the mask
  change.set_manager_id(42);
  EXPECT_THAT(ViolatedFields(UpdateFund(change, {"manager_id"})), ElementsAre("fund.manager_id"));
  EXPECT_THAT(ViolatedFields(UpdateFund(change, {"fund_id"})), ElementsAre("update_mask"));
  change.set_fund_id(999);
  EXPECT_EQ(UpdateFund(change, {"active"}).error_code(), Code::NOT_FOUND);
}

TEST_P(FundServiceTest, ListFundsFiltersAndPages) {
  v1::ListFundsRequest r;
  EXPECT_THAT(FundIds(analyst_, r), ElementsAre(101, 201));
  r.set_include_inactive(true);
  EXPECT_THAT(FundIds(analyst_, r), ElementsAre(101, 102, 201));
  r.set_page_size(1);
  EXPECT_THAT(FundIds(service_, r), ElementsAre(101, 102, 201));
  r.set_manager_id(2);
  EXPECT_THAT(FundIds(analyst_, r), ElementsAre(201));
  r.set_page_size(-1);
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::ListFunds, r)), ElementsAre("page_size"));
}

TEST_P(FundServiceTest, ManagerKeySeesOnlyItsOwnManagerAndFunds) {
  v1::ListFundsRequest all;
  all.set_include_inactive(true);
  EXPECT_THAT(FundIds(manager1_, all), ElementsAre(101, 102));
  all.set_manager_id(2);
  EXPECT_EQ(Call(manager1_, &Stub::ListFunds, all).error_code(), Code::PERMISSION_DENIED);
  v1::GetFundRequest get;
  get.set_fund_id(201);
  grpc::Status foreign = Call(manager1_, &Stub::GetFund, get);
  get.set_fund_id(999);
  grpc::Status missing = Call(manager1_, &Stub::GetFund, get);
  EXPECT_EQ(foreign.error_code(), Code::PERMISSION_DENIED);
  EXPECT_EQ(missing.error_code(), Code::PERMISSION_DENIED);  // existence does not leak
  get.set_fund_id(101);
  EXPECT_TRUE(Call(manager1_, &Stub::GetFund, get).ok());
  v1::GetManagerRequest gm;
  gm.set_manager_id(1);
  EXPECT_TRUE(Call(manager1_, &Stub::GetManager, gm).ok());
  gm.set_manager_id(2);
  EXPECT_EQ(Call(manager1_, &Stub::GetManager, gm).error_code(), Code::PERMISSION_DENIED);
  EXPECT_EQ(Call(manager1_, &Stub::ListManagers, v1::ListManagersRequest()).error_code(),
            Code::PERMISSION_DENIED);
}

TEST_P(FundServiceTest, RolesAndKeysAreEnforced) {
  for (const std::string& key : {manager1_, service_, analyst_}) {
    EXPECT_EQ(CreateFund(key, NewFund(301, "11444777000161")).error_code(),
              Code::PERMISSION_DENIED);
  }
  for (const std::string& key : {manager1_, service_}) {
    EXPECT_EQ(Grant(key, 101, "g-1").error_code(), Code::PERMISSION_DENIED);
  }
  EXPECT_EQ(CreateFund("", NewFund(301, "11444777000161")).error_code(), Code::UNAUTHENTICATED);
  EXPECT_EQ(CreateFund("rk_unknown", NewFund(301, "11444777000161")).error_code(),
            Code::UNAUTHENTICATED);
  auto admin_key = server_->store().FindApiKeyByHash(HashApiKeySecret(admin_));
  ASSERT_TRUE(admin_key.ok());
  ASSERT_TRUE(server_->store().RevokeApiKey(admin_key->id, server_->clock().Now()).ok());
  EXPECT_EQ(CreateFund(admin_, NewFund(301, "11444777000161")).error_code(),
            Code::UNAUTHENTICATED);
}

TEST_P(FundServiceTest, ExemptionsAreGrantedListedAndRevoked) {
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
  EXPECT_EQ(Revoke(first.exemption_id()).error_code(), Code::FAILED_PRECONDITION);
  EXPECT_EQ(Revoke(999).error_code(), Code::NOT_FOUND);
  EXPECT_THAT(ExemptionIds(analyst_, 101, false), ElementsAre());
  EXPECT_THAT(ExemptionIds(analyst_, 101, true), ElementsAre(first.exemption_id()));
}

TEST_P(FundServiceTest, BadExemptionsNameTheirFields) {
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

TEST_P(FundServiceTest, EveryMutatingCallIsAudited) {
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161"), nullptr, "audit-ok").ok());
  ASSERT_FALSE(CreateFund(analyst_, NewFund(302, "33555777000171"), nullptr, "audit-denied").ok());
  v1::Exemption e;
  ASSERT_TRUE(Grant(analyst_, 301, "audit-grant", &e).ok());
  ASSERT_TRUE(Revoke(e.exemption_id()).ok());
  v1::Fund deactivate = NewFund(301, "");
  deactivate.set_active(false);
  ASSERT_TRUE(UpdateFund(deactivate, {"active"}).ok());
  Call(manager1_, &Stub::GetFund, v1::GetFundRequest());  // reads are not audited
  auto audit = server_->store().ListAudit({0, 100});
  ASSERT_TRUE(audit.ok()) << audit.status();
  std::vector<std::string> seen;
  for (const AuditRecord& a : *audit) {
    seen.push_back(absl::StrCat(a.method, " ", a.request_id, " ", a.outcome, " ", a.detail));
  }
  EXPECT_THAT(seen, ElementsAre("FundService/CreateFund audit-ok OK fund=301",
                                "FundService/CreateFund audit-denied PERMISSION_DENIED fund=302",
                                "FundService/GrantExemption audit-grant OK exemption=1 fund=301",
                                "FundService/RevokeExemption rx-1 OK exemption=1 fund=301",
                                "FundService/UpdateFund uf-1 OK fund=301 fields=active"));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FundServiceTest);

}  // namespace
}  // namespace riskcap::server
