// Durability of the real riskcapd on both backends: SIGKILLed 20 times under concurrent
// submission load, it loses no acknowledged submission, retried cut-off calls never store one
// twice, and the SQLite file passes its integrity check after every kill.
#include <signal.h>

#include <iostream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/submission_load.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

using testing::RiskcapdProcess;
using testing::SubmissionLoad;

constexpr int kKills = 20;
constexpr int kClientThreads = 6;
constexpr absl::Duration kLoadTime = absl::Milliseconds(300);
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

class DurabilityTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto prepared = testing::PrepareDaemonStore(GetParam(), "durability-test", 1);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    prepared->store.reset();  // riskcapd is the store's only user
    scratch_ = std::move(prepared->scratch);
    secret_ = prepared->secret;
  }

  void StartDaemon() {
    auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", scratch_->url()},
                                                  {"RISKCAP_WORKER_THREADS", "32"}},
                                          .timeout = kStartTimeout});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  // Runs the load for kLoadTime (longer until something was acknowledged), then SIGKILLs
  // riskcapd while at least one call is in flight. Returns what the clients saw.
  void LoadAndKill(SubmissionLoad& load, absl::Time* killed_at) {
    const absl::Time start = absl::Now();
    auto elapsed = [&] { return absl::Now() - start; };
    while ((elapsed() < kLoadTime || load.acked_count() == 0) && elapsed() < absl::Seconds(10)) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    while (load.in_flight() == 0 && elapsed() < absl::Seconds(10)) std::this_thread::yield();
    in_flight_at_kills_.push_back(load.in_flight());
    *killed_at = absl::Now();
    daemon_->Signal(SIGKILL);
    auto code = daemon_->Wait(absl::Seconds(20));
    load.Stop();
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 128 + SIGKILL);
  }

  // PRAGMA integrity_check on the SQLite file while no riskcapd has it open.
  void ExpectSqliteIntact() {
    if (GetParam() != db::Backend::kSqlite) return;
    auto store = db::Store::Open(scratch_->url(), 1);
    ASSERT_TRUE(store.ok()) << store.status();
    std::string verdict;
    absl::Status st = testing::ReadSql(**store, [&](soci::session& s) -> absl::Status {
      s << "PRAGMA integrity_check", soci::into(verdict);
      return absl::OkStatus();
    });
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(verdict, "ok");
  }

  // Retries every call that was cut off, as a client must; each now succeeds.
  void RetryUnacked(const std::vector<v1::SubmitMarginRequest>& unacked,
                    std::vector<SubmissionLoad::Acked>& acked) {
    auto stub = testing::OwnMarginStub(daemon_->address());
    for (const v1::SubmitMarginRequest& request : unacked) {
      grpc::ClientContext ctx;
      testing::AuthorizeCall(ctx, secret_);
      v1::SubmissionReceipt receipt;
      grpc::Status status = stub->SubmitMargin(&ctx, request, &receipt);
      EXPECT_TRUE(status.ok()) << request.request_id() << ": " << status.error_message();
      if (status.ok()) acked.push_back({request, receipt});
    }
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::string secret_;
  std::unique_ptr<RiskcapdProcess> daemon_;
  std::vector<int> in_flight_at_kills_;
};

TEST_P(DurabilityTest, AcknowledgedSubmissionsSurviveTwentySigkillsAndRetriesNeverDuplicate) {
  std::vector<SubmissionLoad::Acked> acked;  // over all rounds
  std::vector<v1::SubmitMarginRequest> unacked;
  size_t retried = 0;
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  for (int round = 0; round < kKills; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    SubmissionLoad load(daemon_->address(), secret_, absl::StrCat("durability-", round),
                        kClientThreads);
    absl::Time killed_at;
    ASSERT_NO_FATAL_FAILURE(LoadAndKill(load, &killed_at));
    for (const SubmissionLoad::Failure& f : load.failures()) {
      EXPECT_GE(f.at, killed_at) << "failed before the kill: " << f.code << " " << f.message;
    }
    std::vector<SubmissionLoad::Acked> round_acked = load.acked();
    ASSERT_FALSE(round_acked.empty());
    acked.insert(acked.end(), round_acked.begin(), round_acked.end());
    unacked = load.unacked();
    ASSERT_NO_FATAL_FAILURE(ExpectSqliteIntact());
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    auto stored = testing::ListAllSubmissions(daemon_->address(), secret_);
    ASSERT_TRUE(stored.ok()) << stored.status();
    testing::ExpectAllAckedStored(acked, *stored);
    if (HasFailure()) return;
    RetryUnacked(unacked, acked);
    retried += unacked.size();
  }
  auto stored = testing::ListAllSubmissions(daemon_->address(), secret_);
  ASSERT_TRUE(stored.ok()) << stored.status();
  std::map<std::string, int> per_request_id;
  for (const v1::MarginSubmission& s : *stored) ++per_request_id[s.request_id()];
  EXPECT_EQ(per_request_id.size(), acked.size());
  for (const auto& [request_id, n] : per_request_id) EXPECT_EQ(n, 1) << request_id;
  int in_flight = 0;
  for (int n : in_flight_at_kills_) in_flight += n;
  std::cout << "[ DURABLE  ] " << kKills << " SIGKILLs: " << acked.size()
            << " acknowledged submissions read back after each, " << retried
            << " cut-off calls retried, " << in_flight << " calls in flight at the kills\n";
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(DurabilityTest);

}  // namespace
}  // namespace riskcap
