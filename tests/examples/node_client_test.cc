// The Node.js client example (examples/node/submit_margin.js, @grpc/grpc-js + proto-loader loading
// protos/ directly) against the real riskcapd: the protos work with another gRPC toolchain.
// scripts/test installs the example's npm packages before running the tests.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.pb.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

using testing::RiskcapdProcess;

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

struct ScriptRun {
  int exit_code = -1;
  std::vector<std::string> stdout_lines;
  std::string stderr_text;
};

class NodeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kExampleDir + "/node_modules/@grpc/grpc-js"))
        << "run `npm ci` in examples/node first (scripts/test does)";
    node_ = FindOnPath("node");
    ASSERT_FALSE(node_.empty()) << "node is not on PATH (scripts/deps installs nodejs)";
    auto prepared = testing::PrepareDaemonStore(db::Backend::kSqlite, "node-client-test");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    store_ = std::move(prepared->store);
    secret_ = prepared->secret;
    auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", scratch_->url()}}});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  ScriptRun Run(const std::string& local, const std::string& request_id) {
    std::vector<std::string> argv = {
        node_, kExampleDir + "/submit_margin.js", "--server", daemon_->address(), "--fund", "101",
        "--date", "2025-06-30", "--local", local, "--offshore", "250000", "--methodology",
        "Historical VaR 99%", "--request-id", request_id};
    ScriptRun run;
    auto result = testing::RunCommand(argv, {{"RISKCAP_TOKEN", secret_}}, &run.stderr_text,
                                      absl::Seconds(60));
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return run;
    run.exit_code = result->first;
    run.stdout_lines = absl::StrSplit(result->second, '\n', absl::SkipEmpty());
    return run;
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;
  std::string secret_;
  std::string node_;
  std::unique_ptr<RiskcapdProcess> daemon_;
};

TEST_F(NodeClientTest, SubmitsAndListsTheSubmissionBack) {
  ScriptRun run = Run("1500000.5", "node-client-1");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  ASSERT_EQ(run.stdout_lines.size(), 2u) << run.stderr_text;
  v1::SubmissionReceipt receipt;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.stdout_lines[0], &receipt).ok())
      << run.stdout_lines[0];
  ASSERT_GT(receipt.submission_id(), 0);
  EXPECT_FALSE(receipt.replayed());
  EXPECT_EQ(receipt.content_hash().size(), 64u);

  v1::ListSubmissionsResponse listed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.stdout_lines[1], &listed).ok())
      << run.stdout_lines[1];
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
