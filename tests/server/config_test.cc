// riskcapd configuration: environment loading and cross-field validation.
#include "server/config.h"

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gtest/gtest.h"

namespace riskcap::server {
namespace {

std::function<const char*(const char*)> FakeEnv(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(ServerConfig, DefaultsAreLoopbackAndLocalSqlite) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfigFromEnv(FakeEnv({}), &config).ok());
  EXPECT_EQ(config.listen, "127.0.0.1:50051");
  EXPECT_EQ(config.worker_threads, 64);
  EXPECT_EQ(config.db_url, "sqlite:riskcap.db");
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(ServerConfig, ReadsEnvironment) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfigFromEnv(FakeEnv({{"RISKCAP_LISTEN", "127.0.0.1:6000"},
                                         {"RISKCAP_DB", "postgresql://u@h/db"},
                                         {"RISKCAP_WORKER_THREADS", "16"},
                                         {"RISKCAP_ALLOW_INSECURE_REMOTE", "true"}}),
                                &config)
                  .ok());
  EXPECT_EQ(config.listen, "127.0.0.1:6000");
  EXPECT_EQ(config.db_url, "postgresql://u@h/db");
  EXPECT_EQ(config.worker_threads, 16);
  EXPECT_TRUE(config.allow_insecure_remote);
}

TEST(ServerConfig, BadNumbersNameTheVariable) {
  for (const char* bad : {"0", "-3", "many", "99999"}) {
    ServerConfig config;
    absl::Status st = LoadConfigFromEnv(FakeEnv({{"RISKCAP_WORKER_THREADS", bad}}), &config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("RISKCAP_WORKER_THREADS"), absl::string_view::npos);
  }
}

TEST(ServerConfig, EarliestReferenceDateFromEnvironmentAndFlag) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfigFromEnv(FakeEnv({}), &config).ok());
  EXPECT_EQ(config.earliest_reference_date, Date(2000, 1, 1));
  ASSERT_TRUE(
      LoadConfigFromEnv(FakeEnv({{"RISKCAP_EARLIEST_REFERENCE_DATE", "2015-06-01"}}), &config)
          .ok());
  EXPECT_EQ(config.earliest_reference_date, Date(2015, 6, 1));
  for (const char* bad : {"2015-13-01", "yesterday", "1899-12-31", ""}) {
    ServerConfig other;
    absl::Status st =
        LoadConfigFromEnv(FakeEnv({{"RISKCAP_EARLIEST_REFERENCE_DATE", bad}}), &other);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("RISKCAP_EARLIEST_REFERENCE_DATE"), absl::string_view::npos);
  }

  CLI::App app;
  AddConfigFlags(app, &config);
  app.parse(std::vector<std::string>{"2019-01-02", "--earliest-reference-date"});  // reversed
  EXPECT_EQ(config.earliest_reference_date, Date(2019, 1, 2));
  CLI::App strict;
  ServerConfig flagged;
  AddConfigFlags(strict, &flagged);
  EXPECT_THROW(strict.parse(std::vector<std::string>{"2019-02-30", "--earliest-reference-date"}),
               CLI::ValidationError);
  EXPECT_EQ(flagged.earliest_reference_date, Date(2000, 1, 1));
}

TEST(ServerConfig, StoreTimeoutsDefaultReadAndRangeChecked) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfigFromEnv(FakeEnv({}), &config).ok());
  EXPECT_EQ(config.db_statement_timeout_seconds, 60);
  EXPECT_EQ(config.db_lock_timeout_seconds, 30);
  ASSERT_TRUE(LoadConfigFromEnv(FakeEnv({{"RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS", "5"},
                                         {"RISKCAP_DB_LOCK_TIMEOUT_SECONDS", "2"}}),
                                &config)
                  .ok());
  EXPECT_EQ(config.db_statement_timeout_seconds, 5);
  EXPECT_EQ(config.db_lock_timeout_seconds, 2);
  for (const auto& [name, bad] : std::vector<std::pair<std::string, std::string>>{
           {"RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS", "0"},
           {"RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS", "86401"},
           {"RISKCAP_DB_LOCK_TIMEOUT_SECONDS", "0"},
           {"RISKCAP_DB_LOCK_TIMEOUT_SECONDS", "3601"},
           {"RISKCAP_DB_LOCK_TIMEOUT_SECONDS", "ten"}}) {
    absl::Status st = LoadConfigFromEnv(FakeEnv({{name, bad}}), &config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << name << "=" << bad;
    EXPECT_NE(st.message().find(name), absl::string_view::npos) << st;
  }
}

TEST(ServerConfig, ValidationTable) {
  struct Case {
    std::string listen, cert, key, client_ca;
    bool allow_insecure;
    bool ok;
  };
  const Case cases[] = {
      {"127.0.0.1:1", "", "", "", false, true},
      {"localhost:1", "", "", "", false, true},
      {"[::1]:1", "", "", "", false, true},
      {"0.0.0.0:1", "", "", "", false, false},
      {"0.0.0.0:1", "", "", "", true, true},
      {"0.0.0.0:1", "c.pem", "k.pem", "", false, true},
      {"127.0.0.1:1", "c.pem", "", "", false, false},
      {"127.0.0.1:1", "", "", "ca.pem", false, false},
      {"127.0.0.1", "", "", "", false, false},
      {"127.evil.example:1", "", "", "", false, false},
      {"127.1.2.3:1", "", "", "", false, true},
  };
  for (const Case& c : cases) {
    ServerConfig config;
    config.listen = c.listen;
    config.tls_cert = c.cert;
    config.tls_key = c.key;
    config.tls_client_ca = c.client_ca;
    config.allow_insecure_remote = c.allow_insecure;
    absl::Status st = ValidateConfig(config);
    EXPECT_EQ(st.ok(), c.ok) << c.listen << " cert=" << c.cert << " ca=" << c.client_ca << ": " << st;
    if (!c.ok) {
      EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(ServerConfig, StreamLimitsReadFromEnvironmentWithRangeChecks) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfigFromEnv(FakeEnv({{"RISKCAP_MAX_STREAMS", "16"},
                                         {"RISKCAP_MAX_STREAMS_PER_KEY", "3"},
                                         {"RISKCAP_STREAM_IDLE_SECONDS", "5"},
                                         {"RISKCAP_MAX_CONNECTION_IDLE_SECONDS", "60"},
                                         {"RISKCAP_MAX_CONNECTION_AGE_SECONDS", "600"}}),
                                &config)
                  .ok());
  EXPECT_EQ(config.max_streams, 16);
  EXPECT_EQ(config.max_streams_per_key, 3);
  EXPECT_EQ(config.stream_idle_seconds, 5);
  EXPECT_EQ(config.max_connection_idle_seconds, 60);
  EXPECT_EQ(config.max_connection_age_seconds, 600);
  const std::pair<const char*, const char*> bad[] = {
      {"RISKCAP_MAX_STREAMS", "0"},           {"RISKCAP_MAX_STREAMS_PER_KEY", "2000"},
      {"RISKCAP_STREAM_IDLE_SECONDS", "0"},   {"RISKCAP_MAX_CONNECTION_IDLE_SECONDS", "x"},
      {"RISKCAP_MAX_CONNECTION_AGE_SECONDS", "9"},
  };
  for (const auto& [name, value] : bad) {
    ServerConfig c;
    absl::Status st = LoadConfigFromEnv(FakeEnv({{name, value}}), &c);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << name << "=" << value;
    EXPECT_NE(st.message().find(name), absl::string_view::npos) << st;
  }
}

TEST(ServerConfig, StreamCapsMustLeaveThreadsForUnaryCalls) {
  ServerConfig config;
  config.worker_threads = 8;
  config.max_streams = 9;
  config.max_streams_per_key = 2;
  absl::Status st = ValidateConfig(config);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--max-streams"), absl::string_view::npos) << st;
  config.max_streams = 8;
  EXPECT_TRUE(ValidateConfig(config).ok());
  config.max_streams_per_key = 9;
  st = ValidateConfig(config);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--max-streams-per-key"), absl::string_view::npos) << st;
}

}  // namespace
}  // namespace riskcap::server
