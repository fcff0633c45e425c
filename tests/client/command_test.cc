// The riskcap command line without a server: every command's --help has an example, and bad
// command lines or inputs fail before any call with their exit codes.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/cli_harness.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Runs riskcap against a port where nothing listens.
CliResult Offline(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {riskcap::testing::BinaryPath("client/riskcap")};
  argv.insert(argv.end(), args.begin(), args.end());
  static const int port = riskcap::testing::FreeLoopbackPort();
  CliResult result;
  auto run = riskcap::testing::RunCommand(argv,
                                          {{"RISKCAP_SERVER", absl::StrCat("127.0.0.1:", port)},
                                           {"RISKCAP_TOKEN", "rk_x"},
                                           {"RISKCAP_OUTPUT", ""},
                                           {"RISKCAP_TIMEOUT", "2"}},
                                          &result.err);
  EXPECT_TRUE(run.ok()) << run.status();
  if (run.ok()) std::tie(result.code, result.out) = *run;
  return result;
}

TEST(CliCommands, EveryCommandHelpSaysWhatItDoesWithAnExample) {
  const std::vector<std::vector<std::string>> commands = {
      {"margin", "import"},   {"status"},
      {"nav", "get"},         {"nav", "history"},
      {"exposure", "get"},    {"exposure", "list"},
      {"positions", "list"},  {"ingest", "positions"},
      {"ingest", "nav"},      {"ingest", "nav-history"},
      {"job", "run"},         {"job", "pipeline"},
      {"job", "watch"},       {"job", "list"},
      {"job", "get"},         {"job", "cancel"},
      {"finding", "list"},    {"finding", "ack"},
      {"finding", "resolve"}, {"finding", "watch"},
      {"key", "create"},      {"key", "list"},
      {"key", "revoke"},      {"backup"}};
  for (std::vector<std::string> command : commands) {
    command.push_back("--help");
    CliResult r = Offline(command);
    EXPECT_EQ(r.code, 0) << command[0];
    EXPECT_THAT(r.out, AllOf(HasSubstr("Example"), HasSubstr("riskcap ")))
        << command[0] << " " << command[1];
  }
  CliResult top = Offline({"--help"});
  EXPECT_THAT(top.out, AllOf(HasSubstr("status"), HasSubstr("ingest"), HasSubstr("finding"),
                             HasSubstr("backup"), HasSubstr("Exit codes")));
}

TEST(CliCommands, UsageErrorsExit2) {
  EXPECT_EQ(Offline({"job", "run", "bogus"}).code, 2);
  EXPECT_EQ(Offline({"job", "run", "pipeline"}).code, 2);  // that is `job pipeline`
  EXPECT_EQ(Offline({"job", "list", "--state", "DONE"}).code, 2);
  EXPECT_EQ(Offline({"finding", "resolve", "3"}).code, 2);  // --resolution is required
  EXPECT_EQ(Offline({"finding", "list", "--severity", "HUGE"}).code, 2);
  EXPECT_EQ(Offline({"status", "--class", "XYZ"}).code, 2);
  EXPECT_EQ(Offline({"nav", "history"}).code, 2);  // --fund is required
  EXPECT_EQ(Offline({"key", "revoke", "0"}).code, 2);
  CliResult unknown_job = Offline({"job", "run", "bogus"});
  EXPECT_THAT(unknown_job.err, HasSubstr("nav_snapshot"));  // lists the jobs
}

TEST(CliCommands, BadFlagValuesExit3NamingTheFlagBeforeAnyCall) {
  CliResult param = Offline({"job", "run", "positions", "--param", "novalue"});
  EXPECT_EQ(param.code, 3);
  EXPECT_THAT(param.err, HasSubstr("riskcap: invalid argument: --param: must be key=value"));
  CliResult overdue = Offline({"status", "--overdue", "--deadline", "on_time"});
  EXPECT_EQ(overdue.code, 3);
  EXPECT_THAT(overdue.err, HasSubstr("--overdue: contradicts --deadline"));
  EXPECT_EQ(Offline({"status", "--version", "2"}).code, 3);
}

TEST(CliCommands, UnreachableServerExits6) {
  for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
           {"status"},
           {"status", "--summary"},
           {"job", "list"},
           {"job", "watch", "1"},
           {"job", "run", "--param", "a=1", "positions", "--param", "b=2"},
           {"finding", "list"},
           {"finding", "ack", "1"},
           {"backup"},
           {"backup", "--to", "b.db"}}) {
    CliResult r = Offline(command);
    EXPECT_EQ(r.code, 6) << command[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("riskcap: unavailable: "));
  }
}

}  // namespace
}  // namespace riskcap::client::cli_testing
