// The separate PostgreSQL roles of docs/operations.md: riskcapd runs as a runtime role that may
// add to the audit log and seal it, and that role cannot UPDATE, DELETE or TRUNCATE the log or
// its chain.
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "server/admin/keys_command.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

absl::Status Exec(db::Store& store, const std::string& sql) {
  return testing::WriteSql(store, [&](soci::session& s) -> absl::Status {
    s << sql;
    return absl::OkStatus();
  });
}

// The runtime role of docs/operations.md on the test's schema, dropped with the test.
class RuntimeRole {
 public:
  RuntimeRole(db::Store& owner, std::string schema) : owner_(owner), schema_(std::move(schema)) {
    name_ = "rt_" + schema_;
  }
  ~RuntimeRole() {
    (void)Exec(owner_, absl::StrCat("DROP OWNED BY ", name_));
    (void)Exec(owner_, absl::StrCat("DROP ROLE ", name_));
  }
  absl::Status Create() {
    for (const std::string& sql : {
             absl::StrCat("CREATE ROLE ", name_, " LOGIN PASSWORD 'rt'"),
             absl::StrCat("GRANT USAGE ON SCHEMA ", schema_, " TO ", name_),
             absl::StrCat("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ", schema_,
                          " TO ", name_),
             absl::StrCat("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ", schema_, " TO ",
                          name_),
             absl::StrCat("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_chain,"
                          " audit_checkpoints FROM ",
                          name_)}) {
      if (absl::Status st = Exec(owner_, sql); !st.ok()) return st;
    }
    return absl::OkStatus();
  }
  const std::string& name() const { return name_; }

 private:
  db::Store& owner_;
  std::string schema_;
  std::string name_;
};

// `url` (postgresql://USER@HOST...) with `user` and its password instead.
std::string AsUser(const std::string& url, const std::string& user) {
  size_t scheme = url.find("://") + 3;
  size_t at = url.find('@', scheme);
  return absl::StrCat(url.substr(0, scheme), user, ":rt", url.substr(at));
}

TEST(AuditRolesRiskcapd, RuntimeRoleServesAndSealsButCannotAlterTheAuditLog) {
  auto prepared = PrepareDaemonStore(db::Backend::kPostgresql, "roles-test", 2);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  db::Store& owner = *prepared->store;
  auto admin = server::IssueApiKey(owner, "roles-admin", Role::kAdmin, std::nullopt, "test",
                                   absl::Now());
  ASSERT_TRUE(admin.ok()) << admin.status();
  std::string url = prepared->scratch->url();
  std::string schema = url.substr(url.find("search_path%3D") + 14);
  RuntimeRole role(owner, schema);
  ASSERT_TRUE(role.Create().ok());
  std::string runtime_url = AsUser(url, role.name());

  auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", runtime_url}}});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = v1::AdminService::NewStub(
      grpc::CreateChannel((*daemon)->address(), grpc::InsecureChannelCredentials()));
  {  // an audited call, then a verification that seals it: both as the runtime role
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + admin->secret);
    v1::CreateApiKeyRequest request;
    request.set_request_id("roles-1");
    request.set_label("roles");
    request.set_role(v1::ROLE_SERVICE);
    v1::CreateApiKeyResponse response;
    grpc::Status st = stub->CreateApiKey(&ctx, request, &response);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + admin->secret);
  v1::AuditVerification verification;
  grpc::Status st = stub->VerifyAuditLog(&ctx, v1::VerifyAuditLogRequest(), &verification);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(verification.ok()) << verification.detail();
  EXPECT_GE(verification.records(), 1);
  EXPECT_EQ(verification.unsealed(), 0);

  auto runtime = db::Store::Open(runtime_url, 1);
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  for (const char* sql : {"UPDATE audit_log SET detail = 'rewritten'",
                          "UPDATE audit_chain SET chain_hash = 'x'", "DELETE FROM audit_log",
                          "DELETE FROM audit_chain", "TRUNCATE audit_log", "TRUNCATE audit_chain",
                          "ALTER TABLE audit_log DISABLE TRIGGER USER",
                          "ALTER TABLE audit_chain DISABLE TRIGGER USER",
                          "DELETE FROM audit_checkpoints"}) {
    absl::Status refused = Exec(**runtime, sql);
    EXPECT_FALSE(refused.ok()) << sql;
  }
  auto v = owner.VerifyAudit({});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->ok()) << v->detail;
  EXPECT_EQ(v->records, verification.records());
}

}  // namespace
}  // namespace riskcap::testing
