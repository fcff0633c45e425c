// The real riskcapd under stream load (server/rpc/stream_limits.h, server/rpc/stream_call.h): streams are
// authenticated before anything else, capped in total and per key, ended when idle or when their
// key is revoked — while unary calls of other keys and the health service keep answering.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "riskcap/v1/ingest.grpc.pb.h"
#include "server/rpc/stream_limits.h"
#include "tests/testing/grpc_probe.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/wait.h"

namespace riskcap {
namespace {

using std::chrono::system_clock;

// A streaming call running on its own thread until it ends; cancelled and joined on destruction.
class BackgroundCall {
 public:
  using Body = std::function<grpc::Status(grpc::ClientContext&)>;
  explicit BackgroundCall(Body body)
      : thread_([this, body = std::move(body)] {
          grpc::Status status = body(context_);
          absl::MutexLock lock(&mu_);
          status_ = status;
        }) {}
  ~BackgroundCall() {
    context_.TryCancel();
    thread_.join();
  }
  std::optional<grpc::Status> status() const {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  grpc::ClientContext context_;
  mutable absl::Mutex mu_;
  std::optional<grpc::Status> status_;
  std::thread thread_;  // last: starts once the rest is constructed
};

using Calls = std::vector<std::unique_ptr<BackgroundCall>>;

int Ended(const Calls& calls) {
  int n = 0;
  for (const auto& c : calls) n += c->status().has_value() ? 1 : 0;
  return n;
}

using testing::WaitFor;

void Authorize(grpc::ClientContext& ctx, const std::string& secret, std::chrono::seconds timeout) {
  if (!secret.empty()) ctx.AddMetadata("authorization", "Bearer " + secret);
  ctx.set_deadline(system_clock::now() + timeout);
}

// An upload that sends its header (when `header`) and then nothing, never closing.
BackgroundCall::Body IdleUpload(v1::IngestService::Stub& stub, std::string secret, bool header) {
  return [&stub, secret, header](grpc::ClientContext& ctx) {
    Authorize(ctx, secret, std::chrono::seconds(30));
    v1::UploadResponse response;
    auto writer = stub.UploadPositions(&ctx, &response);
    if (header) {
      v1::UploadPositionsRequest first;
      first.mutable_header()->set_request_id("idle-upload");
      first.mutable_header()->set_reference_date("2026-01-02");
      first.mutable_header()->set_source("test");
      writer->Write(first);
    }
    return writer->Finish();
  };
}

BackgroundCall::Body Watch(v1::FindingService::Stub& stub, std::string secret) {
  return [&stub, secret](grpc::ClientContext& ctx) {
    Authorize(ctx, secret, std::chrono::seconds(30));
    auto reader = stub.WatchFindings(&ctx, v1::WatchFindingsRequest());
    v1::Finding finding;
    while (reader->Read(&finding)) {
    }
    return reader->Finish();
  };
}

TEST(StreamLimits, CapsPerKeyAndInTotalAndFreesASlotWhenItEnds) {
  server::StreamLimits limits({.max_streams = 3, .max_streams_per_key = 2});
  grpc::ServerContext context;  // never cancelled here: no slot idles
  auto a1 = limits.Admit(1, context, "m");
  auto a2 = limits.Admit(1, context, "m");
  ASSERT_TRUE(a1.ok() && a2.ok());
  auto a3 = limits.Admit(1, context, "m");
  EXPECT_EQ(a3.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(a3.status().message().find("RISKCAP_MAX_STREAMS_PER_KEY"), std::string::npos);
  auto b1 = limits.Admit(2, context, "m");
  ASSERT_TRUE(b1.ok());
  auto b2 = limits.Admit(2, context, "m");
  EXPECT_EQ(b2.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(b2.status().message().find("total cap, RISKCAP_MAX_STREAMS)"), std::string::npos);
  EXPECT_EQ(limits.open_streams(), 3);
  a1->reset();  // a stream ends: its key and the total have room again
  EXPECT_EQ(limits.open_streams(), 2);
  EXPECT_TRUE(limits.Admit(1, context, "m").ok());
}

class StreamLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    auto prepared = testing::PrepareDaemonStore(db::Backend::kSqlite, "unary-caller");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    daemon_store_ = std::move(*prepared);
  }

  std::string Key(Role role, std::optional<int64_t> manager = std::nullopt,
                  int64_t* id = nullptr) {
    auto secret = testing::CreateDaemonKey(daemon_store_, role, manager, id);
    EXPECT_TRUE(secret.ok()) << secret.status();
    return secret.value_or("");
  }

  // riskcapd with 4 worker threads (a sync pool of 10), at most 4 streams, and `env` on top.
  void StartDaemon(std::map<std::string, std::string> env) {
    env.emplace("RISKCAP_DB", daemon_store_.scratch->url());
    env.emplace("RISKCAP_WORKER_THREADS", "4");
    env.emplace("RISKCAP_MAX_STREAMS", "4");
    env.emplace("RISKCAP_MAX_STREAMS_PER_KEY", "2");
    started_ = absl::Now();
    auto proc = testing::RiskcapdProcess::Start({.env = env, .timeout = absl::Seconds(20)});
    ASSERT_TRUE(proc.ok()) << proc.status();
    daemon_ = std::move(*proc);
    attacker_ = grpc::CreateChannel(daemon_->address(), grpc::InsecureChannelCredentials());
    ingest_ = v1::IngestService::NewStub(attacker_);
    findings_ = v1::FindingService::NewStub(attacker_);
  }

  // Ten unary calls of another key over a connection of its own, each answered OK within 1 s,
  // and the health service answering SERVING.
  void ExpectOthersServed() {
    grpc::ChannelArguments args;
    args.SetInt("riskcap.test.own_connection", ++probes_);
    auto channel = grpc::CreateCustomChannel(daemon_->address(),
                                             grpc::InsecureChannelCredentials(), args);
    auto stub = v1::FindingService::NewStub(channel);
    for (int i = 0; i < 10; ++i) {
      grpc::ClientContext ctx;
      Authorize(ctx, daemon_store_.secret, std::chrono::seconds(1));
      v1::ListFindingsResponse response;
      grpc::Status st = stub->ListFindings(&ctx, v1::ListFindingsRequest(), &response);
      EXPECT_TRUE(st.ok()) << "unary call " << i << ": " << st.error_code() << " "
                           << st.error_message();
    }
    auto serving = testing::HealthServing(channel);
    ASSERT_TRUE(serving.ok()) << serving.status();
    EXPECT_TRUE(*serving);
  }

  // The ended calls: each RESOURCE_EXHAUSTED with a message naming `setting`.
  void ExpectEndedExhausted(const Calls& calls, const std::string& setting) {
    for (const auto& c : calls) {
      std::optional<grpc::Status> st = c->status();
      if (!st) continue;
      EXPECT_EQ(st->error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st->error_message();
      EXPECT_NE(st->error_message().find(setting), std::string::npos) << st->error_message();
    }
  }

  // riskcapd logged the warning `msg`, throttled (server/rpc/stream_limits.h, auth.h): at most
  // one line per 10 s since it started, though `provoked` calls (more than that) asked for one.
  void ExpectThrottledWarning(const std::string& msg, int provoked) {
    const std::string record = absl::StrCat("level=warning msg=\"", msg, "\"");
    absl::Status logged = daemon_->WaitForStderr(record, absl::Seconds(5));
    ASSERT_TRUE(logged.ok()) << logged;
    const int intervals = 1 + static_cast<int>((absl::Now() - started_) / absl::Seconds(10));
    ASSERT_GT(provoked, intervals) << "too few calls to tell a throttled log from one per call";
    const std::string log = daemon_->Stderr();
    int lines = 0;
    for (size_t at = log.find(record); at != std::string::npos; at = log.find(record, at + 1)) {
      ++lines;
    }
    EXPECT_LE(lines, intervals) << provoked << " calls provoked '" << msg << "':\n" << log;
  }

  testing::DaemonStore daemon_store_;
  std::unique_ptr<testing::RiskcapdProcess> daemon_;
  std::shared_ptr<grpc::Channel> attacker_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::FindingService::Stub> findings_;
  int probes_ = 0;
  absl::Time started_;  // when the daemon was started
};

TEST_F(StreamLoad, IdleUnauthenticatedUploadsAreRefusedWhileOthersAreServed) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({}));  // caps: 4 in all, 2 per key
  Calls uploads;  // twice the stream cap, no token, sending nothing
  for (int i = 0; i < 8; ++i) {
    uploads.push_back(std::make_unique<BackgroundCall>(IdleUpload(*ingest_, "", false)));
  }
  EXPECT_TRUE(WaitFor([&] { return Ended(uploads) == 8; }, absl::Seconds(10)))
      << Ended(uploads) << " of 8 unauthenticated uploads ended";
  for (const auto& u : uploads) {
    if (auto st = u->status()) {
      EXPECT_EQ(st->error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }
  }
  ExpectThrottledWarning("authentication failed", 8);
  ExpectOthersServed();
}

TEST_F(StreamLoad, UploadsBeyondTheTotalCapAreExhaustedWhileOthersAreServed) {
  std::vector<std::string> uploaders;
  for (int i = 0; i < 4; ++i) uploaders.push_back(Key(Role::kService));
  ASSERT_NO_FATAL_FAILURE(StartDaemon({}));  // caps: 4 in all, 2 per key
  Calls uploads;  // 2 per key (the per-key cap), 8 in all: twice the total cap
  for (const std::string& key : uploaders) {
    for (int i = 0; i < 2; ++i) {
      uploads.push_back(std::make_unique<BackgroundCall>(IdleUpload(*ingest_, key, true)));
    }
  }
  EXPECT_TRUE(WaitFor([&] { return Ended(uploads) == 4; }, absl::Seconds(10)))
      << Ended(uploads) << " of 8 uploads ended";
  ExpectEndedExhausted(uploads, "RISKCAP_MAX_STREAMS");
  ExpectThrottledWarning("stream refused: cap reached", Ended(uploads));
  ExpectOthersServed();
  EXPECT_EQ(Ended(uploads), 4);  // the admitted ones are still open
}

TEST_F(StreamLoad, OneKeysWatchesBeyondItsCapAreExhaustedWhileOthersAreServed) {
  const std::string manager = Key(Role::kManager, 1);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({{"RISKCAP_MAX_STREAMS_PER_KEY", "4"}}));
  Calls watches;  // twice the per-key cap
  for (int i = 0; i < 8; ++i) {
    watches.push_back(std::make_unique<BackgroundCall>(Watch(*findings_, manager)));
  }
  EXPECT_TRUE(WaitFor([&] { return Ended(watches) == 4; }, absl::Seconds(10)))
      << Ended(watches) << " of 8 watches ended";
  ExpectEndedExhausted(watches, "RISKCAP_MAX_STREAMS_PER_KEY");
  ExpectThrottledWarning("stream refused: cap reached", Ended(watches));
  ExpectOthersServed();
  EXPECT_EQ(Ended(watches), 4);
}

TEST_F(StreamLoad, IdleUploadsAreEndedByTheIdleLimit) {
  const std::string uploader = Key(Role::kService);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({{"RISKCAP_STREAM_IDLE_SECONDS", "1"}}));
  const absl::Time start = absl::Now();
  Calls uploads;  // one stalls after its header, one never sends a message
  uploads.push_back(std::make_unique<BackgroundCall>(IdleUpload(*ingest_, uploader, true)));
  uploads.push_back(std::make_unique<BackgroundCall>(IdleUpload(*ingest_, uploader, false)));
  ASSERT_TRUE(WaitFor([&] { return Ended(uploads) == 2; }, absl::Seconds(10)))
      << "idle uploads still open after 10 s";
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));
  for (const auto& u : uploads) EXPECT_EQ(u->status()->error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitFor([&] { return daemon_->Stderr().find("idle limit reached") !=
                                   std::string::npos; },
                      absl::Seconds(5)))
      << daemon_->Stderr();
}

TEST_F(StreamLoad, RevokedKeysOpenWatchEndsUnauthenticated) {
  int64_t key_id = 0;
  const std::string manager = Key(Role::kManager, 1, &key_id);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({}));
  grpc::ClientContext ctx;
  Authorize(ctx, manager, std::chrono::seconds(30));
  auto reader = findings_->WatchFindings(&ctx, v1::WatchFindingsRequest());
  reader->WaitForInitialMetadata();  // the watch is open on the server
  ASSERT_TRUE(daemon_store_.store->RevokeApiKey(key_id, absl::Now()).ok());
  const absl::Time revoked = absl::Now();
  v1::Finding finding;
  while (reader->Read(&finding)) {
  }
  grpc::Status st = reader->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  EXPECT_LT(absl::Now() - revoked, absl::Seconds(5));
}

TEST_F(StreamLoad, ManagersWatchOfAFundItLostEnds) {
  const std::string manager = Key(Role::kManager, 1);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({}));
  grpc::ClientContext ctx;
  Authorize(ctx, manager, std::chrono::seconds(30));
  v1::WatchFindingsRequest request;
  request.set_fund_id(101);
  auto reader = findings_->WatchFindings(&ctx, request);
  reader->WaitForInitialMetadata();
  auto fund = daemon_store_.store->GetFund(101);
  ASSERT_TRUE(fund.ok()) << fund.status();
  fund->manager_id = 2;
  ASSERT_TRUE(daemon_store_.store->UpdateFund(*fund).ok());
  v1::Finding finding;
  while (reader->Read(&finding)) {
  }
  grpc::Status st = reader->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
}

TEST_F(StreamLoad, AnIdleConnectionIsClosedByTheServer) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({{"RISKCAP_MAX_CONNECTION_IDLE_SECONDS", "1"}}));
  auto stub = v1::FindingService::NewStub(attacker_);
  grpc::ClientContext ctx;
  Authorize(ctx, daemon_store_.secret, std::chrono::seconds(5));
  v1::ListFindingsResponse response;
  ASSERT_TRUE(stub->ListFindings(&ctx, v1::ListFindingsRequest(), &response).ok());
  ASSERT_EQ(attacker_->GetState(false), GRPC_CHANNEL_READY);
  // The client would keep the connection for 30 minutes; only the server's GOAWAY ends it now.
  // (Measured: about 5 s for a 1 s limit, gRPC's GOAWAY handshake included.)
  EXPECT_TRUE(WaitFor([&] { return attacker_->GetState(false) != GRPC_CHANNEL_READY; },
                      absl::Seconds(15)));
}

}  // namespace
}  // namespace riskcap
