// Tests of job runs in the store (db/store_job_runs.cc), on both backends.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

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
  JobRun d = Create(MakeRun("nav_snapshot", Date(2024, 3, 28)));
  JobRun e = Create(MakeRun("positions", Date(2024, 3, 29)));
  b.state = JobState::kSucceeded;
  ASSERT_TRUE(store().UpdateJobRun(b).ok());

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

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobRunWorkflow);

}  // namespace
}  // namespace riskcap::testing
