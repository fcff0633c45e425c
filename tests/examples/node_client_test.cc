// The Node.js client example (examples/node/submit_margin.js, @grpc/grpc-js + proto-loader loading
// protos/ directly) against the real riskcapd: the protos work with another gRPC toolchain.
// scripts/test installs the example's npm packages before running the tests.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.pb.h"
#include "tests/examples/example_fixture.h"

namespace riskcap {
namespace {

using testing::FromJson;
using testing::RunScript;
using testing::ScriptRun;

const std::string kExampleDir = std::string(RISKCAP_SOURCE_DIR) + "/examples/node";

// The first executable `name` on PATH, or "" when there is none.
std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "", ':', absl::SkipEmpty())) {
    std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

class NodeClientTest : public testing::ExampleTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kExampleDir + "/node_modules/@grpc/grpc-js"))
        << "run `npm ci` in examples/node first (scripts/test does)";
    node_ = FindOnPath("node");
    ASSERT_FALSE(node_.empty()) << "node is not on PATH (scripts/deps installs nodejs)";
    StartDaemon("node-client-test");
  }

  ScriptRun Run(const std::string& local, const std::string& request_id) {
    return RunScript({node_, kExampleDir + "/submit_margin.js", "--server", daemon_->address(),
                      "--fund", "101", "--date", "2025-06-30", "--local", local, "--offshore",
                      "250000", "--methodology", "Historical VaR 99%", "--request-id", request_id},
                     {{"RISKCAP_TOKEN", secret_}});
  }

  std::string node_;
};

TEST_F(NodeClientTest, SubmitsAndListsTheSubmissionBack) {
  ScriptRun run = Run("1500000.5", "node-client-1");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  ASSERT_EQ(run.stdout_lines.size(), 2u) << run.stderr_text;
  auto receipt = FromJson<v1::SubmissionReceipt>(run.stdout_lines[0]);
  ASSERT_GT(receipt.submission_id(), 0);
  EXPECT_FALSE(receipt.replayed());
  EXPECT_EQ(receipt.content_hash().size(), 64u);

  auto listed = FromJson<v1::ListSubmissionsResponse>(run.stdout_lines[1]);
  ASSERT_EQ(listed.submissions_size(), 1) << run.stdout_lines[1];
  const v1::MarginSubmission& shown = listed.submissions(0);
  EXPECT_EQ(shown.submission_id(), receipt.submission_id());
  EXPECT_EQ(shown.local_margin(), "1500000.50");
  EXPECT_EQ(shown.consolidated_margin(), "1750000.50");
  EXPECT_EQ(shown.state(), v1::SUBMISSION_STATE_RECEIVED);
  EXPECT_EQ(shown.request_id(), "node-client-1");

  auto stored = store_->GetSubmission(receipt.submission_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->local_margin.ToString(), "1500000.50");
  EXPECT_EQ(stored->content_hash, receipt.content_hash());
}

TEST_F(NodeClientTest, BadAmountPrintsTheDecodedFieldViolationAndStoresNothing) {
  ScriptRun run = Run("12.3456789", "node-client-bad");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.stdout_lines.empty());
  EXPECT_EQ(run.stderr_text.rfind("error: INVALID_ARGUMENT: invalid fields: local_margin (", 0), 0)
      << run.stderr_text;
  auto stored = store_->ListSubmissions({}, {});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->empty());
}

}  // namespace
}  // namespace riskcap
