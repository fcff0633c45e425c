// The audit chain end to end on both backends: two real riskcapd replicas append audit records
// concurrently and the chain verifies through the RPC and the `riskcap audit` CLI; tampering done
// directly in the database is found by the offline `riskcapd audit verify` at its position with
// its exit code; forged checkpoints are refused; the signing key is created once, mode 0600.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "server/admin/audit_signing_key.h"
#include "server/admin/keys_command.h"
#include "tests/testing/backup_fixture.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

class AuditChainRiskcapd : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto prepared = PrepareDaemonStore(GetParam(), "chain-test", 2);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    store_ = std::move(prepared->store);
    auto admin = server::IssueApiKey(*store_, "chain-admin", Role::kAdmin, std::nullopt, "test",
                                     absl::Now());
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = admin->secret;
    key_file_ = dir_.File("signing.pem");
  }

  // Runs `riskcapd ARGS` with the test's store and key file; its exit code and stdout.
  std::pair<int, std::string> Riskcapd(std::vector<std::string> args) {
    args.insert(args.begin(), BinaryPath("server/riskcapd"));
    std::string err;
    auto run = RunCommand(args, {{"RISKCAP_DB", scratch_->url()},
                                 {"RISKCAP_SIGNING_KEY_FILE", key_file_}}, &err);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? std::make_pair(run->first, run->second + err) : std::make_pair(-1, err);
  }

  void InitKey() { ASSERT_EQ(Riskcapd({"keys", "init-signing"}).first, 0); }

  // Records 1..n appended and sealed through the store, a checkpoint of the head signed by the
  // key file, and that head written to HEAD.json (as `riskcap audit head` prints it).
  void SealedLogWithHead(int n) {
    InitKey();
    for (int i = 1; i <= n; ++i) {
      AuditRecord r{0, absl::FromUnixMicros(i), "key:1", "FundService/UpdateFund",
                    absl::StrCat("req-", i), "OK", absl::StrCat("fund=", i)};
      ASSERT_TRUE(store_->AppendAudit(r).ok());
    }
    ASSERT_TRUE(store_->SealAllAudit().ok());
    auto head = store_->AuditChainHead();
    ASSERT_TRUE(head.ok());
    auto key = server::AuditSigningKey::Load(key_file_);
    ASSERT_TRUE(key.ok()) << key.status();
    auto signed_head = (*key)->Sign(head->position, head->hash, 1'700'000'000'000'000);
    ASSERT_TRUE(signed_head.ok());
    ASSERT_TRUE(store_->AppendAuditCheckpoint(*signed_head).ok());
    WriteHead(*signed_head, head_file());
  }

  static void WriteHead(const db::AuditCheckpoint& c, const std::string& path) {
    std::ofstream(path) << "{\"position\": \"" << c.position << "\", \"hash\": \"" << c.head_hash
                        << "\", \"time\": \"2023-11-14T22:13:20Z\", \"public_key\": \""
                        << c.public_key << "\", \"signature\": \"" << c.signature << "\"}\n";
  }

  std::string head_file() { return dir_.File("HEAD.json"); }

  absl::Status Exec(const std::string& sql) {
    return testing::WriteSql(*store_, [&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
  }
  void DisableGuard() {
    std::vector<std::string> sql = {"ALTER TABLE audit_log DISABLE TRIGGER USER",
                                    "ALTER TABLE audit_chain DISABLE TRIGGER USER"};
    if (GetParam() == db::Backend::kSqlite) {
      sql = {"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete",
             "DROP TRIGGER audit_chain_no_update"};
    }
    for (const std::string& statement : sql) ASSERT_TRUE(Exec(statement).ok()) << statement;
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;
  std::string admin_;
  ScratchDir dir_;
  std::string key_file_;
};

TEST_P(AuditChainRiskcapd, SigningKeyIsCreatedOnceAndPrivate) {
  auto [code, out] = Riskcapd({"keys", "init-signing"});
  ASSERT_EQ(code, 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "public_key=")) << out;
  struct stat st {};
  ASSERT_EQ(stat(key_file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(key_file_);
  std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto again = Riskcapd({"keys", "init-signing"});
  EXPECT_EQ(again.first, 7) << again.second;
  EXPECT_TRUE(absl::StrContains(again.second, "already exists")) << again.second;
  std::ifstream in2(key_file_);
  std::string after((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  EXPECT_EQ(before, after);
}

TEST_P(AuditChainRiskcapd, TwoReplicasWritingConcurrentlyLeaveAChainThatVerifies) {
  InitKey();
  std::map<std::string, std::string> env = {{"RISKCAP_DB", scratch_->url()},
                                            {"RISKCAP_SIGNING_KEY_FILE", key_file_},
                                            {"RISKCAP_AUDIT_SEAL_INTERVAL_MS", "50"}};
  store_.reset();
  std::vector<std::unique_ptr<RiskcapdProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    auto daemon = RiskcapdProcess::Start({.env = env});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    replicas.push_back(std::move(*daemon));
  }
  constexpr int kCallsEach = 25;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (auto& replica : replicas) {
    writers.emplace_back([&, address = replica->address()] {
      auto stub = v1::AdminService::NewStub(OwnChannel(address));
      for (int i = 0; i < kCallsEach; ++i) {
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + admin_);
        v1::CreateApiKeyRequest request;
        request.set_request_id(absl::StrCat("chain-", address.substr(address.rfind(':') + 1), "-",
                                            i));
        request.set_label("chain");
        request.set_role(v1::ROLE_SERVICE);
        v1::CreateApiKeyResponse response;
        if (!stub->CreateApiKey(&ctx, request, &response).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);

  // The background sealers seal everything by themselves, shortly.
  auto store = db::Store::Open(scratch_->url(), 1);
  ASSERT_TRUE(store.ok());
  absl::Time deadline = absl::Now() + absl::Seconds(20);
  db::AuditVerification v;
  while (absl::Now() < deadline) {
    auto got = (*store)->VerifyAudit({});
    ASSERT_TRUE(got.ok()) << got.status();
    v = *got;
    if (v.unsealed == 0 && v.records >= 2 * kCallsEach) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.unsealed, 0);
  EXPECT_GE(v.records, 2 * kCallsEach);

  // The CLI: the head from one replica, verified against on the other.
  std::map<std::string, std::string> cli = {{"RISKCAP_TOKEN", admin_}};
  auto head = RunCommand({BinaryPath("client/riskcap"), "--server", replicas[0]->address(),
                          "audit", "head"}, cli);
  ASSERT_TRUE(head.ok()) << head.status();
  ASSERT_EQ(head->first, 0) << head->second;
  EXPECT_TRUE(absl::StrContains(head->second, "\"signature\"")) << head->second;
  std::ofstream(head_file()) << head->second;
  auto verify = RunCommand({BinaryPath("client/riskcap"), "--server", replicas[1]->address(),
                            "-o", "json", "audit", "verify", "--against", head_file()}, cli);
  ASSERT_TRUE(verify.ok()) << verify.status();
  EXPECT_EQ(verify->first, 0) << verify->second;
}

TEST_P(AuditChainRiskcapd, ChangedRowExits10AtItsPosition) {
  SealedLogWithHead(8);
  EXPECT_EQ(Riskcapd({"audit", "verify", "--against", head_file()}).first, 0);
  DisableGuard();
  ASSERT_TRUE(Exec("UPDATE audit_log SET principal = 'key:2'"
                   " WHERE id = (SELECT audit_id FROM audit_chain WHERE chain_pos = 5)").ok());
  auto [code, out] = Riskcapd({"audit", "verify", "--against", head_file()});
  EXPECT_EQ(code, 10) << out;
  EXPECT_TRUE(absl::StrContains(out, "BROKEN at position 5: row changed")) << out;
}

TEST_P(AuditChainRiskcapd, DeletedRowExits11AtItsPosition) {
  SealedLogWithHead(8);
  DisableGuard();
  ASSERT_TRUE(Exec("DELETE FROM audit_log"
                   " WHERE id = (SELECT audit_id FROM audit_chain WHERE chain_pos = 2)").ok());
  auto [code, out] = Riskcapd({"audit", "verify", "--against", head_file()});
  EXPECT_EQ(code, 11) << out;
  EXPECT_TRUE(absl::StrContains(out, "BROKEN at position 2: row missing")) << out;
}

TEST_P(AuditChainRiskcapd, RewrittenChainIsCaughtByTheSignedCheckpoint) {
  SealedLogWithHead(6);
  DisableGuard();
  // A careful forger changes record 4 and recomputes every hash from there on: each record
  // verifies, but the chain no longer has the signed head.
  ASSERT_TRUE(Exec("UPDATE audit_log SET outcome = 'PERMISSION_DENIED'"
                   " WHERE id = (SELECT audit_id FROM audit_chain WHERE chain_pos = 4)").ok());
  auto rows = store_->ListAudit({0, 100});
  ASSERT_TRUE(rows.ok());
  std::string prev = db::kAuditGenesisHash;
  for (const AuditRecord& r : *rows) {  // sealed in id order: position = index + 1
    int64_t position = &r - rows->data() + 1;
    prev = db::AuditChainHash(prev, position, r);
    ASSERT_TRUE(Exec(absl::StrCat("UPDATE audit_chain SET chain_hash = '", prev,
                                  "' WHERE chain_pos = ", position)).ok());
  }
  auto [code, out] = Riskcapd({"audit", "verify"});
  EXPECT_EQ(code, 15) << out;
  EXPECT_TRUE(absl::StrContains(out, "BROKEN at position 6: checkpoint mismatch")) << out;
}

TEST_P(AuditChainRiskcapd, ForgedCheckpointsAndHeadsAreRefused) {
  SealedLogWithHead(3);
  // A head file whose hash was edited no longer matches its signature.
  auto head = store_->LatestAuditCheckpoint();
  ASSERT_TRUE(head.ok() && head->has_value());
  db::AuditCheckpoint edited = **head;
  edited.head_hash[0] = edited.head_hash[0] == 'a' ? 'b' : 'a';
  std::string edited_file = dir_.File("EDITED.json");
  WriteHead(edited, edited_file);
  auto [code, out] = Riskcapd({"audit", "verify", "--against", edited_file});
  EXPECT_EQ(code, 14) << out;
  EXPECT_TRUE(absl::StrContains(out, "checkpoint signature invalid")) << out;
  // A checkpoint signed by another key, stored beside the real one, is refused against the
  // trusted (configured) key even though its own signature is valid.
  std::string other_file = dir_.File("other.pem");
  ASSERT_TRUE(server::AuditSigningKey::CreateFile(other_file).ok());
  auto other = server::AuditSigningKey::Load(other_file);
  ASSERT_TRUE(other.ok());
  auto forged = (*other)->Sign((*head)->position, (*head)->head_hash, 5);
  ASSERT_TRUE(forged.ok());
  ASSERT_TRUE(store_->AppendAuditCheckpoint(*forged).ok());
  auto second = Riskcapd({"audit", "verify"});
  EXPECT_EQ(second.first, 14) << second.second;
  EXPECT_TRUE(absl::StrContains(second.second, "not the trusted key")) << second.second;
}

TEST(AuditChainRiskcapdPostgres, TruncateAsOwnerIsFoundAsMissingRows) {
  auto prepared = PrepareDaemonStore(db::Backend::kPostgresql, "chain-test", 2);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  db::Store& store = *prepared->store;
  ScratchDir dir;
  std::string key_file = dir.File("signing.pem");
  ASSERT_TRUE(server::AuditSigningKey::CreateFile(key_file).ok());
  auto key = server::AuditSigningKey::Load(key_file);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store.AppendAudit({0, absl::FromUnixMicros(1), "key:1", "m", "r", "OK", "d"}).ok());
  ASSERT_TRUE(store.SealAllAudit().ok());
  auto head = store.AuditChainHead();
  ASSERT_TRUE(head.ok());
  auto signed_head = (*key)->Sign(head->position, head->hash, 1);
  ASSERT_TRUE(signed_head.ok() && store.AppendAuditCheckpoint(*signed_head).ok());
  auto exec = [&](const std::string& sql) {
    return testing::WriteSql(store, [&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
  };
  EXPECT_FALSE(exec("TRUNCATE audit_log").ok());
  ASSERT_TRUE(exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate").ok());
  ASSERT_TRUE(exec("TRUNCATE audit_log").ok());
  std::string err;
  auto run = RunCommand({BinaryPath("server/riskcapd"), "audit", "verify"},
                        {{"RISKCAP_DB", prepared->scratch->url()},
                         {"RISKCAP_SIGNING_KEY_FILE", key_file}}, &err);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->first, 11) << run->second << err;
  EXPECT_TRUE(absl::StrContains(run->second, "BROKEN at position 1: row missing")) << run->second;
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(AuditChainRiskcapd);

}  // namespace
}  // namespace riskcap::testing
