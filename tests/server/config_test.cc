// riskcapd configuration: environment loading and cross-field validation.
#include "server/config.h"

#include <map>
#include <string>

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

}  // namespace
}  // namespace riskcap::server
