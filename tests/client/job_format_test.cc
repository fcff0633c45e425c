// Job names, --param parsing and the watch display (client/job_format), and the status flags
// (client/status_format): what job and status commands do before and after calling the server.
#include "client/job_format.h"

#include "client/status_format.h"
#include "core/field_errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(JobFormat, NamesAreLowerCaseAndParseInAnySpelling) {
  EXPECT_EQ(JobName(v1::JOB_KIND_EXPOSURE_SNAPSHOT), "exposure_snapshot");
  EXPECT_EQ(ParseJobName("exposure-snapshot"), v1::JOB_KIND_EXPOSURE_SNAPSHOT);
  EXPECT_EQ(ParseJobName("NAV_HISTORY"), v1::JOB_KIND_NAV_HISTORY);
  EXPECT_EQ(ParseJobName("bogus"), std::nullopt);
  EXPECT_THAT(JobNames(), Contains("backup"));
}

TEST(JobFormat, ParamsAreKeyValuePairs) {
  auto params = ParseParams({"target=sqlite:///x.db?mode=rw", "empty="});
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_EQ((*params)["target"], "sqlite:///x.db?mode=rw");
  EXPECT_EQ((*params)["empty"], "");
  auto bad = ParseParams({"novalue"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldViolationsOf(bad.status())[0].field, "--param");
  EXPECT_THAT(ParseParams({"a=1", "a=2"}).status().message(), HasSubstr("repeated"));
}

TEST(JobFormat, WatchLineAndProgressBar) {
  v1::JobRun run;
  run.set_job_run_id(12);
  run.set_job(v1::JOB_KIND_POSITIONS);
  run.set_state(v1::JOB_RUN_STATE_RUNNING);
  run.set_progress_fraction(0.456);
  run.set_progress_message("writing positions (12000/48000)");
  EXPECT_EQ(JobWatchLine(run), "job 12 positions RUNNING 45% writing positions (12000/48000)");
  EXPECT_EQ(JobProgressBar(run).substr(0, 23), "[#########           ] ");
  run.set_state(v1::JOB_RUN_STATE_FAILED);
  run.set_error_message("source unreachable");
  EXPECT_EQ(JobWatchLine(run), "job 12 positions FAILED: source unreachable");
  EXPECT_TRUE(IsFinal(run.state()));
  run.set_state(v1::JOB_RUN_STATE_SUCCEEDED);
  run.set_rows_written(48000);
  EXPECT_EQ(JobProgressBar(run),
            "[####################] job 12 positions SUCCEEDED rows_written=48000");
}

TEST(JobFormat, RunTableNamesTheJobAndFlattensParameters) {
  v1::JobRun run;
  run.set_job_run_id(5);
  run.set_job(v1::JOB_KIND_BACKUP);
  (*run.mutable_parameters())["target"] = "file:///b.db";
  (*run.mutable_parameters())["a"] = "1";
  Json object = JobRunObject(run);
  EXPECT_EQ(object["job"], "backup");
  EXPECT_EQ(object["parameters"], "a=1;target=file:///b.db");
  EXPECT_EQ(object["state"], "UNSPECIFIED");
}

TEST(StatusFormat, FlagsBecomeTheRequest) {
  StatusFlags f;
  f.overdue = true;
  f.validation = "not_received";
  f.manager = 7;
  f.exposure = "NONE";
  auto request = StatusRequest(f);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->deadline_status(), v1::DEADLINE_STATUS_OVERDUE);
  EXPECT_EQ(request->validation_status(), v1::VALIDATION_STATUS_NOT_RECEIVED);
  EXPECT_EQ(request->manager_id(), 7);
  EXPECT_TRUE(request->include_not_monitored());
  f.deadline = "ON_TIME";
  EXPECT_EQ(FieldViolationsOf(StatusRequest(f).status())[0].field, "--overdue");
  StatusFlags versioned;
  versioned.version = 2;
  EXPECT_EQ(FieldViolationsOf(StatusRequest(versioned).status())[0].field, "--version");
}

TEST(StatusFormat, ClassAndExposureFilterOnTheClient) {
  StatusFlags f;
  f.regulatory_class = "acoes";
  f.exposure = "OTC";
  v1::FundStatus s;
  s.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OTC);
  EXPECT_TRUE(KeepStatus(f, s, v1::REGULATORY_CLASS_ACOES));
  EXPECT_FALSE(KeepStatus(f, s, v1::REGULATORY_CLASS_MULTIMERCADO));
  s.set_consolidated_exposure(v1::EXPOSURE_ORIGIN_OFFSHORE);
  EXPECT_FALSE(KeepStatus(f, s, v1::REGULATORY_CLASS_ACOES));
  EXPECT_TRUE(KeepStatus(StatusFlags{}, s, v1::REGULATORY_CLASS_UNSPECIFIED));
}

}  // namespace
}  // namespace riskcap::client
