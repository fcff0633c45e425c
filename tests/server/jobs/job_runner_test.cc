// Tests of the job runner's lifecycle (server/jobs/job_runner.cc): shutdown, abandoned runs of a
// dead server, outcomes recorded once the store takes writes again, and the stub job set riskcapd
// runs until the real jobs merge. Both backends.
#include <algorithm>
#include "server/jobs/job_runner.h"

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/daemon/config.h"
#include "server/jobs/job_set.h"
#include "tests/server/jobs/job_test_support.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using server::jobs::JobRequest;
using server::jobs::JobRunner;

const absl::Time kNow = absl::FromCivil(absl::CivilSecond(2026, 11, 24, 12, 0, 0),
                                        absl::UTCTimeZone());
const Date kDay(2026, 11, 20);

class JobRunnerTest : public StoreTest {
 protected:
  std::unique_ptr<JobRunner> MakeRunner(server::jobs::JobMap jobs, int workers = 2) {
    server::jobs::JobRunnerOptions options = FastRunnerOptions("runner-test");
    options.workers = workers;
    return std::make_unique<JobRunner>(store(), clock_, rules_, std::move(jobs), options);
  }
  JobRequest Request(const std::string& job, Date date = kDay) {
    return JobRequest{job, date, {}, "test", ""};
  }

  FakeClock clock_{kNow};
  rules::RulesConfig rules_;
  JobScript script_;
};

TEST_P(JobRunnerTest, ShutdownStopsRunningRunsCancelsQueuedOnesAndRefusesNewOnes) {
  script_.Set("positions", Behavior::kBlock);
  auto runner = MakeRunner(ScriptedJobs(script_), /*workers=*/1);
  JobRun running = runner->RunJob(Request("positions")).value();
  ASSERT_TRUE(script_.WaitUntilBlocked(1));
  JobRun queued = runner->RunJob(Request("swaps")).value();

  runner->Shutdown(absl::Seconds(5));
  JobRun stopped = store().GetJobRun(running.id).value();
  EXPECT_EQ(stopped.state, JobState::kCancelled);
  EXPECT_EQ(stopped.error, "cancelled while waiting");
  EXPECT_EQ(store().GetJobRun(queued.id)->state, JobState::kCancelled);
  EXPECT_EQ(script_.Executions("swaps"), 0);

  auto refused = runner->RunJob(Request("swaps", Date(2026, 11, 21)));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  auto left = store().ListJobRuns({.job = "swaps", .reference_date = Date(2026, 11, 21)}, {});
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().state, JobState::kCancelled);  // admitted, then cancelled: not stuck
}

TEST_P(JobRunnerTest, RunsOfADeadServerAreFailedAsAbandoned) {
  JobRun orphan;
  orphan.job = "positions";
  orphan.reference_date = kDay;
  orphan.params_json = "{}";
  orphan.queued_at = kNow - absl::Minutes(5);
  orphan.triggered_by = "test";
  orphan.owner = "dead-server";
  orphan.heartbeat_at = orphan.queued_at;
  orphan = store().AdmitJobRuns(orphan).value().front();
  ASSERT_TRUE(store().StartJobRun(orphan.id, "dead-server", kNow - absl::Minutes(4)).ok());

  auto runner = MakeRunner(ScriptedJobs(script_));
  ASSERT_TRUE(Eventually([&] {
    return store().GetJobRun(orphan.id)->state == JobState::kFailed;
  }));
  EXPECT_EQ(store().GetJobRun(orphan.id)->error, "abandoned: server stopped");
  // Its (job, date) is free again.
  JobRun again = runner->RunJob(Request("positions")).value();
  EXPECT_EQ(WaitFinal(store(), again.id).state, JobState::kSucceeded);
}

// An ingest upload's run executes outside the workers; Hold keeps it alive like a worker's.
TEST_P(JobRunnerTest, AHeldRunIsHeartbeatedUntilReleased) {
  auto running = [&](const std::string& job) {
    JobRun run;
    run.job = job;
    run.reference_date = kDay;
    run.params_json = "{}";
    run.state = JobState::kRunning;
    run.queued_at = kNow;
    run.started_at = kNow;
    run.heartbeat_at = kNow;
    run.triggered_by = "test";
    run.owner = "runner-test";
    return store().CreateJobRun(run).value();
  };
  JobRun held = running("positions");
  JobRun control = running("swaps");  // not held: it is this server's, but nothing heartbeats it
  auto runner = MakeRunner(ScriptedJobs(script_));
  runner->Hold(held.id);
  clock_.Advance(absl::Minutes(5));
  ASSERT_TRUE(Eventually([&] {
    return store().GetJobRun(control.id)->state == JobState::kFailed;
  }));
  JobRun alive = store().GetJobRun(held.id).value();
  EXPECT_EQ(alive.state, JobState::kRunning);
  EXPECT_EQ(alive.heartbeat_at, kNow + absl::Minutes(5));

  runner->Release(held.id);
  clock_.Advance(absl::Minutes(5));
  ASSERT_TRUE(Eventually([&] {
    return store().GetJobRun(held.id)->state == JobState::kFailed;
  }));
  EXPECT_EQ(store().GetJobRun(held.id)->error, "abandoned: server stopped");
}

// A run that finishes while the store refuses writes (here: a lock held past the runner's lock
// timeout, the same UNAVAILABLE an outage gives) keeps its outcome and records it once the store
// takes writes again, instead of staying RUNNING until the abandon sweep.
TEST_P(JobRunnerTest, ARunsOutcomeIsRecordedOnceTheStoreTakesWritesAgain) {
  auto runner_store = db::Store::Open(scratch_->url(), 4, {.lock = absl::Seconds(1)});
  ASSERT_TRUE(runner_store.ok()) << runner_store.status();
  server::jobs::JobRunnerOptions options = FastRunnerOptions("runner-test");
  options.heartbeat_interval = absl::Hours(1);  // no heartbeat: only finishing meets the lock
  auto runner = std::make_unique<JobRunner>(**runner_store, clock_, rules_,
                                            ScriptedJobs(script_), options);
  script_.Set("positions", Behavior::kBlock);
  JobRun run = runner->RunJob(Request("positions")).value();
  ASSERT_TRUE(script_.WaitUntilBlocked(1));

  auto held = HoldSession(store());
  ASSERT_TRUE(held.ok()) << held.status();
  if (GetParam() == db::Backend::kSqlite) {
    (*held)->session() << "BEGIN IMMEDIATE";
  } else {
    (*held)->session() << "BEGIN";
    (*held)->session() << "LOCK TABLE job_runs IN EXCLUSIVE MODE";  // reads still go through
  }
  script_.Release();
  std::optional<JobRun> finishing;  // the job is done, its outcome refused by the store
  ASSERT_TRUE(Eventually([&] {
    finishing = runner->Live(run.id);
    return finishing && absl::StrContains(finishing->progress_message, "finished SUCCEEDED");
  })) << (finishing ? finishing->progress_message : "no longer executing");
  // Not final to readers until it is recorded: a rerun would be refused meanwhile.
  EXPECT_EQ(finishing->state, JobState::kRunning);
  EXPECT_EQ(store().GetJobRun(run.id)->state, JobState::kRunning);
  (*held)->session() << "ROLLBACK";
  held->reset();

  ASSERT_TRUE(Eventually([&] { return store().GetJobRun(run.id)->state != JobState::kRunning; }));
  JobRun stored = store().GetJobRun(run.id).value();
  EXPECT_EQ(stored.state, JobState::kSucceeded) << stored.error;
  EXPECT_FALSE(runner->Live(run.id).has_value());
  JobRun again = runner->RunJob(Request("positions")).value();  // its (job, date) is free again
  EXPECT_EQ(WaitFinal(store(), again.id).state, JobState::kSucceeded);
}

TEST_P(JobRunnerTest, TheJobSetHasEveryJobOfTheSpecOnce) {
  server::ServerConfig config;
  server::jobs::JobMap jobs = server::jobs::MakeJobSet(config);
  std::vector<std::string> names;
  for (const auto& [name, job] : jobs) {
    names.push_back(name);
    EXPECT_EQ(job->name(), name);
  }
  std::vector<std::string> expected = PipelineJobs();
  expected.push_back("backup");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);  // JobMap is ordered by name
}

// A job's own parameter check runs at admission: a backup with no target and no configured
// default is refused naming parameters.target, and no run is created for it.
TEST_P(JobRunnerTest, ARequestThatCannotSucceedIsRefusedBeforeARunIsQueued) {
  server::ServerConfig config;  // no RISKCAP_BACKUP_URL
  auto runner = MakeRunner(server::jobs::MakeJobSet(config));
  auto refused = runner->RunJob(Request("backup"));
  ASSERT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().ToString(), "parameters.target"))
      << refused.status();
  JobRequest bad_replace = Request("backup");
  bad_replace.params = {{"target", "sqlite:/tmp/never-written.db"}, {"replace", "yes"}};
  auto refused_again = runner->RunJob(bad_replace);
  EXPECT_TRUE(absl::IsInvalidArgument(refused_again.status())) << refused_again.status();
  EXPECT_TRUE(store().ListJobRuns({}, {0, 10}).value().empty());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobRunnerTest);

}  // namespace
}  // namespace riskcap::testing
