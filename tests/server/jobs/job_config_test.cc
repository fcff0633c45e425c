// riskcapd configuration of the job runner: RISKCAP_JOB_WORKERS and RISKCAP_JOB_ABANDON_SECONDS
// (--job-workers, --job-abandon-seconds).
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/daemon/config.h"

namespace riskcap::server {
namespace {

Getenv Env(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(JobConfig, DefaultsToTwoWorkersAndThirtySecondAbandonment) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({}, Env({}), &config).ok());
  EXPECT_EQ(config.job_workers, 2);
  EXPECT_EQ(config.job_abandon_after, absl::Seconds(30));
}

TEST(JobConfig, ReadsTheEnvironment) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({}, Env({{"RISKCAP_JOB_WORKERS", "4"},
                                     {"RISKCAP_JOB_ABANDON_SECONDS", "120"}}),
                                &config)
                  .ok());
  EXPECT_EQ(config.job_workers, 4);
  EXPECT_EQ(config.job_abandon_after, absl::Seconds(120));
}

TEST(JobConfig, RefusesOutOfRangeValuesNamingTheVariable) {
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"RISKCAP_JOB_WORKERS", "0"}, {"RISKCAP_JOB_ABANDON_SECONDS", "1"}}) {
    ServerConfig config;
    absl::Status st = LoadConfig({}, Env({{name, value}}), &config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_TRUE(absl::StrContains(st.message(), name)) << st;
  }
}

TEST(JobConfig, AbandonmentIsAlsoAFlag) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({"--job-abandon-seconds", "45"}, Env({{"RISKCAP_JOB_ABANDON_SECONDS", "120"}}),
                         &config)
                  .ok());
  EXPECT_EQ(config.job_abandon_after, absl::Seconds(45));
}

}  // namespace
}  // namespace riskcap::server
