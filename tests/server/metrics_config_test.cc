// The metrics endpoint's setting in server/config.cc: RISKCAP_METRICS_LISTEN and
// --metrics-listen, off by default, loopback for a bare port, range-checked the same way.
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "gtest/gtest.h"
#include "server/config.h"

namespace riskcap::server {
namespace {

TEST(MetricsConfig, OffByDefault) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfigFromEnv([](const char*) -> const char* { return nullptr; }, &config).ok());
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
    ASSERT_TRUE(LoadConfigFromEnv(
                    [bad](const char* name) -> const char* {
                      return std::string(name) == "RISKCAP_METRICS_LISTEN" ? bad : nullptr;
                    },
                    &config)
                    .ok());
    absl::Status st = ValidateConfig(config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("RISKCAP_METRICS_LISTEN"), absl::string_view::npos) << bad;
  }
}

TEST(MetricsConfig, FlagOverridesAndIsCheckedTheSameWay) {
  ServerConfig config;
  CLI::App app;
  AddConfigFlags(app, &config);
  const char* good[] = {"riskcapd", "--metrics-listen", "9464"};
  app.parse(3, good);
  EXPECT_EQ(config.metrics_listen, "9464");

  ServerConfig other;
  CLI::App strict;
  AddConfigFlags(strict, &other);
  const char* bad[] = {"riskcapd", "--metrics-listen", "70000"};
  EXPECT_THROW(strict.parse(3, bad), CLI::ValidationError);
}

}  // namespace
}  // namespace riskcap::server
