// The FundService test fixture (tests/testing/service_fixture.h running FundService) with helpers
// for the calls its tests repeat, and the matchers they share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "server/funds/fund_service.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/service_fixture.h"

namespace riskcap::server {

using ::riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

inline v1::Fund NewFund(int64_t id, const std::string& tax_id, int64_t manager = 1) {
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

class FundServiceTest : public ::riskcap::testing::ServiceFixture<v1::FundService> {
 protected:
  std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) override {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<FundServiceImpl>(env));
    return services;
  }

  grpc::Status CreateFund(const std::string& key, const v1::Fund& fund, v1::Fund* out = nullptr,
                          const std::string& request_id = "cf-1") {
    v1::CreateFundRequest r;
    r.set_request_id(request_id);
    *r.mutable_fund() = fund;
    return Call(key, &Stub::CreateFund, r, out);
  }

  grpc::Status UpdateFund(const v1::Fund& fund, std::vector<std::string> paths,
                          v1::Fund* out = nullptr, const std::string& request_id = "uf-1") {
    v1::UpdateFundRequest r;
    r.set_request_id(request_id);
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

  // Revokes under `request_id`, by default "rx-<id>".
  grpc::Status Revoke(int64_t id, v1::Exemption* out = nullptr,
                      const std::string& request_id = "") {
    v1::RevokeExemptionRequest r;
    r.set_request_id(request_id.empty() ? absl::StrCat("rx-", id) : request_id);
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

};

}  // namespace riskcap::server
