// The Python client example (examples/python/submit_margin.py) against the real riskcapd: the
// API works from another language through the stubs the build generates.
#include <algorithm>
#include <fstream>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_split.h"
#include "core/date.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.pb.h"
#include "tests/examples/example_fixture.h"
#include "tests/testing/subprocess.h"

namespace riskcap {
namespace {

using testing::BinaryPath;
using testing::FromJson;
using testing::RunScript;
using testing::ScriptRun;

constexpr char kMethodology[] = "Historical VaR 99%, 10-day horizon";

class PythonClientTest : public testing::ExampleTest {
 protected:
  void SetUp() override { StartDaemon("python-client-test"); }

  // Runs submit_margin.py for fund 101 on 2025-06-30 with the given amounts; the token comes
  // from RISKCAP_TOKEN, as a user would set it.
  ScriptRun RunSubmit(const std::string& local, const std::string& request_id) {
    return RunScript(
        {"/usr/bin/python3", std::string(RISKCAP_SOURCE_DIR) + "/examples/python/submit_margin.py",
         "--server", daemon_->address(), "--fund", "101", "--date", "2025-06-30", "--local", local,
         "--offshore", "250000", "--methodology", kMethodology, "--request-id", request_id},
        {{"PYTHONPATH", BinaryPath("python")}, {"RISKCAP_TOKEN", secret_}});
  }
};

TEST_F(PythonClientTest, SubmitsPrintsTheReceiptAndReadsTheSubmissionBack) {
  ScriptRun run = RunSubmit("1500000.5", "python-client-1");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  ASSERT_EQ(run.stdout_lines.size(), 2u) << run.stderr_text;
  auto receipt = FromJson<v1::SubmissionReceipt>(run.stdout_lines[0]);
  auto shown = FromJson<v1::MarginSubmission>(run.stdout_lines[1]);
  ASSERT_GT(receipt.submission_id(), 0);
  EXPECT_FALSE(receipt.replayed());
  EXPECT_EQ(receipt.content_hash().size(), 64u);
  EXPECT_EQ(shown.submission_id(), receipt.submission_id());
  EXPECT_EQ(shown.request_id(), "python-client-1");
  EXPECT_EQ(shown.local_margin(), "1500000.50");
  EXPECT_EQ(shown.consolidated_margin(), "1750000.50");

  auto stored = store_->GetSubmission(receipt.submission_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->fund_id, 101);
  EXPECT_EQ(FormatDate(stored->reference_date), "2025-06-30");
  EXPECT_EQ(stored->local_margin.ToString(), "1500000.50");
  EXPECT_EQ(stored->offshore_margin.ToString(), "250000.00");
  EXPECT_EQ(stored->methodology, kMethodology);
  EXPECT_EQ(stored->content_hash, receipt.content_hash());
}

TEST_F(PythonClientTest, RerunWithTheSameRequestIdReplaysTheReceipt) {
  ScriptRun first = RunSubmit("1000", "python-client-replay");
  ScriptRun again = RunSubmit("1000.00", "python-client-replay");
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  ASSERT_FALSE(first.stdout_lines.empty());
  ASSERT_FALSE(again.stdout_lines.empty());
  auto original = FromJson<v1::SubmissionReceipt>(first.stdout_lines[0]);
  auto replay = FromJson<v1::SubmissionReceipt>(again.stdout_lines[0]);
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.submission_id(), original.submission_id());
  EXPECT_EQ(replay.content_hash(), original.content_hash());
}

TEST_F(PythonClientTest, BadAmountPrintsTheFieldViolationAndExitsNonZero) {
  ScriptRun run = RunSubmit("12.3456789", "python-client-bad");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(run.stdout_lines.empty());
  // "local_margin (...)" is the decoded google.rpc.BadRequest, not the status message.
  EXPECT_EQ(run.stderr_text.rfind("error: INVALID_ARGUMENT: invalid fields: local_margin (", 0), 0)
      << run.stderr_text;
  EXPECT_EQ(std::count(run.stderr_text.begin(), run.stderr_text.end(), '\n'), 1)
      << run.stderr_text;
  auto stored = store_->ListSubmissions({}, {});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->empty());
}

// The manager's CSV script: one SubmitMargins stream, one result line per row, and a re-run of
// the same file replays instead of submitting twice (request ids derive from file and line).
TEST_F(PythonClientTest, CsvScriptSubmitsEveryRowAndReportsTheBadOne) {
  std::string csv_path = ::testing::TempDir() + "/margins-python-test.csv";
  {
    std::ofstream csv(csv_path);
    csv << "fund_id,reference_date,local_margin,offshore_margin,methodology\n"
        << "101,2025-06-27,1000.10,0,Historical VaR\n"
        << "101,2025-06-30,2000,500.5,Historical VaR\n"
        << "101,2025-06-30,-1,0,Historical VaR\n";
  }
  auto run_script = [&](std::string* err) {
    return testing::RunCommand(
        {"/usr/bin/python3",
         std::string(RISKCAP_SOURCE_DIR) + "/examples/python/submit_margins_csv.py", csv_path,
         "--server", daemon_->address()},
        {{"PYTHONPATH", BinaryPath("python")}, {"RISKCAP_TOKEN", secret_}}, err,
        absl::Seconds(60));
  };
  std::string err;
  auto first = run_script(&err);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->first, 1) << err;  // one row was refused
  std::vector<std::string> lines = absl::StrSplit(first->second, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << first->second << err;
  auto ok0 = FromJson<v1::SubmitMarginResult>(lines[0]);
  auto ok1 = FromJson<v1::SubmitMarginResult>(lines[1]);
  auto bad = FromJson<v1::SubmitMarginResult>(lines[2]);
  EXPECT_EQ(ok0.request_id(), "margins-python-test.csv:2");
  ASSERT_TRUE(ok0.has_receipt());
  ASSERT_TRUE(ok1.has_receipt());
  EXPECT_FALSE(ok1.receipt().replayed());
  ASSERT_TRUE(bad.has_error());
  EXPECT_EQ(bad.error().code(), 3);  // INVALID_ARGUMENT
  ASSERT_EQ(bad.error().field_violations_size(), 1);
  EXPECT_EQ(bad.error().field_violations(0).field(), "local_margin");
  EXPECT_NE(err.find("2 accepted, 1 rejected"), std::string::npos) << err;

  auto again = run_script(&err);
  ASSERT_TRUE(again.ok()) << again.status();
  std::vector<std::string> replayed = absl::StrSplit(again->second, '\n', absl::SkipEmpty());
  ASSERT_EQ(replayed.size(), 3u);
  auto replay1 = FromJson<v1::SubmitMarginResult>(replayed[1]);
  EXPECT_TRUE(replay1.receipt().replayed());
  EXPECT_EQ(replay1.receipt().submission_id(), ok1.receipt().submission_id());
  auto stored = store_->ListSubmissions({}, {});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->size(), 2u);
}

}  // namespace
}  // namespace riskcap
