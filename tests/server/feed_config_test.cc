// Data-job source configuration: RISKCAP_SOURCE*, per-job overrides, and SourceFor.
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "server/config.h"
#include "server/sources/source_config.h"

namespace riskcap::server {
namespace {

absl::Status Load(const std::map<std::string, std::string>& env, ServerConfig* config) {
  return LoadConfigFromEnv(
      [&env](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
      },
      config);
}

TEST(SourcesConfig, DefaultsArePushWithVerifiedTls) {
  ServerConfig config;
  ASSERT_TRUE(Load({}, &config).ok());
  sources::SourceConfig positions = sources::SourceFor(config.sources, "positions");
  EXPECT_EQ(positions.location, "push");
  EXPECT_FALSE(positions.http.insecure_skip_tls_verify);
  EXPECT_EQ(positions.http.retries, 3);
  EXPECT_EQ(positions.http.timeout, absl::Seconds(30));
  EXPECT_DOUBLE_EQ(positions.min_feed_fraction, 0.5);
}

TEST(SourcesConfig, PerJobOverrideWinsOverTheDefault) {
  ServerConfig config;
  ASSERT_TRUE(Load({{"RISKCAP_SOURCE", "https://upstream.example"},
                    {"RISKCAP_SOURCE_SWAPS", "file:/data/swaps"},
                    {"RISKCAP_SOURCE_TOKEN", "t0k"},
                    {"RISKCAP_SOURCE_TIMEOUT_SECONDS", "7"},
                    {"RISKCAP_SOURCE_RETRIES", "5"},
                    {"RISKCAP_SOURCE_INSECURE", "true"},
                    {"RISKCAP_FEED_GUARD_FRACTION", "0.8"}},
                   &config)
                  .ok());
  sources::SourceConfig swaps = sources::SourceFor(config.sources, "swaps");
  sources::SourceConfig nav = sources::SourceFor(config.sources, "nav_snapshot");
  EXPECT_EQ(swaps.location, "file:/data/swaps");
  EXPECT_EQ(nav.location, "https://upstream.example");
  EXPECT_EQ(nav.http.bearer_token, "t0k");
  EXPECT_EQ(nav.http.timeout, absl::Seconds(7));
  EXPECT_EQ(nav.http.retries, 5);
  EXPECT_TRUE(nav.http.insecure_skip_tls_verify);
  EXPECT_DOUBLE_EQ(nav.min_feed_fraction, 0.8);
}

TEST(SourcesConfig, BadValuesNameTheVariable) {
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"RISKCAP_SOURCE_RETRIES", "-1"},
           {"RISKCAP_SOURCE_TIMEOUT_SECONDS", "0"},
           {"RISKCAP_SOURCE_INSECURE", "maybe"},
           {"RISKCAP_FEED_GUARD_FRACTION", "1.5"}}) {
    ServerConfig config;
    absl::Status st = Load({{name, value}}, &config);
    EXPECT_TRUE(absl::IsInvalidArgument(st)) << name;
    EXPECT_NE(st.message().find(name), std::string::npos) << st;
  }
}

}  // namespace
}  // namespace riskcap::server
