// Data-job source configuration: RISKCAP_SOURCE*, per-job overrides, and SourceFor.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/daemon/config.h"
#include "server/sources/source_config.h"

namespace riskcap::server {
namespace {

absl::Status Load(const std::map<std::string, std::string>& env, ServerConfig* config) {
  return LoadConfig(
      {},
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

TEST(SourcesConfig, FeedLimitsFromTheEnvironmentAndFlagsWithOneRange) {
  ServerConfig config;
  ASSERT_TRUE(Load({}, &config).ok());
  sources::SourceConfig defaults = sources::SourceFor(config.sources, "positions");
  EXPECT_EQ(defaults.limits.max_bytes, 256 << 20);
  EXPECT_EQ(defaults.limits.max_rows, 5'000'000);
  EXPECT_EQ(defaults.limits.max_field_bytes, 64 << 10);
  ASSERT_TRUE(Load({{"RISKCAP_FEED_MAX_BYTES", "8589934592"},
                    {"RISKCAP_FEED_MAX_ROWS", "10"},
                    {"RISKCAP_FEED_MAX_FIELD_BYTES", "100"}},
                   &config)
                  .ok());
  sources::SourceConfig nav = sources::SourceFor(config.sources, "nav_snapshot");
  EXPECT_EQ(nav.limits.max_bytes, int64_t{8} << 30);
  EXPECT_EQ(nav.limits.max_rows, 10);
  EXPECT_EQ(nav.limits.max_field_bytes, 100);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"RISKCAP_FEED_MAX_BYTES", "1023"},
           {"RISKCAP_FEED_MAX_BYTES", "lots"},
           {"RISKCAP_FEED_MAX_ROWS", "0"},
           {"RISKCAP_FEED_MAX_FIELD_BYTES", "2147483648"}}) {
    ServerConfig bad;
    absl::Status st = Load({{name, value}}, &bad);
    EXPECT_TRUE(absl::IsInvalidArgument(st)) << name << "=" << value;
    EXPECT_NE(st.message().find(name), std::string::npos) << st;
  }
  // The flags override the environment and check the same ranges.
  for (const auto& [args, ok] : std::vector<std::pair<std::vector<std::string>, bool>>{
           {{"--feed-max-bytes", "4096", "--feed-max-rows", "3"}, true},
           {{"--feed-max-bytes", "1023"}, false},
           {{"--feed-max-field-bytes", "63"}, false}}) {
    ServerConfig flagged;
    absl::Status st = LoadConfig(args, [](const char*) -> const char* { return nullptr; }, &flagged);
    EXPECT_EQ(st.ok(), ok) << args[0] << " " << args[1] << ": " << st;
    if (ok) {
      EXPECT_EQ(flagged.sources.feed_limits.max_bytes, 4096);
      EXPECT_EQ(flagged.sources.feed_limits.max_rows, 3);
    } else {
      EXPECT_TRUE(absl::StrContains(st.message(), args[0])) << st;
    }
  }
}

}  // namespace
}  // namespace riskcap::server
