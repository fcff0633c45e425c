// FundService against a real server on both backends: managers, funds, scope, audit, retries.
// The exemption RPCs are tested in exemption_rpcs_test.cc.
#include "server/funds/fund_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/funds/fund_service_fixture.h"

namespace riskcap::server {
namespace {

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
  v1::GetManagerRequest get;
  get.set_manager_id(1);
  ASSERT_TRUE(Call(admin_, &Stub::GetManager, get, r.mutable_manager()).ok());
  st = Call(admin_, &Stub::CreateManager, r);  // manager 1 exactly, but a new request
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("manager.manager_id 1 is already taken"));
}

TEST_P(FundServiceTest, UpdateManagerRetryIsNotAppliedAgain) {
  v1::UpdateManagerRequest r;
  r.set_request_id("um-1");
  r.mutable_manager()->set_manager_id(1);
  r.mutable_manager()->set_name("Alpha Gestora de Recursos");
  r.mutable_update_mask()->add_paths("name");
  v1::Manager first, retried;
  ASSERT_TRUE(Call(admin_, &Stub::UpdateManager, r, &first).ok());
  v1::UpdateManagerRequest rename = r;
  rename.set_request_id("um-2");
  rename.mutable_manager()->set_name("Alpha Asset Management");
  ASSERT_TRUE(Call(admin_, &Stub::UpdateManager, rename).ok());
  ASSERT_TRUE(Call(admin_, &Stub::UpdateManager, r, &retried).ok());  // not applied again
  EXPECT_EQ(retried.name(), "Alpha Asset Management");                // the manager as it is now
  r.mutable_manager()->set_name("Something Else");
  grpc::Status st = Call(admin_, &Stub::UpdateManager, r);
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("request_id 'um-1'"));
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
  r.set_request_id("um-9");
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

TEST_P(FundServiceTest, FundIdAndTaxIdConflictsAreNamed) {
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161")).ok());
  grpc::Status st = CreateFund(admin_, NewFund(301, "33555777000171"), nullptr, "cf-2");
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("fund.fund_id 301"));
  st = CreateFund(admin_, NewFund(302, "11444777000161"), nullptr, "cf-3");
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("fund.tax_id 11444777000161 is already registered "
                                            "to fund 301"));
  // Identical content under a new request id is a new request, and the fund id is taken.
  st = CreateFund(admin_, NewFund(301, "11444777000161"), nullptr, "cf-4");
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("fund.fund_id 301 is already taken"));
}

TEST_P(FundServiceTest, CreateFundRetryReturnsTheFundAsItIsNow) {
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161")).ok());
  v1::Fund rename = NewFund(301, "");
  rename.set_name("Fundo Renomeado FIM");
  ASSERT_TRUE(UpdateFund(rename, {"name"}).ok());
  v1::Fund retried;
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161"), &retried).ok());
  EXPECT_EQ(retried.name(), "Fundo Renomeado FIM");
  v1::ListFundsRequest all;
  all.set_include_inactive(true);
  EXPECT_THAT(FundIds(analyst_, all), ElementsAre(101, 102, 201, 301));
  grpc::Status st = CreateFund(admin_, NewFund(302, "33555777000171"));  // cf-1 again
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("request_id 'cf-1'"));
  EXPECT_THAT(FundIds(analyst_, all), ElementsAre(101, 102, 201, 301));
}

TEST_P(FundServiceTest, RequestIdOfAFailedCallStaysUnused) {
  EXPECT_EQ(CreateFund(admin_, NewFund(301, "11444777000161", 99), nullptr, "cf-9").error_code(),
            Code::INVALID_ARGUMENT);
  EXPECT_EQ(CreateFund(admin_, NewFund(101, "11444777000161"), nullptr, "cf-9").error_code(),
            Code::ALREADY_EXISTS);  // fund 101 exists: refused by the store
  v1::Fund created;
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161"), &created, "cf-9").ok());
  EXPECT_EQ(created.fund_id(), 301);
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
  EXPECT_EQ(UpdateFund(change, {"active"}, nullptr, "uf-2").error_code(), Code::NOT_FOUND);
  EXPECT_EQ(UpdateFund(change, {"active"}).error_code(), Code::ALREADY_EXISTS);  // uf-1 is used
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

TEST_P(FundServiceTest, EveryMutatingCallIsAudited) {
  ASSERT_TRUE(CreateFund(admin_, NewFund(301, "11444777000161"), nullptr, "audit-ok").ok());
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
                                "FundService/CreateFund audit-ok OK fund=301 replayed",
                                "FundService/CreateFund audit-denied PERMISSION_DENIED fund=302",
                                "FundService/GrantExemption audit-grant OK exemption=1 fund=301",
                                "FundService/RevokeExemption rx-1 OK exemption=1 fund=301",
                                "FundService/UpdateFund uf-1 OK fund=301 fields=active"));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FundServiceTest);

}  // namespace
}  // namespace riskcap::server
