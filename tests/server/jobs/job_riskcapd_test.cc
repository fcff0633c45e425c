// riskcapd end to end: with the simulated upstream as its source it runs the real pipeline (every
// job of docs/jobs.md but backup), serves the resulting status, re-runs it as a no-op, and stops
// cleanly.
#include <csignal>
#include <map>
#include <vector>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {
namespace {

class JobRiskcapd : public ::testing::TestWithParam<db::Backend> {};

// Runs the pipeline for 2026-11-20 under `request_id`, follows it to the end and returns its
// children in pipeline order (as last streamed).
std::vector<v1::JobRun> RunPipeline(v1::JobService::Stub& stub, const std::string& secret,
                                    const std::string& request_id) {
  v1::RunPipelineRequest run;
  run.set_request_id(request_id);
  run.set_reference_date("2026-11-20");
  v1::JobRun pipeline;
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, secret);
    grpc::Status st = stub.RunPipeline(&ctx, run, &pipeline);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) return {};
  }
  std::map<int64_t, v1::JobRun> children;
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, secret);
    v1::WatchJobRunRequest watch;
    watch.set_job_run_id(pipeline.job_run_id());
    auto reader = stub.WatchJobRun(&ctx, watch);
    v1::JobRun update, last;
    while (reader->Read(&update)) {
      if (update.job_run_id() == pipeline.job_run_id()) last = update;
      if (update.parent_job_run_id() == pipeline.job_run_id()) children[update.job_run_id()] = update;
    }
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(last.state(), v1::JOB_RUN_STATE_SUCCEEDED) << last.error_message();
  }
  std::vector<v1::JobRun> ordered;
  for (auto& [id, child] : children) {
    EXPECT_EQ(child.state(), v1::JOB_RUN_STATE_SUCCEEDED)
        << child.job() << ": " << child.error_message();
    ordered.push_back(child);
  }
  return ordered;
}

TEST_P(JobRiskcapd, RunsThePipelineFromTheUpstreamReRunsItAsANoOpAndStopsOnSigterm) {
  auto sim = UpstreamSim::Start({"--seed", "7", "--funds", "40"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  auto prepared = PrepareDaemonStore(GetParam(), "jobs");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  prepared->store.reset();
  auto proc = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", prepared->scratch->url()},
                                              {"RISKCAP_JOB_WORKERS", "1"},
                                              {"RISKCAP_SOURCE", (*sim)->url()}}});
  ASSERT_TRUE(proc.ok()) << proc.status();
  auto channel = grpc::CreateChannel((*proc)->address(), grpc::InsecureChannelCredentials());
  auto stub = v1::JobService::NewStub(channel);

  std::vector<v1::JobRun> first = RunPipeline(*stub, prepared->secret, "demo-pipeline");
  ASSERT_EQ(first.size(), 8u);
  for (const v1::JobRun& child : first) EXPECT_FALSE(child.output_content_hash().empty()) << child.job();

  // The status the pipeline stored is served: one row per active fund (the upstream's 40 that
  // nav_snapshot registered, plus those the test store was prepared with).
  int fund_count = 0;
  {
    auto funds = v1::FundService::NewStub(channel);
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, prepared->secret);
    v1::ListFundsRequest request;
    request.set_page_size(1000);
    v1::ListFundsResponse response;
    ASSERT_TRUE(funds->ListFunds(&ctx, request, &response).ok());
    fund_count = response.funds_size();
    EXPECT_GE(fund_count, 40);
  }
  {
    auto risk = v1::RiskService::NewStub(channel);
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, prepared->secret);
    v1::ListFundStatusRequest request;
    request.set_as_of_date("2026-11-20");
    request.set_page_size(1000);
    request.set_include_not_monitored(true);
    v1::ListFundStatusResponse response;
    grpc::Status st = risk->ListFundStatus(&ctx, request, &response);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(response.statuses_size(), fund_count);
  }

  // Same inputs: every job writes nothing new and reproduces its hash — but `positions`, whose
  // output is the positions batch that `swaps` then completed: its re-run finds that batch
  // current and reports it (docs/sources.md, "how swaps join the batch").
  std::vector<v1::JobRun> again = RunPipeline(*stub, prepared->secret, "demo-pipeline-again");
  ASSERT_EQ(again.size(), first.size());
  std::map<v1::JobKind, std::string> first_hash;
  for (const v1::JobRun& run : first) first_hash[run.job()] = run.output_content_hash();
  for (size_t i = 0; i < again.size(); ++i) {
    EXPECT_EQ(again[i].job(), first[i].job());
    EXPECT_EQ(again[i].rows_written(), 0) << again[i].job();
    const std::string& expected =
        again[i].job() == v1::JOB_KIND_POSITIONS ? first_hash[v1::JOB_KIND_SWAPS] : first_hash[again[i].job()];
    EXPECT_EQ(again[i].output_content_hash(), expected) << again[i].job();
  }
  stub.reset();
  channel.reset();  // an open channel that streamed would hold the server until its grace ends
  (*proc)->Signal(SIGTERM);
  auto code = (*proc)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*proc)->Stderr();
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobRiskcapd);

}  // namespace
}  // namespace riskcap::testing
