// Reference-date bounds and range backfills of JobService (server/jobs/job_service.cc RunJob /
// RunPipeline, server/jobs/backfill_execution.cc), through a real gRPC server on both backends
// with scripted test-only jobs. The server's clock is fake: today is 2026-11-24 (a Tuesday).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/jobs/job_service.h"
#include "tests/server/jobs/job_service_fixture.h"
#include "tests/testing/grpc_errors.h"

namespace riskcap::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using server::jobs::JobRunner;

constexpr Date kEarliest(2026, 1, 1);  // this fixture's configured earliest reference date

class JobDatesTest : public JobServiceFixture {
 protected:
  server::jobs::JobRunnerOptions RunnerOptions() override {
    server::jobs::JobRunnerOptions options = FastRunnerOptions("test-server");
    options.earliest_reference_date = kEarliest;
    return options;
  }

  grpc::Status RunJob(const std::string& date, v1::JobRun* out = nullptr) {
    v1::RunJobRequest r;
    r.set_request_id(NextRequestId());
    r.set_job(v1::JOB_KIND_MARGIN_STATUS);
    r.set_reference_date(date);
    return Call(service_, &Stub::RunJob, r, out);
  }

  grpc::Status Pipeline(const std::string& date, v1::JobRun* out = nullptr) {
    v1::RunPipelineRequest r;
    r.set_request_id(NextRequestId());
    r.set_reference_date(date);
    return Call(service_, &Stub::RunPipeline, r, out);
  }

  grpc::Status Backfill(const std::string& from, const std::string& to, v1::JobRun* out = nullptr,
                        v1::JobKind from_job = v1::JOB_KIND_MARGIN_STATUS) {
    v1::RunPipelineRequest r;
    r.set_request_id(NextRequestId());
    r.set_from_date(from);
    r.set_to_date(to);
    r.set_from_job(from_job);
    return Call(service_, &Stub::RunPipeline, r, out);
  }

  // The children of run `id`, oldest first.
  std::vector<JobRun> Children(int64_t id) {
    auto rows = server_->store().ListJobRuns({.parent_run_id = id}, db::Page{0, 1000});
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<JobRun>{};
  }

  int RunCount() {
    auto rows = server_->store().ListJobRuns({}, db::Page{0, 1000});
    return rows.ok() ? static_cast<int>(rows->size()) : -1;
  }
};

TEST_P(JobDatesTest, FutureReferenceDatesAreRefusedNamingTheField) {
  for (bool pipeline : {false, true}) {
    auto call = [&](const std::string& date) { return pipeline ? Pipeline(date) : RunJob(date); };
    grpc::Status st = call("2026-11-25");
    EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
    EXPECT_THAT(ViolatedFields(st), ElementsAre("reference_date"));
    EXPECT_THAT(st.error_message(), HasSubstr("2026-11-25 is after today (2026-11-24)"));
    EXPECT_EQ(call("9999-12-31").error_code(), Code::INVALID_ARGUMENT);
  }
  v1::JobRun today, empty;
  ASSERT_TRUE(RunJob("2026-11-24", &today).ok());  // today itself is fine
  EXPECT_EQ(Final(today.job_run_id()).state, JobState::kSucceeded);
  ASSERT_TRUE(Pipeline("", &empty).ok());  // empty = today
  EXPECT_EQ(empty.reference_date(), "2026-11-24");
  EXPECT_EQ(Final(empty.job_run_id()).state, JobState::kSucceeded);

  grpc::Status st = Backfill("2026-11-20", "2026-11-25");
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("to_date"));
  st = Backfill("2026-11-30", "2026-12-01");
  EXPECT_THAT(ViolatedFields(st), ElementsAre("from_date"));
  EXPECT_EQ(RunCount(), 1 + 1 + 8);  // the two accepted runs (the pipeline with its jobs) only
}

TEST_P(JobDatesTest, TheEarliestReferenceDateIsEnforced) {
  grpc::Status st = RunJob("2025-12-31");
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("reference_date"));
  EXPECT_THAT(st.error_message(), HasSubstr("before the earliest reference date 2026-01-01"));
  EXPECT_THAT(ViolatedFields(Pipeline("1900-01-01")), ElementsAre("reference_date"));
  EXPECT_THAT(ViolatedFields(Backfill("2025-12-31", "2026-01-05")), ElementsAre("from_date"));
  EXPECT_EQ(RunCount(), 0);
  v1::JobRun first;
  ASSERT_TRUE(RunJob("2026-01-01", &first).ok());
  EXPECT_EQ(Final(first.job_run_id()).state, JobState::kSucceeded);
}

TEST_P(JobDatesTest, BackfillRangesAreValidated) {
  EXPECT_THAT(ViolatedFields(Backfill("2026-11-20", "2026-11-19")), ElementsAre("to_date"));
  EXPECT_THAT(ViolatedFields(Backfill("2026-11-21", "2026-11-22")),  // Saturday, Sunday
              ElementsAre("from_date"));
  EXPECT_THAT(ViolatedFields(Backfill("2026-11-20", "")), ElementsAre("to_date"));
  EXPECT_THAT(ViolatedFields(Backfill("", "2026-11-20")), ElementsAre("from_date"));
  EXPECT_THAT(ViolatedFields(Backfill("2026-11-2x", "2026-11-20")), ElementsAre("from_date"));
  v1::RunPipelineRequest both;
  both.set_request_id("both");
  both.set_reference_date("2026-11-20");
  both.set_from_date("2026-11-16");
  both.set_to_date("2026-11-20");
  EXPECT_THAT(ViolatedFields(Call(service_, &Stub::RunPipeline, both)),
              ElementsAre("reference_date"));
  EXPECT_THAT(ViolatedFields(Backfill("2026-11-20", "2026-11-20", nullptr, v1::JOB_KIND_BACKUP)),
              ElementsAre("from_job"));
  v1::RunJobRequest as_job;
  as_job.set_request_id("as-job");
  as_job.set_job(v1::JOB_KIND_BACKFILL);
  EXPECT_THAT(ViolatedFields(Call(service_, &Stub::RunJob, as_job)), ElementsAre("job"));
  EXPECT_EQ(RunCount(), 0);
  EXPECT_TRUE(script_.Executed().empty());
}

TEST_P(JobDatesTest, BackfillRangeIsBounded) {
  // The bound (3660 days) is checked before the earliest date: a runner with an early limit.
  server::jobs::JobRunnerOptions options = FastRunnerOptions("bounds");
  options.earliest_reference_date = Date(2000, 1, 1);
  JobRunner runner(server_->store(), server_->clock(), server_->env().rules, ScriptedJobs(script_),
                   options);
  const Date to(2026, 11, 24);
  absl::Status too_long = runner.CheckBackfillRange(to - 3661, to);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.message()), HasSubstr("at most 3660"));
  EXPECT_TRUE(runner.CheckBackfillRange(to - 3660, to).ok());
  runner.Shutdown(absl::Seconds(1));
}

TEST_P(JobDatesTest, BackfillRunsEachBusinessDayOldestFirstUnderOneParent) {
  v1::JobRun backfill;
  ASSERT_TRUE(Backfill("2026-11-13", "2026-11-20", &backfill).ok());  // Fri .. Fri
  EXPECT_EQ(backfill.job(), v1::JOB_KIND_BACKFILL);
  EXPECT_EQ(backfill.reference_date(), "2026-11-13");
  EXPECT_EQ(backfill.parameters().at("from_date"), "2026-11-13");
  EXPECT_EQ(backfill.parameters().at("to_date"), "2026-11-20");
  EXPECT_EQ(backfill.parameters().at("from_job"), "margin_status");
  JobRun done = Final(backfill.job_run_id());
  ASSERT_EQ(done.state, JobState::kSucceeded) << done.error;
  EXPECT_EQ(done.progress_message,
            "ran the pipeline for 6 of 6 dates (0 done by an earlier attempt)");

  const std::vector<std::string> days = {"2026-11-13", "2026-11-16", "2026-11-17",
                                         "2026-11-18", "2026-11-19", "2026-11-20"};
  std::vector<std::string> expected_order;
  for (const std::string& d : days) {
    expected_order.push_back("margin_status " + d);
    expected_order.push_back("reminders " + d);
  }
  EXPECT_EQ(script_.ExecutedOn(), expected_order);  // oldest first, one date after the other
  std::vector<JobRun> dates = Children(backfill.job_run_id());
  ASSERT_EQ(dates.size(), days.size());
  for (size_t i = 0; i < dates.size(); ++i) {
    EXPECT_EQ(dates[i].job, "pipeline");
    EXPECT_EQ(FormatDate(dates[i].reference_date), days[i]);
    EXPECT_EQ(dates[i].state, JobState::kSucceeded);
    std::vector<JobRun> jobs = Children(dates[i].id);
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].job, "margin_status");
    EXPECT_EQ(jobs[1].job, "reminders");
    for (const JobRun& j : jobs) EXPECT_EQ(FormatDate(j.reference_date), days[i]);
  }
}

TEST_P(JobDatesTest, ARerunAfterAFailureSkipsTheDatesThatSucceeded) {
  script_.SetRevision("r1");
  script_.FailOn("margin_status", Date(2026, 11, 18));
  v1::JobRun first;
  ASSERT_TRUE(Backfill("2026-11-13", "2026-11-20", &first).ok());
  JobRun failed = Final(first.job_run_id());
  EXPECT_EQ(failed.state, JobState::kFailed);
  EXPECT_THAT(failed.error, HasSubstr("pipeline for 2026-11-18 failed: margin_status failed"));
  std::vector<JobRun> dates = Children(first.job_run_id());
  ASSERT_EQ(dates.size(), 6u);
  for (int i : {0, 1, 2}) EXPECT_EQ(dates[i].state, JobState::kSucceeded);
  EXPECT_EQ(dates[3].state, JobState::kFailed);
  for (int i : {4, 5}) {
    EXPECT_EQ(dates[i].state, JobState::kCancelled);
    EXPECT_EQ(dates[i].error, "skipped: pipeline for 2026-11-18 failed");
  }

  // In between, 2026-11-16's margin_status is re-run on changed inputs: that date must run again.
  script_.ClearFailures();
  script_.SetRevision("r2");
  v1::JobRun single;
  ASSERT_TRUE(RunJob("2026-11-16", &single).ok());
  ASSERT_EQ(Final(single.job_run_id()).state, JobState::kSucceeded);
  const size_t executed_before = script_.ExecutedOn().size();

  v1::JobRun second;
  ASSERT_TRUE(Backfill("2026-11-13", "2026-11-20", &second).ok());
  JobRun resumed = Final(second.job_run_id());
  ASSERT_EQ(resumed.state, JobState::kSucceeded) << resumed.error;
  EXPECT_EQ(resumed.progress_message,
            "ran the pipeline for 4 of 6 dates (2 done by an earlier attempt)");
  std::vector<std::string> executed = script_.ExecutedOn();
  EXPECT_EQ(std::vector<std::string>(executed.begin() + executed_before, executed.end()),
            (std::vector<std::string>{"margin_status 2026-11-16", "reminders 2026-11-16",
                                      "margin_status 2026-11-18", "reminders 2026-11-18",
                                      "margin_status 2026-11-19", "reminders 2026-11-19",
                                      "margin_status 2026-11-20", "reminders 2026-11-20"}));
  std::vector<JobRun> again = Children(second.job_run_id());
  ASSERT_EQ(again.size(), 6u);
  for (int i : {0, 2}) {  // 13 and 17: skipped, with the earlier attempt's hash
    EXPECT_EQ(again[i].state, JobState::kSucceeded);
    EXPECT_EQ(again[i].output_hash, dates[i].output_hash);
    EXPECT_FALSE(again[i].output_hash.empty());
    EXPECT_THAT(again[i].progress_message,
                HasSubstr(absl::StrCat("skipped: succeeded as job run ", dates[i].id)));
    EXPECT_TRUE(Children(again[i].id).empty());
  }
  EXPECT_EQ(Children(again[1].id).size(), 2u);  // 16 ran again

  // A backfill like one that succeeded is a rebuild: every date runs.
  const size_t before_rebuild = script_.ExecutedOn().size();
  v1::JobRun third;
  ASSERT_TRUE(Backfill("2026-11-13", "2026-11-20", &third).ok());
  ASSERT_EQ(Final(third.job_run_id()).state, JobState::kSucceeded);
  EXPECT_EQ(script_.ExecutedOn().size(), before_rebuild + 12);
}

TEST_P(JobDatesTest, CancellingABackfillSkipsTheDatesNotYetRun) {
  script_.Set("margin_status", Behavior::kBlock);
  v1::JobRun backfill;
  ASSERT_TRUE(Backfill("2026-11-16", "2026-11-20", &backfill).ok());
  ASSERT_TRUE(script_.WaitUntilBlocked(1));
  v1::CancelJobRunRequest cancel;
  cancel.set_request_id("cancel-backfill");
  cancel.set_job_run_id(backfill.job_run_id());
  ASSERT_TRUE(Call(service_, &Stub::CancelJobRun, cancel).ok());
  EXPECT_EQ(Final(backfill.job_run_id()).state, JobState::kCancelled);
  std::vector<JobRun> dates = Children(backfill.job_run_id());
  ASSERT_EQ(dates.size(), 5u);
  EXPECT_TRUE(Eventually([&] { return IsFinalJobState(Final(dates[0].id).state); }));
  EXPECT_EQ(Final(dates[0].id).state, JobState::kCancelled);
  for (size_t i = 1; i < dates.size(); ++i) {
    EXPECT_EQ(dates[i].state, JobState::kCancelled) << FormatDate(dates[i].reference_date);
    EXPECT_TRUE(Children(dates[i].id).empty());  // its jobs were never admitted
  }
  EXPECT_EQ(script_.Executions("margin_status"), 1);
  // Nothing stays active: every (job, date) is free again.
  v1::JobRun again;
  ASSERT_TRUE(RunJob("2026-11-16", &again).ok());
  script_.Release();
  EXPECT_EQ(Final(again.job_run_id()).state, JobState::kSucceeded);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobDatesTest);

}  // namespace
}  // namespace riskcap::testing
