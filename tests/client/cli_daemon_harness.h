// Test support for the riskcap CLI against the real riskcapd (a child process) whose data jobs
// read the simulated upstream: the pipeline the CLI starts fills the store as in production.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/output.h"
#include "gtest/gtest.h"
#include "server/rpc/auth.h"
#include "tests/client/cli_harness.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/riskcapd_process.h"

namespace riskcap::client::cli_testing {

// Today (UTC), the daemon's reference date: margin_status only counts submissions sent up to the
// reference date, and the simulated upstream's submissions are sent now.
inline std::string TodayUtc() { return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()); }

class CliDaemon : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto sim = riskcap::testing::UpstreamSim::Start({"--seed", "7", "--funds", "40"});
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = std::move(*sim);
    auto prepared = riskcap::testing::PrepareDaemonStore(GetParam(), "cli-daemon");
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    service_ = prepared->secret;
    analyst_ = AddKey(*prepared->store, Role::kAnalyst);
    admin_ = AddKey(*prepared->store, Role::kAdmin);
    prepared->store.reset();  // riskcapd is the store's only user
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("riskcap_cli_daemon_", getpid(), "_", reinterpret_cast<uintptr_t>(this));
    std::filesystem::create_directories(dir_);
    auto daemon = riskcap::testing::RiskcapdProcess::Start(
        {.env = {{"RISKCAP_DB", scratch_->url()},
                 {"RISKCAP_JOB_WORKERS", "1"},
                 {"RISKCAP_BACKUP_DIR", dir_.string()},  // where `backup --to NAME` writes
                 {"RISKCAP_SOURCE", sim_->url()}}});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string AddKey(db::Store& store, Role role) {
    ApiKey key;
    key.label = "cli-daemon-analyst";
    key.role = role;
    std::string secret = server::NewApiKeySecret();
    key.secret_hash = server::HashApiKeySecret(secret);
    key.created_at = absl::Now();
    key.created_by = "test";
    auto created = store.CreateApiKey(key);
    EXPECT_TRUE(created.ok()) << created.status();
    return secret;
  }

  std::map<std::string, std::string> CliEnv(const std::string& token) const {
    return {{"RISKCAP_SERVER", daemon_->address()},
            {"RISKCAP_TOKEN", token},
            {"RISKCAP_OUTPUT", ""},
            {"RISKCAP_TLS_CA", ""},
            {"RISKCAP_TLS_CERT", ""},
            {"RISKCAP_TLS_KEY", ""}};
  }

  static std::vector<std::string> CliArgv(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {riskcap::testing::BinaryPath("client/riskcap")};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  CliResult Cli(const std::vector<std::string>& args, const std::string& token) {
    CliResult result;
    auto run = riskcap::testing::RunCommand(CliArgv(args), CliEnv(token), &result.err);
    EXPECT_TRUE(run.ok()) << run.status();
    if (run.ok()) std::tie(result.code, result.out) = *run;
    return result;
  }

  // Runs the whole pipeline for today through the CLI, following it; returns its run id.
  int64_t RunPipeline() {
    CliResult run = Cli({"job", "pipeline", "--date", TodayUtc(), "-o", "json"}, service_);
    EXPECT_EQ(run.code, 0) << run.err;
    if (run.code != 0) return 0;
    const int64_t id = Json::parse(run.out).at("job_run_id").get<int64_t>();
    CliResult watch = Cli({"job", "watch", std::to_string(id)}, service_);
    EXPECT_EQ(watch.code, 0) << watch.out << watch.err;
    return id;
  }

  std::unique_ptr<riskcap::testing::UpstreamSim> sim_;
  std::unique_ptr<riskcap::testing::ScratchDatabase> scratch_;
  std::unique_ptr<riskcap::testing::RiskcapdProcess> daemon_;
  std::string service_, analyst_, admin_;
  std::filesystem::path dir_;
};

}  // namespace riskcap::client::cli_testing
