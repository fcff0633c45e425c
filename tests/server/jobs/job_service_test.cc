// Tests of JobService (server/jobs/job_service.cc) and the job runner behind it, through a real gRPC
// server on both backends, with scripted test-only jobs.
#include "server/jobs/job_service.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/jobs/job_service_fixture.h"
#include "tests/testing/grpc_errors.h"

namespace riskcap::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kDate[] = "2026-11-20";

class JobServiceTest : public JobServiceFixture {
 protected:
  grpc::Status Run(v1::JobKind job, const std::string& date, v1::JobRun* out,
                   const std::string& request_id = "") {
    v1::RunJobRequest r;
    r.set_request_id(request_id.empty() ? NextRequestId() : request_id);
    r.set_job(job);
    r.set_reference_date(date);
    return Call(service_, &Stub::RunJob, r, out);
  }

  v1::JobRun MustRun(v1::JobKind job, const std::string& date = kDate) {
    v1::JobRun run;
    grpc::Status st = Run(job, date, &run);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return run;
  }

  v1::JobRun Pipeline(v1::JobKind from, const std::string& date = kDate) {
    v1::RunPipelineRequest r;
    r.set_request_id(NextRequestId());
    r.set_reference_date(date);
    r.set_from_job(from);
    v1::JobRun run;
    grpc::Status st = Call(service_, &Stub::RunPipeline, r, &run);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return run;
  }

  grpc::Status Cancel(int64_t id, v1::JobRun* out = nullptr) {
    v1::CancelJobRunRequest r;
    r.set_request_id(NextRequestId());
    r.set_job_run_id(id);
    return Call(service_, &Stub::CancelJobRun, r, out);
  }

  v1::JobRun Get(int64_t id) {
    v1::GetJobRunRequest r;
    r.set_job_run_id(id);
    v1::JobRun run;
    grpc::Status st = Call(analyst_, &Stub::GetJobRun, r, &run);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return run;
  }

  std::vector<int64_t> ListIds(v1::ListJobRunsRequest r, int page_size = 2) {
    std::vector<int64_t> ids;
    r.set_page_size(page_size);
    for (;;) {
      v1::ListJobRunsResponse page;
      grpc::Status st = Call(analyst_, &Stub::ListJobRuns, r, &page);
      EXPECT_TRUE(st.ok()) << st.error_message();
      for (const v1::JobRun& run : page.job_runs()) ids.push_back(run.job_run_id());
      if (!st.ok() || page.next_page_token().empty()) return ids;
      r.set_page_token(page.next_page_token());
    }
  }
};

TEST_P(JobServiceTest, RunJobReturnsQueuedAtOnceThenRecordsTheOutput) {
  script_.Set("nav_history", Behavior::kWriteNavHistory);
  v1::RunJobRequest r;
  r.set_request_id("run-1");
  r.set_job(v1::JOB_KIND_NAV_HISTORY);
  r.set_reference_date(kDate);
  (*r.mutable_parameters())["note"] = "backfill";
  v1::JobRun queued;
  ASSERT_TRUE(Call(service_, &Stub::RunJob, r, &queued).ok());
  EXPECT_EQ(queued.state(), v1::JOB_RUN_STATE_QUEUED);
  EXPECT_GT(queued.job_run_id(), 0);
  EXPECT_EQ(queued.job(), v1::JOB_KIND_NAV_HISTORY);
  EXPECT_EQ(queued.reference_date(), kDate);
  EXPECT_EQ(queued.parameters().at("note"), "backfill");
  EXPECT_EQ(queued.request_id(), "run-1");
  EXPECT_FALSE(queued.triggered_by().empty());

  EXPECT_EQ(Final(queued.job_run_id()).state, JobState::kSucceeded);
  v1::JobRun done = Get(queued.job_run_id());
  auto version = server_->store().GetSnapshotVersion(SnapshotKind::kNavHistory,
                                                     Date(2026, 11, 20), std::nullopt);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(done.state(), v1::JOB_RUN_STATE_SUCCEEDED);
  EXPECT_EQ(done.rows_read(), 1);
  EXPECT_EQ(done.rows_written(), 1);
  EXPECT_EQ(done.output_content_hash(), version->content_hash);
  EXPECT_EQ(done.output_load_id(), version->id);
  EXPECT_EQ(version->job_run_id, queued.job_run_id());
  EXPECT_EQ(done.progress_message(), "wrote 1 NAV history row (v1)");
  EXPECT_DOUBLE_EQ(done.progress_fraction(), 1.0);
  EXPECT_TRUE(done.has_start_time());
  EXPECT_TRUE(done.has_end_time());
  EXPECT_TRUE(done.error_message().empty());
}

TEST_P(JobServiceTest, InvalidRequestsNameTheirFields) {
  v1::RunJobRequest r;
  r.set_request_id("bad-1");
  r.set_job(v1::JOB_KIND_POSITIONS);
  (*r.mutable_parameters())["bogus"] = "1";
  grpc::Status st = Call(service_, &Stub::RunJob, r);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("parameters.bogus"));

  r.clear_parameters();
  r.set_job(v1::JOB_KIND_PIPELINE);
  r.set_reference_date("2026-13-01");
  st = Call(service_, &Stub::RunJob, r);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("job", "reference_date"));

  v1::RunPipelineRequest p;
  p.set_request_id("bad-2");
  p.set_from_job(v1::JOB_KIND_BACKUP);
  st = Call(service_, &Stub::RunPipeline, p);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("from_job"));
  EXPECT_TRUE(script_.Executed().empty());
}

TEST_P(JobServiceTest, ASecondRunOfAnActiveJobIsRefusedNamingTheActiveRun) {
  script_.Set("positions", Behavior::kBlock);
  v1::JobRun first = MustRun(v1::JOB_KIND_POSITIONS);
  ASSERT_TRUE(script_.WaitUntilBlocked(1));

  v1::JobRun ignored;
  grpc::Status st = Run(v1::JOB_KIND_POSITIONS, kDate, &ignored);
  EXPECT_EQ(st.error_code(), Code::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr(absl::StrCat("job run ", first.job_run_id())));
  EXPECT_THAT(st.error_message(), ::testing::HasSubstr("RUNNING"));

  script_.Release();
  EXPECT_EQ(Final(first.job_run_id()).state, JobState::kSucceeded);
  v1::JobRun again = MustRun(v1::JOB_KIND_POSITIONS);
  EXPECT_NE(again.job_run_id(), first.job_run_id());
  EXPECT_EQ(Final(again.job_run_id()).state, JobState::kSucceeded);
  EXPECT_EQ(script_.Executions("positions"), 2);
}

TEST_P(JobServiceTest, ARepeatedRequestIdReturnsTheSameRun) {
  v1::JobRun first, second;
  ASSERT_TRUE(Run(v1::JOB_KIND_SWAPS, kDate, &first, "same-id").ok());
  Final(first.job_run_id());
  ASSERT_TRUE(Run(v1::JOB_KIND_SWAPS, kDate, &second, "same-id").ok());
  EXPECT_EQ(second.job_run_id(), first.job_run_id());
  EXPECT_EQ(second.state(), v1::JOB_RUN_STATE_SUCCEEDED);
  EXPECT_EQ(Run(v1::JOB_KIND_SWAPS, "2026-11-21", &second, "same-id").error_code(),
            Code::ALREADY_EXISTS);
  EXPECT_EQ(script_.Executions("swaps"), 1);
}

TEST_P(JobServiceTest, ListFiltersNewestFirstAndPagesCoverEveryRunOnce) {
  std::vector<int64_t> ids;
  for (const char* date : {"2026-11-18", "2026-11-19", "2026-11-20"}) {
    ids.push_back(MustRun(v1::JOB_KIND_SWAPS, date).job_run_id());
    ids.push_back(MustRun(v1::JOB_KIND_POSITIONS, date).job_run_id());
  }
  script_.Set("reminders", Behavior::kFail);
  ids.push_back(MustRun(v1::JOB_KIND_REMINDERS).job_run_id());
  for (int64_t id : ids) Final(id);

  std::vector<int64_t> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(ListIds({}), newest_first);
  v1::ListJobRunsRequest by_job;
  by_job.set_job(v1::JOB_KIND_SWAPS);
  EXPECT_EQ(ListIds(by_job), (std::vector<int64_t>{ids[4], ids[2], ids[0]}));
  v1::ListJobRunsRequest by_date;
  by_date.set_reference_date("2026-11-19");
  EXPECT_EQ(ListIds(by_date), (std::vector<int64_t>{ids[3], ids[2]}));
  v1::ListJobRunsRequest failed;
  failed.set_state(v1::JOB_RUN_STATE_FAILED);
  EXPECT_EQ(ListIds(failed), std::vector<int64_t>{ids[6]});
  EXPECT_THAT(Get(ids[6]).error_message(), ::testing::HasSubstr("feed for reminders is empty"));

  v1::GetJobRunRequest missing;
  missing.set_job_run_id(999999);
  EXPECT_EQ(Call(analyst_, &Stub::GetJobRun, missing).error_code(), Code::NOT_FOUND);
  v1::ListJobRunsRequest bad_token;
  bad_token.set_page_token("not-a-token");
  EXPECT_EQ(Call(analyst_, &Stub::ListJobRuns, bad_token).error_code(), Code::INVALID_ARGUMENT);
}

TEST_P(JobServiceTest, PipelineFromANamedJobRunsTheRestInOrder) {
  v1::JobRun pipeline = Pipeline(v1::JOB_KIND_SWAPS);
  EXPECT_EQ(pipeline.job(), v1::JOB_KIND_PIPELINE);
  EXPECT_EQ(pipeline.state(), v1::JOB_RUN_STATE_QUEUED);
  EXPECT_EQ(pipeline.parameters().at("from_job"), "swaps");
  JobRun done = Final(pipeline.job_run_id());
  EXPECT_EQ(done.state, JobState::kSucceeded) << done.error;
  EXPECT_EQ(done.progress_message, "ran 4 jobs");
  EXPECT_EQ(script_.Executed(), (std::vector<std::string>{"swaps", "exposure_snapshot",
                                                          "margin_status", "reminders"}));
  v1::ListJobRunsRequest children;
  children.set_parent_job_run_id(pipeline.job_run_id());
  std::vector<int64_t> child_ids = ListIds(children);
  ASSERT_EQ(child_ids.size(), 4u);
  for (int64_t id : child_ids) {
    v1::JobRun child = Get(id);
    EXPECT_EQ(child.state(), v1::JOB_RUN_STATE_SUCCEEDED);
    EXPECT_EQ(child.parent_job_run_id(), pipeline.job_run_id());
  }
}

TEST_P(JobServiceTest, AFailureInTheMiddleFailsThePipelineSkipsTheRestAndKeepsTheCurrentVersion) {
  script_.Set("nav_history", Behavior::kWriteNavHistory);
  v1::JobRun good = MustRun(v1::JOB_KIND_NAV_HISTORY);
  ASSERT_EQ(Final(good.job_run_id()).state, JobState::kSucceeded);
  const Date date(2026, 11, 20);
  const int64_t current =
      server_->store().GetSnapshotVersion(SnapshotKind::kNavHistory, date, std::nullopt)->id;

  script_.Set("nav_history", Behavior::kFail);
  v1::JobRun pipeline = Pipeline(v1::JOB_KIND_MARGIN_INGEST);
  JobRun done = Final(pipeline.job_run_id());
  EXPECT_EQ(done.state, JobState::kFailed);
  EXPECT_THAT(done.error, ::testing::HasSubstr("nav_history failed: feed for nav_history is empty"));
  EXPECT_EQ(script_.Executed(),
            (std::vector<std::string>{"nav_history", "margin_ingest", "nav_history"}));

  v1::ListJobRunsRequest children;
  children.set_parent_job_run_id(pipeline.job_run_id());
  std::vector<int64_t> ids = ListIds(children);
  ASSERT_EQ(ids.size(), 7u);  // margin_ingest .. reminders, newest first
  EXPECT_EQ(Get(ids[6]).state(), v1::JOB_RUN_STATE_SUCCEEDED);  // margin_ingest
  EXPECT_EQ(Get(ids[5]).state(), v1::JOB_RUN_STATE_FAILED);     // nav_history
  for (int i = 0; i < 5; ++i) {
    v1::JobRun skipped = Get(ids[i]);
    EXPECT_EQ(skipped.state(), v1::JOB_RUN_STATE_CANCELLED);
    EXPECT_EQ(skipped.error_message(), "skipped: nav_history failed");
  }
  auto now = server_->store().GetSnapshotVersion(SnapshotKind::kNavHistory, date, std::nullopt);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->id, current);
}

TEST_P(JobServiceTest, CancellingAQueuedRunEndsItBeforeItStarts) {
  script_.Set("positions", Behavior::kBlock);
  v1::JobRun a = MustRun(v1::JOB_KIND_POSITIONS, "2026-11-18");
  v1::JobRun b = MustRun(v1::JOB_KIND_POSITIONS, "2026-11-19");
  ASSERT_TRUE(script_.WaitUntilBlocked(2));  // both workers busy
  v1::JobRun queued = MustRun(v1::JOB_KIND_SWAPS);
  v1::JobRun cancelled;
  ASSERT_TRUE(Cancel(queued.job_run_id(), &cancelled).ok());
  EXPECT_EQ(cancelled.state(), v1::JOB_RUN_STATE_CANCELLED);
  script_.Release();
  Final(a.job_run_id());
  Final(b.job_run_id());
  EXPECT_EQ(Final(queued.job_run_id()).state, JobState::kCancelled);
  EXPECT_EQ(script_.Executions("swaps"), 0);
  EXPECT_EQ(Cancel(queued.job_run_id()).error_code(), Code::FAILED_PRECONDITION);
}

TEST_P(JobServiceTest, CancellingARunningRunStopsItAtItsNextCheckpointWithoutOutput) {
  script_.Set("nav_history", Behavior::kBlock);
  v1::JobRun run = MustRun(v1::JOB_KIND_NAV_HISTORY);
  ASSERT_TRUE(script_.WaitUntilBlocked(1));
  ASSERT_TRUE(Cancel(run.job_run_id()).ok());
  JobRun done = Final(run.job_run_id());
  EXPECT_EQ(done.state, JobState::kCancelled);
  EXPECT_EQ(done.error, "cancelled while waiting");
  EXPECT_EQ(done.rows_written, 0);
  EXPECT_TRUE(done.output_hash.empty());
  EXPECT_EQ(server_->store()
                .GetSnapshotVersion(SnapshotKind::kNavHistory, Date(2026, 11, 20), std::nullopt)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(JobServiceTest, CancellingAPipelineCancelsItsCurrentJobAndSkipsTheRest) {
  script_.Set("margin_status", Behavior::kBlock);
  v1::JobRun pipeline = Pipeline(v1::JOB_KIND_EXPOSURE_SNAPSHOT);
  ASSERT_TRUE(script_.WaitUntilBlocked(1));
  ASSERT_TRUE(Cancel(pipeline.job_run_id()).ok());
  EXPECT_EQ(Final(pipeline.job_run_id()).state, JobState::kCancelled);
  v1::ListJobRunsRequest children;
  children.set_parent_job_run_id(pipeline.job_run_id());
  std::vector<int64_t> ids = ListIds(children);
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(Get(ids[2]).state(), v1::JOB_RUN_STATE_SUCCEEDED);  // exposure_snapshot
  EXPECT_EQ(Get(ids[1]).state(), v1::JOB_RUN_STATE_CANCELLED);  // margin_status
  EXPECT_EQ(Get(ids[0]).state(), v1::JOB_RUN_STATE_CANCELLED);  // reminders
  EXPECT_EQ(script_.Executions("reminders"), 0);
}

TEST_P(JobServiceTest, WatchStreamsProgressAndEndsAtTheFinalState) {
  script_.Set("positions", Behavior::kBlock);
  v1::JobRun run = MustRun(v1::JOB_KIND_POSITIONS);
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, analyst_);
  v1::WatchJobRunRequest r;
  r.set_job_run_id(run.job_run_id());
  auto reader = stub_->WatchJobRun(&ctx, r);
  v1::JobRun update;
  bool saw_progress = false;
  while (!saw_progress && reader->Read(&update)) {
    saw_progress = update.state() == v1::JOB_RUN_STATE_RUNNING &&
                   absl::StartsWith(update.progress_message(), "waiting (") &&
                   update.progress_fraction() > 0.0 && update.rows_read() > 0;
  }
  ASSERT_TRUE(saw_progress);
  script_.Release();
  v1::JobRun last = update;
  while (reader->Read(&update)) last = update;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(last.job_run_id(), run.job_run_id());
  EXPECT_EQ(last.state(), v1::JOB_RUN_STATE_SUCCEEDED);
  EXPECT_EQ(last.progress_message(), "ok positions");
}

TEST_P(JobServiceTest, ARevokedKeysWatchEndsUnauthenticated) {
  script_.Set("positions", Behavior::kBlock);
  v1::JobRun run = MustRun(v1::JOB_KIND_POSITIONS);
  const std::string watcher = server_->CreateKey(Role::kAnalyst);
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, watcher);
  v1::WatchJobRunRequest r;
  r.set_job_run_id(run.job_run_id());
  auto reader = stub_->WatchJobRun(&ctx, r);
  v1::JobRun update;
  ASSERT_TRUE(reader->Read(&update));  // the watch is running
  auto key = server_->store().FindApiKeyByHash(server::HashApiKeySecret(watcher));
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_TRUE(server_->store().RevokeApiKey(key->id, absl::Now()).ok());
  while (reader->Read(&update)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  script_.Release();
}

TEST_P(JobServiceTest, WatchingAPipelineStreamsItsChildren) {
  v1::JobRun pipeline = Pipeline(v1::JOB_KIND_MARGIN_STATUS);
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, service_);
  v1::WatchJobRunRequest r;
  r.set_job_run_id(pipeline.job_run_id());
  auto reader = stub_->WatchJobRun(&ctx, r);
  std::set<int64_t> ids;
  v1::JobRun update, last;
  while (reader->Read(&update)) {
    ids.insert(update.job_run_id());
    if (update.job_run_id() == pipeline.job_run_id()) last = update;
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(ids.size(), 3u);  // the pipeline, margin_status, reminders
  EXPECT_EQ(last.state(), v1::JOB_RUN_STATE_SUCCEEDED);
}

TEST_P(JobServiceTest, EachRpcAllowsOnlyItsRoles) {
  v1::JobRun existing = MustRun(v1::JOB_KIND_BACKUP);
  Final(existing.job_run_id());
  struct Rpc {
    const char* name;
    bool mutating;
    std::function<grpc::Status(const std::string& key)> call;
  };
  int n = 0;
  std::vector<Rpc> rpcs = {
      {"RunJob", true,
       [&](const std::string& key) {
         v1::RunJobRequest r;
         r.set_request_id(absl::StrCat("authz-", ++n));
         r.set_job(v1::JOB_KIND_BACKUP);
         r.set_reference_date(absl::StrCat("2026-10-", 10 + n));
         return Call(key, &Stub::RunJob, r);
       }},
      {"RunPipeline", true,
       [&](const std::string& key) {
         v1::RunPipelineRequest r;
         r.set_request_id(absl::StrCat("authz-", ++n));
         r.set_from_job(v1::JOB_KIND_REMINDERS);
         r.set_reference_date(absl::StrCat("2026-09-", 10 + n));
         return Call(key, &Stub::RunPipeline, r);
       }},
      {"CancelJobRun", true,
       [&](const std::string& key) {
         v1::CancelJobRunRequest r;
         r.set_request_id(absl::StrCat("authz-", ++n));
         r.set_job_run_id(existing.job_run_id());
         return Call(key, &Stub::CancelJobRun, r);
       }},
      {"GetJobRun", false,
       [&](const std::string& key) {
         v1::GetJobRunRequest r;
         r.set_job_run_id(existing.job_run_id());
         return Call(key, &Stub::GetJobRun, r);
       }},
      {"ListJobRuns", false,
       [&](const std::string& key) { return Call(key, &Stub::ListJobRuns, v1::ListJobRunsRequest()); }},
      {"WatchJobRun", false,
       [&](const std::string& key) {
         grpc::ClientContext ctx;
         if (!key.empty()) TestServer::Authorize(ctx, key);
         v1::WatchJobRunRequest r;
         r.set_job_run_id(existing.job_run_id());
         auto reader = stub_->WatchJobRun(&ctx, r);
         v1::JobRun ignored;
         while (reader->Read(&ignored)) {
         }
         return reader->Finish();
       }},
  };
  for (const Rpc& rpc : rpcs) {
    SCOPED_TRACE(rpc.name);
    EXPECT_EQ(rpc.call("").error_code(), Code::UNAUTHENTICATED);
    EXPECT_EQ(rpc.call(manager1_).error_code(), Code::PERMISSION_DENIED);
    grpc::Status analyst = rpc.call(analyst_);
    if (rpc.mutating) {
      EXPECT_EQ(analyst.error_code(), Code::PERMISSION_DENIED);
    } else {
      EXPECT_TRUE(analyst.ok()) << analyst.error_message();
    }
    for (const std::string* key : {&service_, &admin_}) {
      grpc::Status st = rpc.call(*key);
      // Cancelling a finished run is refused for what it is, not for who asks.
      if (std::string(rpc.name) == "CancelJobRun") {
        EXPECT_EQ(st.error_code(), Code::FAILED_PRECONDITION) << st.error_message();
      } else {
        EXPECT_TRUE(st.ok()) << st.error_message();
      }
    }
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobServiceTest);

}  // namespace
}  // namespace riskcap::testing
