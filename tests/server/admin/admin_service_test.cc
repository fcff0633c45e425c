// AdminService against a real server on both backends: API keys, the audit trail, server info.
#include "server/admin/admin_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "server/rpc/convert_common.h"
#include "server/funds/fund_service.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/service_fixture.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::ServiceFixture;
using ::riskcap::testing::TestServer;
using ::riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class AdminServiceTest : public ServiceFixture<v1::AdminService> {
 protected:
  std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) override {
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<AdminServiceImpl>(env));
    services.push_back(std::make_unique<FundServiceImpl>(env));
    return services;
  }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(ServiceFixture::SetUp());
    funds_ = v1::FundService::NewStub(server_->channel());
  }

  grpc::Status CreateKey(v1::Role role, int64_t manager_id, v1::CreateApiKeyResponse* out,
                         const std::string& label = "ana.souza", const std::string& key = "") {
    v1::CreateApiKeyRequest r;
    r.set_request_id(absl::StrCat("ck-", label.substr(0, 40), "-", manager_id));
    r.set_label(label);
    r.set_role(role);
    r.set_manager_id(manager_id);
    return Call(key.empty() ? admin_ : key, &Stub::CreateApiKey, r, out);
  }

  // Revokes under `request_id`, by default "rk-<id>".
  grpc::Status Revoke(int64_t id, v1::ApiKey* out = nullptr,
                      const std::string& request_id = "") {
    v1::RevokeApiKeyRequest r;
    r.set_request_id(request_id.empty() ? absl::StrCat("rk-", id) : request_id);
    r.set_api_key_id(id);
    return Call(admin_, &Stub::RevokeApiKey, r, out);
  }

  // Fund ids the key can list through FundService: proves a key works and how it is scoped.
  grpc::Status ListFunds(const std::string& key, std::vector<int64_t>* ids = nullptr) {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, key);
    v1::ListFundsResponse resp;
    grpc::Status st = funds_->ListFunds(&ctx, v1::ListFundsRequest(), &resp);
    for (const auto& f : resp.funds()) {
      if (ids != nullptr) ids->push_back(f.fund_id());
    }
    return st;
  }

  std::vector<int64_t> KeyIds(v1::ListApiKeysRequest r) {
    std::vector<int64_t> ids;
    do {
      v1::ListApiKeysResponse resp;
      EXPECT_TRUE(Call(admin_, &Stub::ListApiKeys, r, &resp).ok());
      for (const auto& k : resp.api_keys()) ids.push_back(k.api_key_id());
      r.set_page_token(resp.next_page_token());
    } while (!r.page_token().empty());
    return ids;
  }

  std::vector<std::string> AuditRequestIds(v1::ListAuditRecordsRequest r,
                                           const std::string& key = "") {
    std::vector<std::string> ids;
    do {
      v1::ListAuditRecordsResponse resp;
      grpc::Status st = Call(key.empty() ? analyst_ : key, &Stub::ListAuditRecords, r, &resp);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const auto& a : resp.audit_records()) ids.push_back(a.request_id());
      r.set_page_token(resp.next_page_token());
    } while (!r.page_token().empty());
    return ids;
  }

  std::unique_ptr<v1::FundService::Stub> funds_;
};

TEST_P(AdminServiceTest, CreatedKeyAuthenticatesAndOnlyItsHashIsStored) {
  v1::CreateApiKeyResponse created;
  ASSERT_TRUE(CreateKey(v1::ROLE_ANALYST, 0, &created).ok());
  EXPECT_EQ(created.secret().rfind("rk_", 0), 0u);
  const v1::ApiKey& key = created.api_key();
  EXPECT_GT(key.api_key_id(), 0);
  EXPECT_EQ(key.label(), "ana.souza");
  EXPECT_EQ(key.role(), v1::ROLE_ANALYST);
  EXPECT_EQ(key.manager_id(), 0);
  EXPECT_EQ(key.created_by().rfind("key:", 0), 0u);
  EXPECT_EQ(key.create_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));
  EXPECT_FALSE(key.has_revoke_time());
  auto stored = server_->store().FindApiKeyByHash(HashApiKeySecret(created.secret()));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->id, key.api_key_id());
  EXPECT_NE(stored->secret_hash, created.secret());
  EXPECT_TRUE(ListFunds(created.secret()).ok());
}

TEST_P(AdminServiceTest, ManagerKeyIsScopedToItsManager) {
  v1::CreateApiKeyResponse created;
  ASSERT_TRUE(CreateKey(v1::ROLE_MANAGER, 2, &created, "beta-systems").ok());
  EXPECT_EQ(created.api_key().manager_id(), 2);
  std::vector<int64_t> ids;
  ASSERT_TRUE(ListFunds(created.secret(), &ids).ok());
  EXPECT_THAT(ids, ElementsAre(201));
}

TEST_P(AdminServiceTest, BadKeyRequestsNameTheirFields) {
  v1::CreateApiKeyResponse out;
  grpc::Status st = CreateKey(v1::ROLE_UNSPECIFIED, 0, &out);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("role"));
  EXPECT_THAT(ViolatedFields(CreateKey(v1::ROLE_MANAGER, 0, &out, "")),
              UnorderedElementsAre("label", "manager_id"));
  EXPECT_THAT(ViolatedFields(CreateKey(v1::ROLE_MANAGER, 99, &out)), ElementsAre("manager_id"));
  EXPECT_THAT(ViolatedFields(CreateKey(v1::ROLE_SERVICE, 1, &out)), ElementsAre("manager_id"));
  EXPECT_THAT(ViolatedFields(CreateKey(v1::ROLE_SERVICE, 0, &out, std::string(101, 'x'))),
              ElementsAre("label"));
  v1::CreateApiKeyRequest no_id;
  no_id.set_label("x");
  no_id.set_role(v1::ROLE_ADMIN);
  EXPECT_THAT(ViolatedFields(Call(admin_, &Stub::CreateApiKey, no_id)), ElementsAre("request_id"));
}

TEST_P(AdminServiceTest, RevokedKeyIsRefusedAtOnce) {
  v1::CreateApiKeyResponse created;
  ASSERT_TRUE(CreateKey(v1::ROLE_SERVICE, 0, &created, "bi-exporter").ok());
  ASSERT_TRUE(ListFunds(created.secret()).ok());
  server_->clock().Advance(absl::Minutes(5));
  v1::ApiKey revoked;
  ASSERT_TRUE(Revoke(created.api_key().api_key_id(), &revoked).ok());
  EXPECT_EQ(revoked.revoke_time().seconds(), absl::ToUnixSeconds(server_->clock().Now()));
  EXPECT_EQ(revoked.label(), "bi-exporter");
  EXPECT_EQ(ListFunds(created.secret()).error_code(), Code::UNAUTHENTICATED);
  server_->clock().Advance(absl::Minutes(5));
  v1::ApiKey retried;
  ASSERT_TRUE(Revoke(created.api_key().api_key_id(), &retried).ok());  // a retry: not re-applied
  EXPECT_EQ(retried.revoke_time().seconds(), revoked.revoke_time().seconds());
  EXPECT_EQ(Revoke(created.api_key().api_key_id(), nullptr, "rk-again").error_code(),
            Code::FAILED_PRECONDITION);
  EXPECT_EQ(Revoke(999).error_code(), Code::NOT_FOUND);
  EXPECT_THAT(ViolatedFields(Revoke(0)), ElementsAre("api_key_id"));
}

TEST_P(AdminServiceTest, CreateApiKeyRetryIsAlreadyExistsAndCreatesNoSecondKey) {
  v1::CreateApiKeyResponse created, retried;
  ASSERT_TRUE(CreateKey(v1::ROLE_ANALYST, 0, &created).ok());  // request id ck-ana.souza-0
  size_t keys = KeyIds(v1::ListApiKeysRequest()).size();
  grpc::Status st = CreateKey(v1::ROLE_ANALYST, 0, &retried);
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(),
              HasSubstr(absl::StrCat("already created API key ", created.api_key().api_key_id())));
  EXPECT_TRUE(retried.secret().empty());
  v1::CreateApiKeyRequest other;  // the same request id for different content
  other.set_request_id("ck-ana.souza-0");
  other.set_label("ana.souza");
  other.set_role(v1::ROLE_ADMIN);
  st = Call(admin_, &Stub::CreateApiKey, other);
  EXPECT_EQ(st.error_code(), Code::ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("different content"));
  EXPECT_EQ(KeyIds(v1::ListApiKeysRequest()).size(), keys);
  other.set_request_id("ck-new");
  other.set_role(v1::ROLE_ANALYST);  // identical content, new request id: a second key
  v1::CreateApiKeyResponse second;
  ASSERT_TRUE(Call(admin_, &Stub::CreateApiKey, other, &second).ok());
  EXPECT_NE(second.api_key().api_key_id(), created.api_key().api_key_id());
  EXPECT_EQ(KeyIds(v1::ListApiKeysRequest()).size(), keys + 1);
}

TEST_P(AdminServiceTest, RequestIdsBelongToTheCallingKey) {
  v1::CreateApiKeyResponse admin2, mine, theirs;
  ASSERT_TRUE(CreateKey(v1::ROLE_ADMIN, 0, &admin2, "second-admin").ok());
  ASSERT_TRUE(CreateKey(v1::ROLE_SERVICE, 0, &mine, "exporter").ok());  // ck-exporter-0
  ASSERT_TRUE(CreateKey(v1::ROLE_SERVICE, 0, &theirs, "exporter", admin2.secret()).ok());
  EXPECT_NE(theirs.api_key().api_key_id(), mine.api_key().api_key_id());
}

TEST_P(AdminServiceTest, ListApiKeysFiltersAndPages) {
  v1::CreateApiKeyResponse a, b;
  ASSERT_TRUE(CreateKey(v1::ROLE_MANAGER, 1, &a, "alpha-2").ok());
  ASSERT_TRUE(CreateKey(v1::ROLE_MANAGER, 2, &b, "beta-1").ok());
  ASSERT_TRUE(Revoke(a.api_key().api_key_id()).ok());
  v1::ListApiKeysRequest r;
  r.set_page_size(2);
  EXPECT_EQ(KeyIds(r).size(), 5u);  // the four of SetUp and b
  r.set_include_revoked(true);
  EXPECT_EQ(KeyIds(r).size(), 6u);
  r.set_manager_id(1);
  EXPECT_EQ(KeyIds(r).size(), 2u);  // manager1_ and a
  r.set_include_revoked(false);
  EXPECT_EQ(KeyIds(r).size(), 1u);
  r.set_manager_id(-1);
  EXPECT_THAT(ViolatedFields(Call(admin_, &Stub::ListApiKeys, r)), ElementsAre("manager_id"));
}

TEST_P(AdminServiceTest, RolesAreEnforced) {
  v1::CreateApiKeyResponse out;
  for (const std::string& key : {manager1_, service_, analyst_}) {
    EXPECT_EQ(CreateKey(v1::ROLE_ADMIN, 0, &out, "x", key).error_code(), Code::PERMISSION_DENIED);
    EXPECT_EQ(Call(key, &Stub::ListApiKeys, v1::ListApiKeysRequest()).error_code(),
              Code::PERMISSION_DENIED);
    EXPECT_TRUE(Call(key, &Stub::GetServerInfo, v1::GetServerInfoRequest()).ok());
  }
  for (const std::string& key : {manager1_, service_}) {
    EXPECT_EQ(Call(key, &Stub::ListAuditRecords, v1::ListAuditRecordsRequest()).error_code(),
              Code::PERMISSION_DENIED);
  }
  EXPECT_TRUE(Call(admin_, &Stub::ListAuditRecords, v1::ListAuditRecordsRequest()).ok());
  EXPECT_EQ(Call("", &Stub::GetServerInfo, v1::GetServerInfoRequest()).error_code(),
            Code::UNAUTHENTICATED);
}

TEST_P(AdminServiceTest, ServerInfoNamesVersionBackendAndSchema) {
  v1::ServerInfo info;
  ASSERT_TRUE(Call(manager1_, &Stub::GetServerInfo, v1::GetServerInfoRequest(), &info).ok());
  EXPECT_EQ(info.version(), "0.1.0");
  EXPECT_EQ(info.store_backend(), GetParam() == db::Backend::kSqlite
                                      ? v1::STORE_BACKEND_SQLITE
                                      : v1::STORE_BACKEND_POSTGRESQL);
  auto schema = server_->store().SchemaVersion();
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(info.schema_version(), *schema);
  EXPECT_GE(info.schema_version(), 1);
}

TEST_P(AdminServiceTest, AuditTrailIsNewestFirstAndFiltered) {
  v1::CreateApiKeyResponse out, denied;
  ASSERT_TRUE(CreateKey(v1::ROLE_SERVICE, 0, &out, "one").ok());  // request id ck-one-0
  server_->clock().Advance(absl::Hours(1));
  absl::Time later = server_->clock().Now();
  ASSERT_EQ(CreateKey(v1::ROLE_ADMIN, 0, &denied, "two", analyst_).error_code(),
            Code::PERMISSION_DENIED);
  ASSERT_TRUE(Revoke(out.api_key().api_key_id()).ok());  // rk-<id of "one">
  std::string revoke_id = absl::StrCat("rk-", out.api_key().api_key_id());
  v1::ListAuditRecordsRequest r;
  EXPECT_THAT(AuditRequestIds(r), ElementsAre(revoke_id, "ck-two-0", "ck-one-0"));
  r.set_page_size(1);
  EXPECT_THAT(AuditRequestIds(r, admin_), ElementsAre(revoke_id, "ck-two-0", "ck-one-0"));
  r.set_method("/riskcap.v1.AdminService/CreateApiKey");
  EXPECT_THAT(AuditRequestIds(r), ElementsAre("ck-two-0", "ck-one-0"));
  ToProtoTime(later, r.mutable_start_time());
  EXPECT_THAT(AuditRequestIds(r), ElementsAre("ck-two-0"));
  r.clear_method();
  r.clear_start_time();
  ToProtoTime(later, r.mutable_end_time());
  EXPECT_THAT(AuditRequestIds(r), ElementsAre("ck-one-0"));
  ToProtoTime(later, r.mutable_start_time());
  EXPECT_THAT(ViolatedFields(Call(analyst_, &Stub::ListAuditRecords, r)), ElementsAre("end_time"));
  v1::ListAuditRecordsRequest by_actor;
  by_actor.set_actor(out.api_key().created_by());
  v1::ListAuditRecordsResponse resp;
  ASSERT_TRUE(Call(analyst_, &Stub::ListAuditRecords, by_actor, &resp).ok());
  ASSERT_EQ(resp.audit_records_size(), 2);
  const v1::AuditRecord& rec = resp.audit_records(1);
  EXPECT_EQ(rec.method(), "/riskcap.v1.AdminService/CreateApiKey");
  EXPECT_EQ(rec.outcome(), "OK");
  EXPECT_EQ(rec.detail(), absl::StrCat("api_key=", out.api_key().api_key_id(),
                                       " role=SERVICE label=one"));
  EXPECT_EQ(resp.audit_records(0).detail(), absl::StrCat("api_key=", out.api_key().api_key_id()));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(AdminServiceTest);

}  // namespace
}  // namespace riskcap::server
