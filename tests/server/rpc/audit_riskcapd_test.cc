// The audit of the real riskcapd on both backends: unauthenticated calls with huge request ids
// leave the store as it was, failed authentication is counted not logged per call, and after a
// SIGKILL during mutating calls every change has its audit record and every record its change.
#include <signal.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "db/store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/admin.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "server/admin/keys_command.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

using testing::RiskcapdProcess;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

void Authorize(grpc::ClientContext& ctx, const std::string& secret) {
  if (!secret.empty()) ctx.AddMetadata("authorization", "Bearer " + secret);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// Every audit record, oldest first.
std::vector<AuditRecord> AllAudit(db::Store& store) {
  std::vector<AuditRecord> all;
  db::Page page{0, 1000};
  while (true) {
    auto rows = store.ListAudit(page);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) return all;
    all.insert(all.end(), rows->begin(), rows->end());
    page.after_id = rows->back().id;
  }
}

class AuditRiskcapdTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto prepared = testing::PrepareDaemonStore(GetParam(), "audit-test", 2);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    store_ = std::move(prepared->store);
    service_ = prepared->secret;
    auto admin = server::IssueApiKey(*store_, "audit-admin", Role::kAdmin, std::nullopt,
                                     "test", absl::Now());
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = admin->secret;
  }

  void StartDaemon() {
    auto daemon = RiskcapdProcess::Start(
        {.env = {{"RISKCAP_DB", scratch_->url()}}, .timeout = kStartTimeout});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;  // the test's own view of riskcapd's store
  std::string service_, admin_;
  std::unique_ptr<RiskcapdProcess> daemon_;
};

TEST_P(AuditRiskcapdTest, HugeRequestIdsWithoutAKeyLeaveTheStoreAsItWas) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  auto stub = v1::MarginService::NewStub(OwnChannel(daemon_->address()));
  auto before = store_->MeasureAuditLog();
  ASSERT_TRUE(before.ok()) << before.status();
  v1::SubmitMarginRequest r;
  r.set_request_id(std::string(5 * 1024 * 1024, 'x'));
  r.set_fund_id(101);
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext ctx;
    Authorize(ctx, "");
    v1::SubmissionReceipt receipt;
    grpc::Status st = stub->SubmitMargin(&ctx, r, &receipt);
    ASSERT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
    EXPECT_THAT(st.error_message(), ::testing::HasSubstr("request_id"));
  }
  auto after = store_->MeasureAuditLog();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->rows, before->rows);
  EXPECT_EQ(after->bytes, before->bytes);
  // Never counted as failed authentication either: the total below is exactly the 20 calls
  // that follow.

  // Without a key but with a valid id: refused, counted per peer and minute, never audited.
  r.set_request_id("no-key");
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext ctx;
    Authorize(ctx, "");
    v1::SubmissionReceipt receipt;
    ASSERT_EQ(stub->SubmitMargin(&ctx, r, &receipt).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  // Counts reach the store within a second (server/rpc/auth_failure_counter.h): wait for them.
  absl::StatusOr<std::vector<AuthFailure>> failures;
  int64_t counted = 0;
  for (absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline;) {
    failures = store_->ListAuthFailures(absl::InfinitePast());
    ASSERT_TRUE(failures.ok()) << failures.status();
    counted = 0;
    for (const AuthFailure& f : *failures) counted += f.failures;
    if (counted >= 20) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_LE(failures->size(), 2u) << "at most one row per minute the calls spanned";
  EXPECT_EQ(counted, 20);
  after = store_->MeasureAuditLog();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->rows, before->rows);
}

// What the client threads sent before the kill. Thread-safe.
struct MutationLog {
  void Sent(const std::string& method, const std::string& request_id, bool acked) {
    std::lock_guard lock(mu);
    sent[request_id] = method;
    if (acked) this->acked.insert(request_id);
  }
  std::mutex mu;
  std::map<std::string, std::string> sent;  // request id -> method
  std::set<std::string> acked;
  std::map<std::string, v1::UpdateFundRequest> updates;  // to resend after the restart
  std::atomic<int> in_flight{0};
  std::atomic<bool> stop{false};
};

v1::UpdateFundRequest Rename(const std::string& id) {
  v1::UpdateFundRequest r;
  r.set_request_id(id);
  r.mutable_fund()->set_fund_id(101);
  r.mutable_fund()->set_name(absl::StrCat("Fundo ", id));
  r.mutable_update_mask()->add_paths("name");
  return r;
}

// One client: create a key, revoke it, rename fund 101; again until stopped or cut off.
void Mutate(const std::string& address, const std::string& admin, int thread, MutationLog& log) {
  auto admin_stub = v1::AdminService::NewStub(OwnChannel(address));
  auto fund_stub = v1::FundService::NewStub(OwnChannel(address));
  for (int i = 0; !log.stop; ++i) {
    v1::CreateApiKeyRequest create;
    create.set_request_id(absl::StrCat("c-", thread, "-", i));
    create.set_label(create.request_id());
    create.set_role(v1::ROLE_ANALYST);
    grpc::ClientContext c1;
    Authorize(c1, admin);
    v1::CreateApiKeyResponse created;
    ++log.in_flight;
    grpc::Status st = admin_stub->CreateApiKey(&c1, create, &created);
    --log.in_flight;
    log.Sent("AdminService/CreateApiKey", create.request_id(), st.ok());
    if (!st.ok()) return;

    v1::RevokeApiKeyRequest revoke;
    revoke.set_request_id(absl::StrCat("r-", thread, "-", i));
    revoke.set_api_key_id(created.api_key().api_key_id());
    grpc::ClientContext c2;
    Authorize(c2, admin);
    v1::ApiKey revoked;
    ++log.in_flight;
    st = admin_stub->RevokeApiKey(&c2, revoke, &revoked);
    --log.in_flight;
    log.Sent("AdminService/RevokeApiKey", revoke.request_id(), st.ok());
    if (!st.ok()) return;

    v1::UpdateFundRequest update = Rename(absl::StrCat("u-", thread, "-", i));
    {
      std::lock_guard lock(log.mu);
      log.updates[update.request_id()] = update;
    }
    grpc::ClientContext c3;
    Authorize(c3, admin);
    v1::Fund fund;
    ++log.in_flight;
    st = fund_stub->UpdateFund(&c3, update, &fund);
    --log.in_flight;
    log.Sent("FundService/UpdateFund", update.request_id(), st.ok());
    if (!st.ok()) return;
  }
}

// Audit records by request id, for the methods the clients called.
std::map<std::string, std::vector<AuditRecord>> ByRequestId(const std::vector<AuditRecord>& all) {
  std::map<std::string, std::vector<AuditRecord>> by_id;
  for (const AuditRecord& a : all) {
    if (absl::StartsWith(a.method, "AdminService/") || a.method == "FundService/UpdateFund") {
      by_id[a.request_id].push_back(a);
    }
  }
  return by_id;
}

int64_t KeyIdIn(const std::string& detail) {
  int64_t id = 0;
  if (!absl::StartsWith(detail, "api_key=")) return 0;
  std::string rest = detail.substr(8);
  return absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &id) ? id : 0;
}

TEST_P(AuditRiskcapdTest, AfterSigkillEveryChangeHasItsAuditRecordAndEveryRecordItsChange) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  MutationLog log;
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back(Mutate, daemon_->address(), admin_, t, std::ref(log));
  }
  absl::Time start = absl::Now();
  auto acked = [&] { std::lock_guard lock(log.mu); return log.acked.size(); };
  while ((absl::Now() - start < absl::Seconds(1) || acked() < 10) &&
         absl::Now() - start < absl::Seconds(20)) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  while (log.in_flight == 0 && absl::Now() - start < absl::Seconds(20)) std::this_thread::yield();
  daemon_->Signal(SIGKILL);
  auto code = daemon_->Wait(absl::Seconds(20));
  log.stop = true;
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(code.ok()) << code.status();
  ASSERT_GE(log.acked.size(), 10u);

  ASSERT_NO_FATAL_FAILURE(StartDaemon());  // recovery, as an operator would restart it
  auto audit = ByRequestId(AllAudit(*store_));
  auto ok_change = [&](const std::string& id) -> const AuditRecord* {
    const AuditRecord* found = nullptr;
    for (const AuditRecord& a : audit[id]) {
      if (a.outcome == "OK" && !absl::StrContains(a.detail, "replayed")) {
        EXPECT_EQ(found, nullptr) << id << " was applied twice";
        found = &a;
      }
    }
    return found;
  };
  for (const std::string& id : log.acked) {
    EXPECT_NE(ok_change(id), nullptr) << "acknowledged " << id << " has no audit record";
  }

  // API keys: each created (and each revoked) one has its OK record, and each OK record its key.
  auto keys = store_->ListApiKeys({0, 100000});
  ASSERT_TRUE(keys.ok()) << keys.status();
  std::map<int64_t, ApiKey> by_id;
  int created = 0;
  for (const ApiKey& k : *keys) {
    if (!absl::StartsWith(k.label, "c-")) continue;
    by_id[k.id] = k;
    ++created;
    const AuditRecord* rec = ok_change(k.label);
    ASSERT_NE(rec, nullptr) << "key " << k.id << " (" << k.label << ") has no audit record";
    EXPECT_EQ(KeyIdIn(rec->detail), k.id);
  }
  int revoked = 0;
  for (auto& [id, records] : audit) {
    const AuditRecord* rec = ok_change(id);
    if (rec == nullptr) continue;
    if (rec->method == "AdminService/CreateApiKey") {
      EXPECT_TRUE(by_id.count(KeyIdIn(rec->detail))) << "record without its key: " << id;
    } else if (rec->method == "AdminService/RevokeApiKey") {
      ++revoked;
      auto key = by_id.find(KeyIdIn(rec->detail));
      ASSERT_NE(key, by_id.end()) << rec->detail;
      EXPECT_TRUE(key->second.revoked_at.has_value()) << "record without its revocation: " << id;
    }
  }
  int revoked_keys = 0;
  for (const auto& [id, k] : by_id) revoked_keys += k.revoked_at.has_value() ? 1 : 0;
  EXPECT_EQ(revoked_keys, revoked) << "a revocation without its audit record";
  EXPECT_GT(created, 0);

  // Fund updates: a resend of the same request is a replay exactly when the first one changed
  // the fund before the kill, which is exactly when it had an OK record then.
  auto fund_stub = v1::FundService::NewStub(OwnChannel(daemon_->address()));
  std::map<std::string, bool> had_record;
  for (const auto& [id, update] : log.updates) had_record[id] = ok_change(id) != nullptr;
  for (const auto& [id, update] : log.updates) {
    grpc::ClientContext ctx;
    Authorize(ctx, admin_);
    v1::Fund fund;
    grpc::Status st = fund_stub->UpdateFund(&ctx, update, &fund);
    ASSERT_TRUE(st.ok()) << id << ": " << st.error_message();
  }
  auto after = ByRequestId(AllAudit(*store_));
  int applied_before_kill = 0;
  for (const auto& [id, update] : log.updates) {
    ASSERT_FALSE(after[id].empty());
    const AuditRecord& resend = after[id].back();
    EXPECT_EQ(resend.outcome, "OK");
    EXPECT_EQ(absl::StrContains(resend.detail, "replayed"), had_record[id])
        << id << ": change and audit record disagree (" << resend.detail << ")";
    applied_before_kill += had_record[id] ? 1 : 0;
  }
  EXPECT_GT(applied_before_kill, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditRiskcapdTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgresql),
                         testing::BackendTestName);

}  // namespace
}  // namespace riskcap
