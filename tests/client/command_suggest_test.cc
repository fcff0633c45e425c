// Tests for client/command_suggest.{h,cc}: unknown commands are named, with the nearest one.
#include "client/command_suggest.h"

#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

class CommandSuggest : public ::testing::Test {
 protected:
  void SetUp() override {
    app_.add_option("-o,--output", output_);
    CLI::App* job = app_.add_subcommand("job");
    job->add_subcommand("list");
    job->add_subcommand("run");
    job->add_subcommand("pipeline");
    app_.add_subcommand("status");
    app_.add_subcommand("margin")->add_subcommand("submit");
  }

  std::optional<std::string> Error(std::vector<const char*> words) {
    words.insert(words.begin(), "riskcap");
    return UnknownCommandError(app_, static_cast<int>(words.size()), words.data());
  }

  CLI::App app_{"test", "riskcap"};
  std::string output_;
};

TEST_F(CommandSuggest, NamesTheTypoAndTheNearestCommand) {
  EXPECT_EQ(Error({"stauts"}), "unknown command 'stauts'; did you mean 'status'?");
  EXPECT_EQ(Error({"job", "lst"}),
            "unknown command 'lst' for 'riskcap job'; did you mean 'list'?");
  EXPECT_EQ(Error({"-o", "json", "job", "pipelin"}),
            "unknown command 'pipelin' for 'riskcap job'; did you mean 'pipeline'?");
}

TEST_F(CommandSuggest, FarFromEverythingPointsAtHelp) {
  EXPECT_EQ(Error({"frobnicate"}),
            "unknown command 'frobnicate'; run 'riskcap --help' for the commands");
}

TEST_F(CommandSuggest, KnownCommandsAndTheirArgumentsAreNotErrors) {
  EXPECT_EQ(Error({"status"}), std::nullopt);
  EXPECT_EQ(Error({"margin", "submit", "anything"}), std::nullopt);
  EXPECT_EQ(Error({"--output", "json", "status"}), std::nullopt);
  EXPECT_EQ(Error({"job"}), std::nullopt);  // missing, not unknown: CLI11 says so
}

TEST(NearestName, PrefixAndDistance) {
  EXPECT_EQ(NearestName("stat", {"status", "snapshot"}), "status");
  EXPECT_EQ(NearestName("fnding", {"fund", "finding"}), "finding");
  EXPECT_EQ(NearestName("zzzzzz", {"fund", "finding"}), std::nullopt);
}

}  // namespace
}  // namespace riskcap::client
