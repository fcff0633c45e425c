// riskcap report end to end: the real binary against a live server. The dashboard's data comes
// from RiskService status; without a status snapshot the command must fail in one clear line,
// with the exit code of the server's answer, and write no file.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/errors.h"
#include "gtest/gtest.h"
#include "riskcap/v1/risk.grpc.pb.h"
#include "server/rpc/grpc_status.h"
#include "server/rpc/service_set.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_server.h"

namespace riskcap::client {
namespace {

namespace fs = std::filesystem;

class CliReportTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(
        GetParam(), [](server::RpcEnv& env) { return server::MakeServices(env); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    analyst_ = server_->CreateKey(Role::kAnalyst);
  }

  std::pair<int, std::string> Run(std::vector<std::string> args, std::string* err) {
    args.insert(args.begin(), riskcap::testing::BinaryPath("client/riskcap"));
    auto result = riskcap::testing::RunCommand(
        args, {{"RISKCAP_SERVER", server_->address()}, {"RISKCAP_TOKEN", analyst_}}, err);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : std::make_pair(-1, std::string());
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::string analyst_;
};

TEST_P(CliReportTest, WithoutAStatusSnapshotFailsInOneLineAndWritesNoFile) {
  // What the server answers for the summary the dashboard starts from (NOT_FOUND once
  // RiskService serves status; the command must pass that answer on either way).
  auto stub = v1::RiskService::NewStub(server_->channel());
  grpc::ClientContext ctx;
  riskcap::testing::TestServer::Authorize(ctx, analyst_);
  v1::RiskCapitalSummary summary;
  grpc::Status answer = stub->GetRiskCapitalSummary(&ctx, {}, &summary);
  ASSERT_FALSE(answer.ok());

  fs::path out = fs::path(::testing::TempDir()) /
                 absl::StrCat("report-", static_cast<int>(GetParam()), ".html");
  fs::remove(out);
  std::string err;
  auto [code, stdout_text] = Run({"report", "--out", out.string()}, &err);
  EXPECT_EQ(code, ExitCodeFor(static_cast<absl::StatusCode>(answer.error_code()))) << err;
  EXPECT_NE(code, 0);
  std::vector<std::string> lines = absl::StrSplit(err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << err;
  EXPECT_EQ(lines[0].rfind("riskcap: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(answer.error_message()), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(out));
}

// --out is optional: without it the file goes to the temporary directory, never into the
// directory the command runs in (the tour test, tests/tour, writes one that way).
TEST_P(CliReportTest, HelpSaysWhereTheFileGoesWithoutOut) {
  std::string err;
  auto [code, stdout_text] = Run({"report", "--help"}, &err);
  EXPECT_EQ(code, 0) << err;
  EXPECT_NE(stdout_text.find("riskcap-dashboard.html in the temporary directory"),
            std::string::npos)
      << stdout_text;
}

INSTANTIATE_TEST_SUITE_P(Backends, CliReportTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgresql),
                         riskcap::testing::BackendTestName);

}  // namespace
}  // namespace riskcap::client
