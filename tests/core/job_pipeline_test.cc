// Tests of the job runner's pure rules (core/job_pipeline.cc).
#include "core/job_pipeline.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

TEST(PipelineJobs, RunInDependencyOrderWithoutBackup) {
  EXPECT_EQ(PipelineJobs(),
            (std::vector<std::string>{"nav_snapshot", "margin_ingest", "nav_history", "positions",
                                      "swaps", "exposure_snapshot", "margin_status",
                                      "reminders"}));
}

TEST(PipelineJobsFrom, EmptyMeansEveryJob) {
  EXPECT_EQ(PipelineJobsFrom("").value(), PipelineJobs());
}

TEST(PipelineJobsFrom, StartsAtTheNamedJob) {
  EXPECT_EQ(PipelineJobsFrom("swaps").value(),
            (std::vector<std::string>{"swaps", "exposure_snapshot", "margin_status", "reminders"}));
  EXPECT_EQ(PipelineJobsFrom("reminders").value(), std::vector<std::string>{"reminders"});
}

TEST(PipelineJobsFrom, RefusesJobsOutsideThePipeline) {
  for (const char* job : {"backup", "pipeline", "nope"}) {
    auto jobs = PipelineJobsFrom(job);
    EXPECT_EQ(jobs.status().code(), absl::StatusCode::kInvalidArgument) << job;
    EXPECT_TRUE(absl::StrContains(jobs.status().message(), job)) << jobs.status();
  }
}

TEST(IsFinalJobState, OnlyFinishedStatesAreFinal) {
  EXPECT_FALSE(IsFinalJobState(JobState::kQueued));
  EXPECT_FALSE(IsFinalJobState(JobState::kRunning));
  EXPECT_TRUE(IsFinalJobState(JobState::kSucceeded));
  EXPECT_TRUE(IsFinalJobState(JobState::kFailed));
  EXPECT_TRUE(IsFinalJobState(JobState::kCancelled));
}

TEST(ProgressFraction, IsClampedAndUnknownTotalsGiveZero) {
  EXPECT_DOUBLE_EQ(ProgressFraction(50, 200, false), 0.25);
  EXPECT_DOUBLE_EQ(ProgressFraction(300, 200, false), 1.0);
  EXPECT_DOUBLE_EQ(ProgressFraction(50, 0, false), 0.0);
  EXPECT_DOUBLE_EQ(ProgressFraction(0, 0, true), 1.0);
}

TEST(ParamsJson, SortsKeysAndEscapes) {
  EXPECT_EQ(ParamsJson({}), "{}");
  EXPECT_EQ(ParamsJson({{"to", "2024-01-31"}, {"from", "2024-01-01"}}),
            R"({"from":"2024-01-01","to":"2024-01-31"})");
  EXPECT_EQ(ParamsJson({{"q", "a\"b\\c\n"}}), R"({"q":"a\"b\\c\u000a"})");
}

}  // namespace
}  // namespace riskcap
