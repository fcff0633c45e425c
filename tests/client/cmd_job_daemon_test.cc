// `riskcap job ...` end to end against the real riskcapd running the real pipeline from the
// simulated upstream: run, pipeline, watch, list, get and cancel, with their outputs parsed back.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "core/date.h"
#include "gtest/gtest.h"
#include "tests/client/cli_daemon_harness.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::HasSubstr;

using CliJobDaemon = CliDaemon;

const std::vector<std::string> kPipelineJobs = {
    "nav_snapshot",      "margin_ingest", "nav_history", "positions", "swaps",
    "exposure_snapshot", "margin_status", "reminders"};

TEST_P(CliJobDaemon, PipelineWatchedInJsonLinesThenListedAndGot) {
  const std::string today = TodayUtc();
  CliResult run =
      Cli({"job", "pipeline", "--date", today, "--watch", "-o", "json"}, service_);
  ASSERT_EQ(run.code, 0) << run.err;
  // Not a terminal: one JSON object per update, the pipeline's and its children's.
  int64_t pipeline_id = 0;
  std::string last_pipeline_state;
  std::set<std::string> children_done;
  std::vector<std::string> updates = absl::StrSplit(run.out, '\n', absl::SkipEmpty());
  for (const std::string& line : updates) {
    Json update = Json::parse(line);
    if (update.at("job") == "pipeline") {
      pipeline_id = update.at("job_run_id").get<int64_t>();
      last_pipeline_state = update.at("state").get<std::string>();
    } else if (update.at("state") == "SUCCEEDED") {
      children_done.insert(update.at("job").get<std::string>());
    }
  }
  EXPECT_EQ(last_pipeline_state, "SUCCEEDED");
  EXPECT_EQ(children_done, std::set<std::string>(kPipelineJobs.begin(), kPipelineJobs.end()));

  // Its children, newest first, as CSV.
  CliResult list =
      Cli({"job", "list", "--parent", std::to_string(pipeline_id), "-o", "csv"}, service_);
  ASSERT_EQ(list.code, 0) << list.err;
  auto children = CsvRecords(list.out);
  ASSERT_EQ(children.size(), kPipelineJobs.size());
  int64_t child_rows = 0;
  for (size_t i = 0; i < children.size(); ++i) {
    EXPECT_EQ(children[i]["job"], kPipelineJobs[kPipelineJobs.size() - 1 - i]);
    EXPECT_EQ(children[i]["state"], "SUCCEEDED");
    EXPECT_EQ(children[i]["reference_date"], today);
    EXPECT_EQ(children[i]["parent_job_run_id"], std::to_string(pipeline_id));
    child_rows += std::stoll(children[i]["rows_written"]);
  }
  EXPECT_GT(child_rows, 0);

  // The pipeline's record sums its children's rows.
  CliResult get = Cli({"job", "get", std::to_string(pipeline_id), "-o", "json"}, analyst_);
  ASSERT_EQ(get.code, 0) << get.err;
  Json pipeline = Json::parse(get.out);
  EXPECT_EQ(pipeline.at("state"), "SUCCEEDED");
  EXPECT_EQ(pipeline.at("reference_date"), today);
  EXPECT_EQ(pipeline.at("rows_written").get<int64_t>(), child_rows);
  EXPECT_EQ(pipeline.at("progress_fraction").get<double>(), 1.0);

  // The table form has the header and one line per run (the pipeline, its 8 children).
  CliResult table = Cli({"job", "list"}, analyst_);
  ASSERT_EQ(table.code, 0) << table.err;
  std::vector<std::string> lines = absl::StrSplit(table.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1 + 1 + kPipelineJobs.size()) << table.out;
  EXPECT_THAT(lines[0], HasSubstr("JOB_RUN_ID"));
  EXPECT_THAT(lines.back(), HasSubstr("pipeline"));

  // Filters: no run failed; the one margin_status run.
  CliResult failed = Cli({"job", "list", "--state", "FAILED", "-o", "csv"}, analyst_);
  ASSERT_EQ(failed.code, 0) << failed.err;
  EXPECT_TRUE(CsvRecords(failed.out).empty()) << failed.out;
  CliResult status_runs = Cli({"job", "list", "--job", "margin_status", "-o", "json"}, analyst_);
  ASSERT_EQ(status_runs.code, 0) << status_runs.err;
  EXPECT_EQ(Json::parse(status_runs.out).size(), 1u);
}

TEST_P(CliJobDaemon, RunOneJobThenWatchItAndCancelAFinishedOne) {
  ASSERT_GT(RunPipeline(), 0);
  CliResult run = Cli({"job", "run", "margin_status", "--date", TodayUtc(), "-o", "json"}, service_);
  ASSERT_EQ(run.code, 0) << run.err;
  Json queued = Json::parse(run.out);
  EXPECT_EQ(queued.at("job"), "margin_status");
  const std::string id = std::to_string(queued.at("job_run_id").get<int64_t>());

  CliResult watch = Cli({"job", "watch", id}, service_);
  ASSERT_EQ(watch.code, 0) << watch.err;
  std::vector<std::string> lines = absl::StrSplit(watch.out, '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines.back(), HasSubstr(absl::StrCat("job ", id, " margin_status SUCCEEDED")));

  // Cancelling a finished run is a conflict: one error line, exit code 7.
  CliResult cancel = Cli({"job", "cancel", id}, service_);
  EXPECT_EQ(cancel.code, 7) << cancel.out;
  EXPECT_EQ(cancel.err, absl::StrCat("riskcap: failed precondition: job run ", id,
                                     " is already SUCCEEDED\n"));
}

TEST_P(CliJobDaemon, CancelsARunningJobAndWatchExitsOne) {
  // nav_snapshot waits on a slow upstream: time to cancel it while it runs.
  ASSERT_TRUE(sim_->SetFault("/v1/nav_snapshot", "slow", 1, 1.0).ok());
  CliResult run = Cli({"job", "run", "nav_snapshot", "--date", TodayUtc(), "-o", "json"}, service_);
  ASSERT_EQ(run.code, 0) << run.err;
  const std::string id = std::to_string(Json::parse(run.out).at("job_run_id").get<int64_t>());
  CliResult cancel = Cli({"job", "cancel", id, "-o", "json"}, service_);
  ASSERT_EQ(cancel.code, 0) << cancel.err;
  EXPECT_EQ(Json::parse(cancel.out).at("job_run_id").get<int64_t>(), std::stoll(id));

  CliResult watch = Cli({"job", "watch", id}, service_);
  EXPECT_EQ(watch.code, 1) << watch.out;
  EXPECT_THAT(watch.err, HasSubstr(absl::StrCat("job run ", id, " CANCELLED")));
  CliResult get = Cli({"job", "get", id, "-o", "csv"}, service_);
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_EQ(CsvRecords(get.out).at(0)["state"], "CANCELLED");
}

TEST_P(CliJobDaemon, CancellingAPipelineSkipsTheChildrenNotYetRun) {
  ASSERT_TRUE(sim_->SetFault("/v1/nav_snapshot", "slow", 1, 1.0).ok());
  CliResult run = Cli({"job", "pipeline", "--date", TodayUtc(), "-o", "json"}, service_);
  ASSERT_EQ(run.code, 0) << run.err;
  const std::string id = std::to_string(Json::parse(run.out).at("job_run_id").get<int64_t>());
  CliResult cancel = Cli({"job", "cancel", id}, service_);
  ASSERT_EQ(cancel.code, 0) << cancel.err;

  CliResult watch = Cli({"job", "watch", id, "-o", "json"}, service_);
  EXPECT_EQ(watch.code, 1) << watch.out;
  EXPECT_THAT(watch.err, HasSubstr(absl::StrCat("job run ", id, " CANCELLED")));
  CliResult list = Cli({"job", "list", "--parent", id, "-o", "csv"}, service_);
  ASSERT_EQ(list.code, 0) << list.err;
  auto children = CsvRecords(list.out);
  ASSERT_EQ(children.size(), kPipelineJobs.size());
  for (auto& child : children) {
    EXPECT_EQ(child["state"], "CANCELLED") << child["job"];
    if (child["job"] == "nav_snapshot") continue;  // cancelled while running
    EXPECT_EQ(child["error_message"], "skipped: pipeline cancelled") << child["job"];
    EXPECT_EQ(child["start_time"], "") << child["job"] << " never started";
  }
  // Nothing was loaded: the status has no snapshot yet.
  CliResult status = Cli({"status", "--summary"}, service_);
  EXPECT_EQ(status.code, 4) << status.out;
}

// `job pipeline --from-date D1 --to-date D2`: one backfill run, a pipeline per business day of
// the range, oldest first, each with the whole pipeline's jobs, from the simulated upstream.
TEST_P(CliJobDaemon, PipelineOverADateRangeBackfillsEachBusinessDayOldestFirst) {
  const Date today = ParseDate(TodayUtc()).value();
  std::vector<std::string> weekdays;  // any 7 consecutive days hold 5 business days
  for (Date d = today - 7; d < today; ++d) {
    if (IsWeekday(d)) weekdays.push_back(FormatDate(d));
  }
  ASSERT_EQ(weekdays.size(), 5u);
  CliResult run = Cli({"job", "pipeline", "--from-date", FormatDate(today - 7), "--to-date",
                       FormatDate(today - 1), "--watch", "-o", "json"},
                      service_);
  ASSERT_EQ(run.code, 0) << run.err;
  int64_t backfill_id = 0;
  std::string last_state;
  std::vector<std::string> updates = absl::StrSplit(run.out, '\n', absl::SkipEmpty());
  for (const std::string& line : updates) {
    Json update = Json::parse(line);
    if (update.at("job") != "backfill") continue;
    backfill_id = update.at("job_run_id").get<int64_t>();
    last_state = update.at("state").get<std::string>();
  }
  ASSERT_GT(backfill_id, 0) << run.out;
  EXPECT_EQ(last_state, "SUCCEEDED");

  CliResult dates =
      Cli({"job", "list", "--parent", std::to_string(backfill_id), "-o", "csv"}, analyst_);
  ASSERT_EQ(dates.code, 0) << dates.err;
  auto date_runs = CsvRecords(dates.out);  // newest first: the latest date was created last
  ASSERT_EQ(date_runs.size(), weekdays.size());
  for (size_t i = 0; i < date_runs.size(); ++i) {
    EXPECT_EQ(date_runs[i]["job"], "pipeline");
    EXPECT_EQ(date_runs[i]["reference_date"], weekdays[weekdays.size() - 1 - i]);
    EXPECT_EQ(date_runs[i]["state"], "SUCCEEDED");
  }
  // Oldest first: each date started after the previous one ended.
  for (size_t i = 0; i + 1 < date_runs.size(); ++i) {
    EXPECT_GE(date_runs[i]["start_time"], date_runs[i + 1]["end_time"]);
  }
  CliResult jobs = Cli({"job", "list", "--parent", date_runs.back()["job_run_id"], "-o", "csv"},
                       analyst_);
  ASSERT_EQ(jobs.code, 0) << jobs.err;
  auto job_runs = CsvRecords(jobs.out);
  ASSERT_EQ(job_runs.size(), kPipelineJobs.size());
  for (auto& job : job_runs) {
    EXPECT_EQ(job["state"], "SUCCEEDED") << job["job"];
    EXPECT_EQ(job["reference_date"], weekdays.front());
  }

  // Refused ranges name the field and queue nothing.
  CliResult future = Cli({"job", "pipeline", "--from-date", FormatDate(today - 1), "--to-date",
                          FormatDate(today + 1)},
                         service_);
  EXPECT_EQ(future.code, 3) << future.err;
  EXPECT_THAT(future.err, HasSubstr("to_date"));
  EXPECT_THAT(future.err, HasSubstr("is after today"));
  CliResult reversed = Cli({"job", "pipeline", "--from-date", FormatDate(today - 1), "--to-date",
                            FormatDate(today - 3)},
                           service_);
  EXPECT_EQ(reversed.code, 3) << reversed.err;
  EXPECT_THAT(reversed.err, HasSubstr("to_date"));
  CliResult half = Cli({"job", "pipeline", "--from-date", FormatDate(today - 1)}, service_);
  EXPECT_EQ(half.code, 2) << half.err;
  CliResult mixed = Cli({"job", "pipeline", "--date", FormatDate(today - 1), "--from-date",
                         FormatDate(today - 1), "--to-date", FormatDate(today - 1)},
                        service_);
  EXPECT_EQ(mixed.code, 2) << mixed.err;
  CliResult all = Cli({"job", "list", "--job", "backfill", "-o", "csv"}, analyst_);
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(CsvRecords(all.out).size(), 1u);
}

TEST_P(CliJobDaemon, InvalidInputsExitWithOneErrorLine) {
  CliResult unknown = Cli({"job", "run", "bogus"}, service_);
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown job \"bogus\"; jobs: margin_ingest"));
  CliResult pipeline_as_job = Cli({"job", "run", "pipeline"}, service_);
  EXPECT_EQ(pipeline_as_job.code, 2);
  CliResult bad_param = Cli({"job", "run", "reminders", "--param", "novalue"}, service_);
  EXPECT_EQ(bad_param.code, 3);
  EXPECT_THAT(bad_param.err, HasSubstr("--param"));
  CliResult bad_date = Cli({"job", "pipeline", "--date", "2026-13-40"}, service_);
  EXPECT_EQ(bad_date.code, 3) << bad_date.err;
  EXPECT_THAT(bad_date.err, HasSubstr("reference_date"));
  CliResult missing = Cli({"job", "get", "99999"}, service_);
  EXPECT_EQ(missing.code, 4);
  EXPECT_THAT(missing.err, HasSubstr("riskcap: not found"));
  // Running jobs takes SERVICE or ADMIN.
  CliResult denied = Cli({"job", "run", "reminders"}, analyst_);
  EXPECT_EQ(denied.code, 5) << denied.err;
  EXPECT_THAT(denied.err, HasSubstr("riskcap: permission denied"));
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliJobDaemon);

}  // namespace
}  // namespace riskcap::client::cli_testing
