// The real riskcapd: an open WatchFindings stream ends promptly on SIGTERM (its FindingNotifier is
// shut down before the server), well inside the 30 s shutdown grace it would otherwise wait for.
#include <signal.h>

#include <chrono>

#include <grpcpp/grpcpp.h>

#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

TEST(FindingWatchDaemon, OpenStreamEndsPromptlyOnSigterm) {
  auto prepared = testing::PrepareDaemonStore(db::Backend::kSqlite, "watcher");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  prepared->store.reset();
  auto proc = testing::RiskcapdProcess::Start(
      {.env = {{"RISKCAP_DB", prepared->scratch->url()},
               {"RISKCAP_SHUTDOWN_GRACE_SECONDS", "30"}},
       .timeout = absl::Seconds(20)});
  ASSERT_TRUE(proc.ok()) << proc.status();
  auto stub = v1::FindingService::NewStub(
      grpc::CreateChannel((*proc)->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + prepared->secret);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto reader = stub->WatchFindings(&ctx, v1::WatchFindingsRequest());
  reader->WaitForInitialMetadata();  // the stream is open on the server
  const auto signalled = std::chrono::steady_clock::now();
  (*proc)->Signal(SIGTERM);
  v1::Finding finding;
  EXPECT_FALSE(reader->Read(&finding));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  auto code = (*proc)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*proc)->Stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, std::chrono::seconds(10));
}

}  // namespace
}  // namespace riskcap
