// Durability of the real riskcapd on both backends: every acknowledged margin submission
// survives a SIGKILL under concurrent load, and retrying cut-off calls never stores one twice.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

using testing::RiskcapdProcess;

constexpr int kClientThreads = 8;
constexpr absl::Duration kLoadTime = absl::Milliseconds(1500);
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

// What the client threads saw. Thread-safe.
struct LoadLog {
  struct Acked {
    v1::SubmitMarginRequest request;
    v1::SubmissionReceipt receipt;
  };

  void Record(const v1::SubmitMarginRequest& request, const grpc::Status& status,
              const v1::SubmissionReceipt& receipt) {
    std::lock_guard lock(mu);
    if (status.ok()) {
      acked.push_back({request, receipt});
      return;
    }
    unacked.push_back(request);
    if (!killed) {
      early_failures.push_back(absl::StrCat(status.error_code(), " ", status.error_message()));
    }
  }

  std::mutex mu;
  std::vector<Acked> acked;                        // OK: the server promised it is stored
  std::vector<v1::SubmitMarginRequest> unacked;    // failed or cut off: the client must retry
  std::vector<std::string> early_failures;         // failures before the kill (none expected)
  std::atomic<int> in_flight{0};
  std::atomic<bool> killed{false};
  std::atomic<bool> stop{false};
};

v1::SubmitMarginRequest LoadRequest(int thread, int n) {
  v1::SubmitMarginRequest r;
  r.set_request_id(absl::StrCat("durability-", thread, "-", n));
  r.set_fund_id(n % 2 == 0 ? 101 : 201);
  r.set_reference_date("2025-06-30");
  r.set_local_margin(absl::StrCat(1000 + n, ".", thread));
  r.set_offshore_margin("0");
  r.set_methodology("durability test load");
  return r;
}

void Authorize(grpc::ClientContext& ctx, const std::string& secret) {
  ctx.AddMetadata("authorization", "Bearer " + secret);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

// A channel with its own connection (no subchannel shared with other channels).
std::unique_ptr<v1::MarginService::Stub> OwnStub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return v1::MarginService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

// One client thread: submits back to back until told to stop or a call fails after the kill.
void FireSubmissions(const std::string& address, const std::string& secret, int thread,
                     LoadLog& log) {
  auto stub = OwnStub(address);
  for (int n = 0; !log.stop; ++n) {
    v1::SubmitMarginRequest request = LoadRequest(thread, n);
    grpc::ClientContext ctx;
    Authorize(ctx, secret);
    v1::SubmissionReceipt receipt;
    ++log.in_flight;
    grpc::Status status = stub->SubmitMargin(&ctx, request, &receipt);
    --log.in_flight;
    log.Record(request, status, receipt);
    if (!status.ok() && log.killed) return;
  }
}

class DurabilityTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto prepared = testing::PrepareDaemonStore(GetParam(), "durability-test", 1);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    secret_ = prepared->secret;
  }

  // Starts riskcapd over the scratch store on a port it picks and waits for it to serve.
  void StartDaemon() {
    auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", scratch_->url()},
                                                  {"RISKCAP_WORKER_THREADS", "32"}},
                                          .timeout = kStartTimeout});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    address_ = daemon_->address();
  }

  // Runs the client threads for kLoadTime (longer if nothing was acknowledged yet), then
  // SIGKILLs riskcapd at a moment when at least one call is in flight.
  void LoadAndKill(LoadLog& log) {
    std::vector<std::thread> threads;
    for (int t = 0; t < kClientThreads; ++t) {
      threads.emplace_back(FireSubmissions, address_, secret_, t, std::ref(log));
    }
    absl::Time start = absl::Now();
    auto acked = [&] { std::lock_guard lock(log.mu); return log.acked.size(); };
    auto elapsed = [&] { return absl::Now() - start; };
    while ((elapsed() < kLoadTime || acked() == 0) && elapsed() < absl::Seconds(10)) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    while (log.in_flight == 0 && elapsed() < absl::Seconds(10)) std::this_thread::yield();
    in_flight_at_kill_ = log.in_flight;
    log.killed = true;
    daemon_->Signal(SIGKILL);
    auto code = daemon_->Wait(absl::Seconds(20));
    log.stop = true;
    for (std::thread& t : threads) t.join();
    ASSERT_TRUE(code.ok()) << code.status();
    EXPECT_EQ(*code, 128 + SIGKILL);
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::string secret_;
  std::unique_ptr<RiskcapdProcess> daemon_;
  std::string address_;
  int in_flight_at_kill_ = 0;
};

// Reads every acknowledged submission back through the restarted server.
void ExpectAllAckedStored(const std::string& address, const std::string& secret,
                          const std::vector<LoadLog::Acked>& acked) {
  auto stub = OwnStub(address);
  int missing = 0;
  for (const LoadLog::Acked& a : acked) {
    grpc::ClientContext ctx;
    Authorize(ctx, secret);
    v1::GetSubmissionRequest request;
    request.set_submission_id(a.receipt.submission_id());
    v1::MarginSubmission got;
    grpc::Status status = stub->GetSubmission(&ctx, request, &got);
    if (!status.ok()) {
      ADD_FAILURE() << "acknowledged submission " << a.receipt.submission_id() << " ("
                    << a.request.request_id() << "): " << status.error_code() << " "
                    << status.error_message();
      if (++missing >= 10) return;
      continue;
    }
    EXPECT_EQ(got.request_id(), a.request.request_id());
    EXPECT_EQ(got.content_hash(), a.receipt.content_hash());
    EXPECT_EQ(got.fund_id(), a.request.fund_id());
  }
}

// Retries every call that was not acknowledged, as a client must; each now succeeds.
void RetryUnacked(const std::string& address, const std::string& secret,
                  const std::vector<v1::SubmitMarginRequest>& unacked) {
  auto stub = OwnStub(address);
  for (const v1::SubmitMarginRequest& request : unacked) {
    grpc::ClientContext ctx;
    Authorize(ctx, secret);
    v1::SubmissionReceipt receipt;
    grpc::Status status = stub->SubmitMargin(&ctx, request, &receipt);
    EXPECT_TRUE(status.ok()) << request.request_id() << ": " << status.error_message();
  }
}

// How many stored submissions each request_id has, read through ListSubmissions.
std::map<std::string, int> SubmissionsPerRequestId(const std::string& address,
                                                   const std::string& secret) {
  auto stub = OwnStub(address);
  std::map<std::string, int> count;
  v1::ListSubmissionsRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext ctx;
    Authorize(ctx, secret);
    v1::ListSubmissionsResponse page;
    grpc::Status status = stub->ListSubmissions(&ctx, request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::MarginSubmission& s : page.submissions()) ++count[s.request_id()];
    if (!status.ok() || page.next_page_token().empty()) return count;
    request.set_page_token(page.next_page_token());
  }
}

TEST_P(DurabilityTest, AcknowledgedSubmissionsSurviveSigkillAndRetriesNeverDuplicate) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  LoadLog log;
  ASSERT_NO_FATAL_FAILURE(LoadAndKill(log));
  EXPECT_EQ(log.early_failures, std::vector<std::string>{});
  EXPECT_GT(in_flight_at_kill_, 0);
  ASSERT_FALSE(log.acked.empty());
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ExpectAllAckedStored(address_, secret_, log.acked);
  RetryUnacked(address_, secret_, log.unacked);
  std::map<std::string, int> per_request_id = SubmissionsPerRequestId(address_, secret_);
  EXPECT_EQ(per_request_id.size(), log.acked.size() + log.unacked.size());
  for (const auto& [request_id, n] : per_request_id) EXPECT_EQ(n, 1) << request_id;
  std::cout << "[ DURABLE  ] " << log.acked.size() << " acknowledged submissions read back, "
            << log.unacked.size() << " cut-off calls retried, " << in_flight_at_kill_
            << " in flight at SIGKILL\n";
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(DurabilityTest);

}  // namespace
}  // namespace riskcap
