// Tests of job runs in the store (db/store_job_runs.cc), on both backends.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using db::JobRunFilter;
using db::Page;

JobRun MakeRun(const std::string& job, Date date = Date(2024, 3, 28)) {
  JobRun r;
  r.job = job;
  r.reference_date = date;
  r.params_json = R"({"date":"2024-03-28","source":"s3://feeds/nav"})";
  r.queued_at = kT0;
  r.triggered_by = "scheduler";
  return r;
}

void ExpectSameRun(const JobRun& a, const JobRun& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.job, b.job);
  EXPECT_EQ(a.reference_date, b.reference_date);
  EXPECT_EQ(a.params_json, b.params_json);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.queued_at, b.queued_at);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  EXPECT_EQ(a.rows_read, b.rows_read);
  EXPECT_EQ(a.rows_written, b.rows_written);
  EXPECT_EQ(a.output_hash, b.output_hash);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.triggered_by, b.triggered_by);
}

class JobRunWorkflow : public WorkflowStoreTest {
 protected:
  JobRun Create(const JobRun& run) {
    auto created = store().CreateJobRun(run);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? *created : JobRun{};
  }

  std::vector<int64_t> List(const JobRunFilter& filter) {
    return CollectPages([&](const Page& p) { return store().ListJobRuns(filter, p); }, 2);
  }
};

TEST_P(JobRunWorkflow, CreateAssignsIdAndEveryFieldRoundTrips) {
  JobRun wanted = MakeRun("nav_snapshot");
  JobRun created = Create(wanted);
  EXPECT_GT(created.id, 0);
  wanted.id = created.id;
  ExpectSameRun(created, wanted);
  auto got = store().GetJobRun(created.id);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameRun(*got, wanted);
  EXPECT_FALSE(got->started_at.has_value());
  EXPECT_FALSE(got->finished_at.has_value());
}

TEST_P(JobRunWorkflow, UpdateRecordsProgressAndCanClearIt) {
  JobRun run = Create(MakeRun("positions"));
  run.state = JobState::kFailed;
  run.started_at = kT0 + absl::Microseconds(1);
  run.finished_at = kT0 + absl::Seconds(90) + absl::Microseconds(3);
  run.rows_read = 9'007'199'254'740'993;  // above 2^53
  run.rows_written = 100'000;
  run.output_hash = std::string(64, 'f');
  run.error = "feed truncated at row 100001";
  ASSERT_TRUE(store().UpdateJobRun(run).ok());
  ExpectSameRun(store().GetJobRun(run.id).value(), run);

  run.state = JobState::kQueued;  // a retry re-queues the run
  run.started_at.reset();
  run.finished_at.reset();
  run.error.clear();
  ASSERT_TRUE(store().UpdateJobRun(run).ok());
  ExpectSameRun(store().GetJobRun(run.id).value(), run);
}

TEST_P(JobRunWorkflow, UnknownRunIsNotFoundAndInvalidRunsAreRefused) {
  JobRun ghost = MakeRun("nav_snapshot");
  ghost.id = 42;
  absl::Status st = store().UpdateJobRun(ghost);
  EXPECT_EQ(st.code(), kNotFound);
  EXPECT_TRUE(absl::StrContains(st.message(), "job run 42")) << st;
  EXPECT_EQ(store().GetJobRun(42).status().code(), kNotFound);

  JobRun no_job = MakeRun("");
  st = store().CreateJobRun(no_job).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "job")) << st;
  JobRun negative = MakeRun("nav_snapshot");
  negative.rows_read = -1;
  st = store().CreateJobRun(negative).status();
  EXPECT_EQ(st.code(), kInvalid);
  EXPECT_TRUE(absl::StrContains(st.message(), "rows_read")) << st;
  EXPECT_TRUE(List({}).empty());
}

TEST_P(JobRunWorkflow, ListFiltersAreAndedAndPagesCoverEveryRowOnce) {
  JobRun a = Create(MakeRun("nav_snapshot", Date(2024, 3, 27)));
  JobRun b = Create(MakeRun("nav_snapshot", Date(2024, 3, 28)));
  JobRun c = Create(MakeRun("positions", Date(2024, 3, 28)));
  b.state = JobState::kSucceeded;  // before d: one active run per (job, date)
  ASSERT_TRUE(store().UpdateJobRun(b).ok());
  JobRun d = Create(MakeRun("nav_snapshot", Date(2024, 3, 28)));
  JobRun e = Create(MakeRun("positions", Date(2024, 3, 29)));

  EXPECT_EQ(List({}), (std::vector<int64_t>{a.id, b.id, c.id, d.id, e.id}));
  EXPECT_EQ(List({.job = "nav_snapshot"}), (std::vector<int64_t>{a.id, b.id, d.id}));
  EXPECT_EQ(List({.reference_date = Date(2024, 3, 28)}), (std::vector<int64_t>{b.id, c.id, d.id}));
  EXPECT_EQ(List({.state = JobState::kQueued}), (std::vector<int64_t>{a.id, c.id, d.id, e.id}));
  EXPECT_EQ(List({.job = "nav_snapshot", .reference_date = Date(2024, 3, 28),
                  .state = JobState::kQueued}),
            std::vector<int64_t>{d.id});
  EXPECT_TRUE(List({.job = "unknown"}).empty());
  EXPECT_EQ(store().ListJobRuns({}, Page{.limit = 0}).status().code(), kInvalid);
}

TEST_P(JobRunWorkflow, AdmissionAllowsOneActiveRunPerJobAndDate) {
  auto first = store().AdmitJobRuns(MakeRun("positions"));
  ASSERT_TRUE(first.ok()) << first.status();
  const JobRun& run = first->front();
  EXPECT_EQ(run.state, JobState::kQueued);

  auto second = store().AdmitJobRuns(MakeRun("positions"));
  EXPECT_EQ(second.status().code(), kPrecondition);
  EXPECT_TRUE(absl::StrContains(second.status().message(), absl::StrCat("job run ", run.id)))
      << second.status();
  // Another date and another job are free.
  EXPECT_TRUE(store().AdmitJobRuns(MakeRun("positions", Date(2024, 3, 29))).ok());
  EXPECT_TRUE(store().AdmitJobRuns(MakeRun("swaps")).ok());

  JobRun done = run;
  done.state = JobState::kSucceeded;
  done.finished_at = kT0;
  ASSERT_TRUE(store().FinishJobRun(done).ok());
  EXPECT_TRUE(store().AdmitJobRuns(MakeRun("positions")).ok());
}

// An upload records its RUNNING run with Create: the same one-active rule, the same error.
TEST_P(JobRunWorkflow, CreatingAnActiveRunIsRefusedWhileTheJobAndDateHaveOne) {
  JobRun active = store().AdmitJobRuns(MakeRun("positions")).value().front();
  JobRun upload = MakeRun("positions");
  upload.state = JobState::kRunning;
  upload.started_at = kT0;
  auto refused = store().CreateJobRun(upload);
  EXPECT_EQ(refused.status().code(), kPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(), absl::StrCat("job run ", active.id)))
      << refused.status();
  EXPECT_EQ(List({.job = "positions"}).size(), 1u);  // nothing inserted
  // A final run (an upload that wrote nothing) is recorded alongside; the reverse holds too.
  JobRun noop = MakeRun("positions");
  noop.state = JobState::kSucceeded;
  noop.started_at = noop.finished_at = kT0;
  EXPECT_TRUE(store().CreateJobRun(noop).ok());
  JobRun done = active;
  done.state = JobState::kSucceeded;
  done.finished_at = kT0;
  ASSERT_TRUE(store().FinishJobRun(done).ok());
  JobRun running = Create(upload);
  EXPECT_EQ(store().AdmitJobRuns(MakeRun("positions")).status().code(), kPrecondition);
  EXPECT_EQ(running.state, JobState::kRunning);
}

TEST_P(JobRunWorkflow, PipelineAdmissionIsAllOrNothing) {
  auto busy = store().AdmitJobRuns(MakeRun("swaps"));
  ASSERT_TRUE(busy.ok());
  auto pipeline = store().AdmitJobRuns(MakeRun("pipeline"),
                                       {MakeRun("positions"), MakeRun("swaps")});
  EXPECT_EQ(pipeline.status().code(), kPrecondition);
  EXPECT_TRUE(absl::StrContains(pipeline.status().message(),
                                absl::StrCat("job run ", busy->front().id)))
      << pipeline.status();
  EXPECT_TRUE(List({.job = "pipeline"}).empty());
  EXPECT_TRUE(List({.job = "positions"}).empty());

  auto ok = store().AdmitJobRuns(MakeRun("pipeline", Date(2024, 3, 29)),
                                 {MakeRun("positions", Date(2024, 3, 29)),
                                  MakeRun("swaps", Date(2024, 3, 29))});
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_EQ(ok->size(), 3u);
  const int64_t parent = (*ok)[0].id;
  EXPECT_EQ(List({.parent_run_id = parent}), (std::vector<int64_t>{(*ok)[1].id, (*ok)[2].id}));
  EXPECT_EQ(store().GetJobRun((*ok)[2].id)->parent_run_id, parent);
}

// A backfill's date pipeline gets its jobs when its turn comes, under the one-active rule.
TEST_P(JobRunWorkflow, ChildrenAreAdmittedUnderAnExistingRunAllOrNothing) {
  auto backfill = store().AdmitJobRuns(MakeRun("backfill"), {MakeRun("pipeline")});
  ASSERT_TRUE(backfill.ok()) << backfill.status();
  const int64_t date_run = (*backfill)[1].id;
  auto busy = store().AdmitJobRuns(MakeRun("swaps"));
  ASSERT_TRUE(busy.ok());
  auto refused = store().AdmitChildJobRuns(date_run, {MakeRun("positions"), MakeRun("swaps")});
  EXPECT_EQ(refused.status().code(), kPrecondition);
  EXPECT_TRUE(absl::StrContains(refused.status().message(),
                                absl::StrCat("job run ", busy->front().id)))
      << refused.status();
  EXPECT_TRUE(List({.parent_run_id = date_run}).empty());

  auto admitted = store().AdmitChildJobRuns(date_run, {MakeRun("positions"),
                                                       MakeRun("exposure_snapshot")});
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  ASSERT_EQ(admitted->size(), 2u);
  EXPECT_EQ(List({.parent_run_id = date_run}),
            (std::vector<int64_t>{(*admitted)[0].id, (*admitted)[1].id}));
  for (const JobRun& r : *admitted) {
    auto got = store().GetJobRun(r.id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->state, JobState::kQueued);
    EXPECT_EQ(got->parent_run_id, date_run);
  }
  EXPECT_EQ(store().AdmitChildJobRuns(999999, {MakeRun("reminders")}).status().code(),
            kPrecondition);
}

TEST_P(JobRunWorkflow, NewestFirstPagesCoverEveryRowOnce) {
  std::vector<int64_t> ids;
  for (int day = 1; day <= 5; ++day) ids.push_back(Create(MakeRun("nav_history", Date(2024, 3, day))).id);
  std::reverse(ids.begin(), ids.end());
  std::vector<int64_t> seen;
  for (Page page{0, 2};;) {
    auto runs = store().ListJobRuns({.newest_first = true}, page);
    ASSERT_TRUE(runs.ok()) << runs.status();
    for (const JobRun& r : *runs) seen.push_back(r.id);
    if (runs->size() < 2) break;
    page.after_id = runs->back().id;
  }
  EXPECT_EQ(seen, ids);
}

TEST_P(JobRunWorkflow, StartProgressAndFinishAreGuardedByState) {
  JobRun run = store().AdmitJobRuns(MakeRun("positions")).value().front();
  auto started = store().StartJobRun(run.id, "server-a", kT0 + absl::Seconds(1));
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->state, JobState::kRunning);
  EXPECT_EQ(started->owner, "server-a");
  EXPECT_EQ(started->heartbeat_at, kT0 + absl::Seconds(1));
  EXPECT_EQ(store().StartJobRun(run.id, "server-b", kT0).status().code(), kPrecondition);

  JobRun progress = *started;
  progress.rows_read = 10;
  progress.rows_expected = 40;
  progress.progress_message = "reading positions";
  ASSERT_TRUE(store().RecordJobRunProgress(progress, kT0 + absl::Seconds(2)).ok());
  JobRun got = store().GetJobRun(run.id).value();
  EXPECT_EQ(got.rows_expected, 40);
  EXPECT_EQ(got.progress_message, "reading positions");
  EXPECT_EQ(got.heartbeat_at, kT0 + absl::Seconds(2));

  got.state = JobState::kSucceeded;
  got.finished_at = kT0 + absl::Seconds(3);
  got.rows_written = 40;
  got.output_hash = std::string(64, 'a');
  got.progress_message = "wrote 40 positions";
  ASSERT_TRUE(store().FinishJobRun(got).ok());
  EXPECT_EQ(store().FinishJobRun(got).code(), kPrecondition);
  JobRun finished = store().GetJobRun(run.id).value();
  EXPECT_EQ(finished.state, JobState::kSucceeded);
  EXPECT_EQ(finished.rows_written, 40);
  EXPECT_EQ(finished.progress_message, "wrote 40 positions");
}

TEST_P(JobRunWorkflow, CancelEndsQueuedRunsAndFlagsRunningOnes) {
  JobRun queued = store().AdmitJobRuns(MakeRun("positions")).value().front();
  auto cancelled = store().CancelJobRun(queued.id, kT0);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state, JobState::kCancelled);
  EXPECT_EQ(store().StartJobRun(queued.id, "a", kT0).status().code(), kPrecondition);
  EXPECT_EQ(store().CancelJobRun(queued.id, kT0).status().code(), kPrecondition);
  EXPECT_EQ(store().CancelJobRun(999999, kT0).status().code(), kNotFound);

  std::vector<JobRun> pipeline =
      store().AdmitJobRuns(MakeRun("pipeline"), {MakeRun("positions"), MakeRun("swaps")}).value();
  ASSERT_TRUE(store().StartJobRun(pipeline[0].id, "a", kT0).ok());
  ASSERT_TRUE(store().StartJobRun(pipeline[1].id, "a", kT0).ok());
  auto flagged = store().CancelJobRun(pipeline[0].id, kT0);
  ASSERT_TRUE(flagged.ok()) << flagged.status();
  EXPECT_EQ(flagged->state, JobState::kRunning);
  EXPECT_TRUE(flagged->cancel_requested);
  EXPECT_TRUE(store().GetJobRun(pipeline[1].id)->cancel_requested);
  JobRun skipped = store().GetJobRun(pipeline[2].id).value();
  EXPECT_EQ(skipped.state, JobState::kCancelled);
  EXPECT_EQ(skipped.error, "skipped: pipeline cancelled");

  auto touched = store().TouchJobRuns({pipeline[0].id, pipeline[1].id}, kT0 + absl::Seconds(5));
  ASSERT_TRUE(touched.ok()) << touched.status();
  EXPECT_EQ(*touched, (std::vector<int64_t>{pipeline[0].id, pipeline[1].id}));
  EXPECT_EQ(store().GetJobRun(pipeline[1].id)->heartbeat_at, kT0 + absl::Seconds(5));
}

TEST_P(JobRunWorkflow, RunsWithAStaleHeartbeatAreFailedAsAbandoned) {
  JobRun stale = store().AdmitJobRuns(MakeRun("positions")).value().front();
  ASSERT_TRUE(store().StartJobRun(stale.id, "gone", kT0).ok());
  JobRun fresh = store().AdmitJobRuns(MakeRun("swaps")).value().front();
  ASSERT_TRUE(store().StartJobRun(fresh.id, "alive", kT0).ok());
  ASSERT_TRUE(store().TouchJobRuns({fresh.id}, kT0 + absl::Seconds(60)).ok());

  auto failed = store().FailAbandonedJobRuns(kT0 + absl::Seconds(30), kT0 + absl::Seconds(61));
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(*failed, 1);
  JobRun got = store().GetJobRun(stale.id).value();
  EXPECT_EQ(got.state, JobState::kFailed);
  EXPECT_EQ(got.error, "abandoned: server stopped");
  EXPECT_EQ(store().GetJobRun(fresh.id)->state, JobState::kRunning);
  EXPECT_TRUE(store().AdmitJobRuns(MakeRun("positions")).ok());  // the slot is free again
}

TEST_P(JobRunWorkflow, ExecutionLockExcludesASecondHolderOnPostgres) {
  auto first = store().LockJobExecution("positions", Date(2024, 3, 28));
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = store().LockJobExecution("positions", Date(2024, 3, 28));
  auto other = store().LockJobExecution("positions", Date(2024, 3, 29));
  EXPECT_TRUE(other.ok()) << other.status();
  if (GetParam() == db::Backend::kPostgresql) {
    EXPECT_EQ(second.status().code(), kPrecondition);
    first->reset();
    EXPECT_TRUE(store().LockJobExecution("positions", Date(2024, 3, 28)).ok());
  } else {
    EXPECT_TRUE(second.ok()) << "SQLite relies on the admission index alone";
  }
}

// Advisory locks belong to the whole PostgreSQL database: a deployment in another schema of the
// same database (or another test's store) runs the same job and date without waiting for us.
TEST_P(JobRunWorkflow, ExecutionLockIsPerStoreNotPerDatabase) {
  auto mine = store().LockJobExecution("pipeline", Date(2024, 3, 28));
  ASSERT_TRUE(mine.ok()) << mine.status();
  auto scratch = ScratchDatabase::Create(GetParam());
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  auto other = db::Store::Open((*scratch)->url(), 1);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE((*other)->Migrate().ok());
  auto theirs = (*other)->LockJobExecution("pipeline", Date(2024, 3, 28));
  EXPECT_TRUE(theirs.ok()) << theirs.status();
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobRunWorkflow);

}  // namespace
}  // namespace riskcap::testing
