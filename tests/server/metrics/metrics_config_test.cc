// The metrics endpoint's setting in server/daemon/config.cc: RISKCAP_METRICS_LISTEN and
// --metrics-listen, off by default, loopback for a bare port, range-checked the same way.
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/daemon/config.h"

namespace riskcap::server {
namespace {

TEST(MetricsConfig, OffByDefault) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({}, [](const char*) -> const char* { return nullptr; }, &config).ok());
  EXPECT_EQ(config.metrics_listen, "");
  EXPECT_EQ(*MetricsListenAddress(config.metrics_listen), "");
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(MetricsConfig, BarePortBindsLoopbackAndHostPortIsKept) {
  const std::map<std::string, std::string> cases = {
      {"9464", "127.0.0.1:9464"},           {":9464", "127.0.0.1:9464"},
      {"0", "127.0.0.1:0"},                 {"0.0.0.0:9464", "0.0.0.0:9464"},
      {"localhost:9100", "localhost:9100"}, {"[::1]:9464", "[::1]:9464"},
  };
  for (const auto& [setting, address] : cases) {
    auto got = MetricsListenAddress(setting);
    ASSERT_TRUE(got.ok()) << setting << ": " << got.status();
    EXPECT_EQ(*got, address) << setting;
  }
}

TEST(MetricsConfig, BadValuesAreRefusedNamingTheVariable) {
  for (const char* bad : {"65536", "-1", "host:", "host:port", "::1:9464", "9464x", "a:b:c"}) {
    ServerConfig config;
    absl::Status st = LoadConfig(
        {},
        [bad](const char* name) -> const char* {
          return std::string(name) == "RISKCAP_METRICS_LISTEN" ? bad : nullptr;
        },
        &config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(st.message(), "RISKCAP_METRICS_LISTEN")) << bad;
  }
}

TEST(MetricsConfig, FlagOverridesAndIsCheckedTheSameWay) {
  auto no_env = [](const char*) -> const char* { return nullptr; };
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({"--metrics-listen", "9464"}, no_env, &config).ok());
  EXPECT_EQ(config.metrics_listen, "9464");

  ServerConfig other;
  absl::Status st = LoadConfig({"--metrics-listen", "70000"}, no_env, &other);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "--metrics-listen")) << st;
}

}  // namespace
}  // namespace riskcap::server
