// Hostile feeds against the real riskcapd, on both backends: a NAV snapshot nested 100,000 levels
// deep, one holding a 10 MB field, a Latin-1 CSV, and an upstream announcing a 1 GB body. Each
// run fails as a quarantined feed with a finding that says why; riskcapd keeps serving and the
// NAV snapshot loaded before stays current.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "riskcap/v1/fund.grpc.pb.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/grpc_probe.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {
namespace {

constexpr char kDay[] = "2026-11-20";

std::string ReadText(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path, std::ios::binary).rdbuf();
  return text.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class FeedLimitsRiskcapd : public ::testing::TestWithParam<db::Backend> {
 protected:
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // riskcapd over a prepared store, reading `source`.
  void StartDaemon(const std::string& source) {
    auto prepared = PrepareDaemonStore(GetParam(), "feeds");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    prepared->store.reset();
    store_ = std::move(*prepared);
    auto proc = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", store_.scratch->url()},
                                                {"RISKCAP_JOB_WORKERS", "1"},
                                                {"RISKCAP_SOURCE", source}}});
    ASSERT_TRUE(proc.ok()) << proc.status();
    proc_ = std::move(*proc);
    channel_ = grpc::CreateChannel(proc_->address(), grpc::InsecureChannelCredentials());
  }

  // The simulator's files for kDay in a new directory, and riskcapd reading them.
  void StartOnFiles() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "riskcap-limits.XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    std::string err;
    auto run = RunCommand({"/usr/bin/python3", UpstreamSimScript(), "write-files", "--dir", dir_,
                           "--date", kDay, "--funds", "12", "--positions", "60", "--format",
                           "both"},
                          {}, &err);
    ASSERT_TRUE(run.ok() && run->first == 0) << err;
    StartDaemon("file:" + dir_);
  }

  std::string File(const std::string& dataset, const std::string& ext) const {
    return absl::StrCat(dir_, "/", dataset, "-", kDay, ".", ext);
  }

  // Runs nav_snapshot for kDay and polls it to a final state.
  v1::JobRun RunNavSnapshot(const std::string& request_id) {
    auto jobs = v1::JobService::NewStub(channel_);
    v1::JobRun run;
    {
      grpc::ClientContext ctx;
      TestServer::Authorize(ctx, store_.secret);
      v1::RunJobRequest request;
      request.set_request_id(request_id);
      request.set_job(v1::JOB_KIND_NAV_SNAPSHOT);
      request.set_reference_date(kDay);
      grpc::Status st = jobs->RunJob(&ctx, request, &run);
      EXPECT_TRUE(st.ok()) << st.error_message();
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (run.state() != v1::JOB_RUN_STATE_SUCCEEDED && run.state() != v1::JOB_RUN_STATE_FAILED &&
           run.state() != v1::JOB_RUN_STATE_CANCELLED && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
      grpc::ClientContext ctx;
      TestServer::Authorize(ctx, store_.secret);
      v1::GetJobRunRequest get;
      get.set_job_run_id(run.job_run_id());
      grpc::Status st = jobs->GetJobRun(&ctx, get, &run);
      EXPECT_TRUE(st.ok()) << st.error_message();
      if (!st.ok()) break;
    }
    return run;
  }

  // The current NAV snapshot version of kDay, through the API (0 when there is none).
  int32_t CurrentNavVersion() {
    auto snapshots = v1::SnapshotService::NewStub(channel_);
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, store_.secret);
    v1::GetNavSnapshotRequest request;
    request.set_fund_id(1000);
    request.set_as_of_date(kDay);
    v1::NavSnapshot nav;
    grpc::Status st = snapshots->GetNavSnapshot(&ctx, request, &nav);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return st.ok() ? nav.version() : 0;
  }

  std::vector<v1::Finding> Quarantines() {
    auto findings = v1::FindingService::NewStub(channel_);
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, store_.secret);
    v1::ListFindingsRequest request;
    request.set_rule("QUARANTINED_FEED");
    v1::ListFindingsResponse response;
    grpc::Status st = findings->ListFindings(&ctx, request, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {response.findings().begin(), response.findings().end()};
  }

  // A good load, then `damage`; the next run must fail as a quarantined feed naming `code` and
  // `why`, with riskcapd still serving the first load.
  void ExpectQuarantined(const std::string& code, const std::string& why) {
    v1::JobRun bad = RunNavSnapshot(absl::StrCat("bad-", code));
    EXPECT_EQ(bad.state(), v1::JOB_RUN_STATE_FAILED) << bad.ShortDebugString();
    EXPECT_TRUE(absl::StrContains(bad.error_message(), absl::StrCat("quarantined feed (", code)))
        << bad.error_message();
    EXPECT_TRUE(absl::StrContains(bad.error_message(), why)) << bad.error_message();
    std::vector<v1::Finding> findings = Quarantines();
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_TRUE(absl::StrContains(findings[0].message(), why)) << findings[0].message();
    EXPECT_EQ(findings[0].job_run_id(), bad.job_run_id());
    auto serving = HealthServing(channel_);
    EXPECT_TRUE(serving.ok() && *serving) << proc_->Stderr();
    EXPECT_EQ(CurrentNavVersion(), 1) << "the load before the bad feed must stay current";
    EXPECT_TRUE(absl::IsDeadlineExceeded(proc_->Wait(absl::ZeroDuration()).status()))
        << "riskcapd exited: " << proc_->Stderr();
  }

  void LoadGood() {
    v1::JobRun good = RunNavSnapshot("good");
    ASSERT_EQ(good.state(), v1::JOB_RUN_STATE_SUCCEEDED) << good.error_message();
    ASSERT_EQ(CurrentNavVersion(), 1);
  }

  std::string dir_;
  DaemonStore store_;
  std::unique_ptr<RiskcapdProcess> proc_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_P(FeedLimitsRiskcapd, NavSnapshotNested100000DeepIsQuarantined) {
  ASSERT_NO_FATAL_FAILURE(StartOnFiles());
  ASSERT_NO_FATAL_FAILURE(LoadGood());
  const int depth = 100000;
  WriteText(File("nav_snapshot", "json"),
            absl::StrCat("{\"rows\":[{\"fund_id\":1000,\"extra\":", std::string(depth, '['),
                         std::string(depth, ']'), "}]}"));
  ExpectQuarantined("TOO_DEEP", "rows[0].extra");
}

TEST_P(FeedLimitsRiskcapd, TenMegabyteFieldIsQuarantined) {
  ASSERT_NO_FATAL_FAILURE(StartOnFiles());
  ASSERT_NO_FATAL_FAILURE(LoadGood());
  std::string json = ReadText(File("nav_snapshot", "json"));
  const size_t second_row = json.find("{\"fund_id\"", json.find("{\"fund_id\"") + 1);
  ASSERT_NE(second_row, std::string::npos) << json;
  json.insert(second_row + 1, absl::StrCat("\"note\":\"", std::string(10 << 20, 'x'), "\","));
  WriteText(File("nav_snapshot", "json"), json);
  ExpectQuarantined("FIELD_TOO_LONG", "rows[1].note");
}

TEST_P(FeedLimitsRiskcapd, Latin1CsvIsQuarantinedAndNothingIsStored) {
  ASSERT_NO_FATAL_FAILURE(StartOnFiles());
  ASSERT_NO_FATAL_FAILURE(LoadGood());
  // A new fund whose name is Latin-1 ("Ações"), in a CSV the job now reads instead of the JSON.
  std::filesystem::remove(File("funds", "json"));
  std::string csv = ReadText(File("funds", "csv"));
  const size_t line = csv.find('\n') + 1;
  std::string row = csv.substr(line, csv.find('\n', line) - line + 1);
  row.replace(0, row.find(','), "1999");
  row.replace(row.find(',') + 1, row.find(',', row.find(',') + 1) - row.find(',') - 1,
              "A\xe7\xf5" "es Brasil");
  WriteText(File("funds", "csv"), csv + row);
  ExpectQuarantined("INVALID_UTF8", "rows[12].name");
  // Nothing was stored: the fund is unknown, and every fund still lists.
  auto funds = v1::FundService::NewStub(channel_);
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, store_.secret);
  v1::ListFundsRequest request;
  request.set_page_size(1000);
  v1::ListFundsResponse response;
  grpc::Status st = funds->ListFunds(&ctx, request, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  for (const v1::Fund& f : response.funds()) EXPECT_NE(f.fund_id(), 1999);
}

TEST_P(FeedLimitsRiskcapd, UpstreamAnnouncingAGigabyteIsQuarantinedUnread) {
  auto sim = UpstreamSim::Start({"--seed", "5", "--funds", "12"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  ASSERT_NO_FATAL_FAILURE(StartDaemon((*sim)->url()));
  ASSERT_NO_FATAL_FAILURE(LoadGood());
  ASSERT_TRUE((*sim)->SetFault("/v1/nav_snapshot", "oversize").ok());
  const absl::Time start = absl::Now();
  ExpectQuarantined("TOO_LARGE", "announces 1000000000 bytes");
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_EQ(*(*sim)->Hits("/v1/nav_snapshot"), 2) << "a body too large is not retried";
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(FeedLimitsRiskcapd);

}  // namespace
}  // namespace riskcap::testing
