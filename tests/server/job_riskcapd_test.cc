// riskcapd end to end: it serves JobService with its job set, runs a pipeline, and stops cleanly.
#include <csignal>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {
namespace {

class JobRiskcapd : public ::testing::TestWithParam<db::Backend> {};

TEST_P(JobRiskcapd, RunsThePipelineAndStopsOnSigterm) {
  auto prepared = PrepareDaemonStore(GetParam(), "jobs");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  prepared->store.reset();
  auto proc = RiskcapdProcess::Start(
      {.env = {{"RISKCAP_DB", prepared->scratch->url()}, {"RISKCAP_JOB_WORKERS", "1"}}});
  ASSERT_TRUE(proc.ok()) << proc.status();
  auto stub = v1::JobService::NewStub(
      grpc::CreateChannel((*proc)->address(), grpc::InsecureChannelCredentials()));

  v1::RunPipelineRequest run;
  run.set_request_id("demo-pipeline");
  run.set_reference_date("2026-11-20");
  v1::JobRun pipeline;
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, prepared->secret);
    grpc::Status st = stub->RunPipeline(&ctx, run, &pipeline);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, prepared->secret);
    v1::WatchJobRunRequest watch;
    watch.set_job_run_id(pipeline.job_run_id());
    auto reader = stub->WatchJobRun(&ctx, watch);
    v1::JobRun update, last;
    int children = 0;
    while (reader->Read(&update)) {
      if (update.job_run_id() == pipeline.job_run_id()) last = update;
      if (update.parent_job_run_id() == pipeline.job_run_id() &&
          update.state() == v1::JOB_RUN_STATE_SUCCEEDED) {
        ++children;
      }
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(last.state(), v1::JOB_RUN_STATE_SUCCEEDED) << last.error_message();
    EXPECT_EQ(children, 8);
  }
  stub.reset();  // an open channel that streamed would hold the server until its grace ends
  (*proc)->Signal(SIGTERM);
  auto code = (*proc)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*proc)->Stderr();
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobRiskcapd);

}  // namespace
}  // namespace riskcap::testing
