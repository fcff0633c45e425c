// The internal-service Python example (examples/python/watch_findings.py) against the real
// riskcapd: it waits on WatchFindings, the real pipeline run from the simulated upstream raises a
// finding, and the script prints it with the fund's exposure as one JSON line, then stops (--max).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/finding.grpc.pb.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"
#include "tests/examples/example_fixture.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {
namespace {

// `object` (a JSON object) as `message`, failing the test when it does not parse.
template <typename Message>
Message FromStruct(const google::protobuf::Struct& object) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(object, &json).ok());
  return FromJson<Message>(json);
}

class PythonServiceTest : public ::testing::TestWithParam<db::Backend> {};

TEST_P(PythonServiceTest, WatchFindingsPrintsTheRaisedFindingWithItsExposure) {
  auto sim = UpstreamSim::Start({"--seed", "7", "--funds", "40"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  auto prepared = PrepareDaemonStore(GetParam(), "python-service");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  prepared->store.reset();
  auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", prepared->scratch->url()},
                                                {"RISKCAP_JOB_WORKERS", "1"},
                                                {"RISKCAP_SOURCE", (*sim)->url()}}});
  ASSERT_TRUE(daemon.ok()) << daemon.status();

  auto script = Subprocess::Start(
      {"/usr/bin/python3",
       std::string(RISKCAP_SOURCE_DIR) + "/examples/python/watch_findings.py", "--server",
       (*daemon)->address(), "--after", "0", "--max", "1", "--min-severity", "CRITICAL"},
      {{"PYTHONPATH", BinaryPath("python")}, {"RISKCAP_TOKEN", prepared->secret}});
  ASSERT_TRUE(script.ok()) << script.status();

  // Nothing is raised yet: the script says it is watching once the server has opened the stream
  // (from then on nothing is missed). Then the pipeline runs (today: the upstream's submissions
  // count) and raises findings.
  ASSERT_TRUE((*script)->WaitForStderr("watching for findings").ok()) << (*script)->Stderr();
  auto channel = grpc::CreateChannel((*daemon)->address(), grpc::InsecureChannelCredentials());
  auto jobs = v1::JobService::NewStub(channel);
  v1::RunPipelineRequest run;
  run.set_request_id("python-service-pipeline");
  run.set_reference_date(absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()));
  v1::JobRun pipeline;
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, prepared->secret);
    grpc::Status st = jobs->RunPipeline(&ctx, run, &pipeline);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  auto code = (*script)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status() << (*script)->Stderr();
  ASSERT_EQ(*code, 0) << (*script)->Stderr();
  std::vector<std::string> lines = absl::StrSplit((*script)->Stdout(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << (*script)->Stdout();
  auto line = FromJson<google::protobuf::Struct>(lines[0]);
  auto finding = FromStruct<v1::Finding>(line.fields().at("finding").struct_value());
  EXPECT_EQ(finding.severity(), v1::FINDING_SEVERITY_CRITICAL);
  EXPECT_EQ(finding.state(), v1::FINDING_STATE_OPEN);
  ASSERT_GT(finding.fund_id(), 0);
  EXPECT_EQ(finding.reference_date(), run.reference_date());

  // The same finding as the server lists it.
  auto findings = v1::FindingService::NewStub(channel);
  v1::ListFindingsRequest list;
  list.set_minimum_severity(v1::FINDING_SEVERITY_CRITICAL);
  v1::ListFindingsResponse listed;
  {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, prepared->secret);
    ASSERT_TRUE(findings->ListFindings(&ctx, list, &listed).ok());
  }
  bool found = false;
  for (const v1::Finding& f : listed.findings()) {
    if (f.finding_id() != finding.finding_id()) continue;
    found = true;
    EXPECT_EQ(f.rule(), finding.rule());
    EXPECT_EQ(f.fund_id(), finding.fund_id());
    EXPECT_EQ(f.message(), finding.message());
  }
  EXPECT_TRUE(found) << finding.finding_id();

  // The fund's exposure, from the snapshot this pipeline computed before margin_status.
  ASSERT_EQ(line.fields().at("exposure").kind_case(), google::protobuf::Value::kStructValue)
      << lines[0];
  auto exposure = FromStruct<v1::FundExposure>(line.fields().at("exposure").struct_value());
  EXPECT_EQ(exposure.fund_id(), finding.fund_id());
  EXPECT_EQ(exposure.reference_date(), run.reference_date());

  jobs.reset();
  findings.reset();
  channel.reset();
  (*daemon)->Signal(SIGTERM);
  auto stopped = (*daemon)->Wait(absl::Seconds(20));
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, 0) << (*daemon)->Stderr();
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(PythonServiceTest);

}  // namespace
}  // namespace riskcap::testing
