// riskcapd configuration: flags over environment variables over defaults, every setting checked
// the same way from either source, and the checks across settings.
#include "server/daemon/config.h"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace riskcap::server {
namespace {

Getenv FakeEnv(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

absl::Status LoadEnv(const Getenv& getenv, ServerConfig* config) {
  return LoadConfig({}, getenv, config);
}

TEST(ServerConfig, DefaultsAreLoopbackAndLocalSqlite) {
  ServerConfig config;
  ASSERT_TRUE(LoadEnv(FakeEnv({}), &config).ok());
  EXPECT_EQ(config.listen, "127.0.0.1:50051");
  EXPECT_EQ(config.worker_threads, 64);
  EXPECT_EQ(config.db_url, "sqlite:riskcap.db");
  EXPECT_TRUE(ValidateConfig(config).ok());
}

TEST(ServerConfig, ReadsEnvironment) {
  ServerConfig config;
  ASSERT_TRUE(LoadEnv(FakeEnv({{"RISKCAP_LISTEN", "127.0.0.1:6000"},
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
    absl::Status st = LoadEnv(FakeEnv({{"RISKCAP_WORKER_THREADS", bad}}), &config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("RISKCAP_WORKER_THREADS"), absl::string_view::npos);
  }
}

TEST(ServerConfig, EarliestReferenceDateFromEnvironmentAndFlag) {
  ServerConfig config;
  ASSERT_TRUE(LoadEnv(FakeEnv({}), &config).ok());
  EXPECT_EQ(config.earliest_reference_date, Date(2000, 1, 1));
  ASSERT_TRUE(
      LoadEnv(FakeEnv({{"RISKCAP_EARLIEST_REFERENCE_DATE", "2015-06-01"}}), &config)
          .ok());
  EXPECT_EQ(config.earliest_reference_date, Date(2015, 6, 1));
  for (const char* bad : {"2015-13-01", "yesterday", "1899-12-31"}) {
    ServerConfig other;
    absl::Status st =
        LoadEnv(FakeEnv({{"RISKCAP_EARLIEST_REFERENCE_DATE", bad}}), &other);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("RISKCAP_EARLIEST_REFERENCE_DATE"), absl::string_view::npos);
  }

  ASSERT_TRUE(LoadConfig({"--earliest-reference-date", "2019-01-02"}, FakeEnv({}), &config).ok());
  EXPECT_EQ(config.earliest_reference_date, Date(2019, 1, 2));
  ServerConfig flagged;
  absl::Status st = LoadConfig({"--earliest-reference-date", "2019-02-30"}, FakeEnv({}), &flagged);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(flagged.earliest_reference_date, Date(2000, 1, 1));
}

TEST(ServerConfig, StoreTimeoutsDefaultReadAndRangeChecked) {
  ServerConfig config;
  ASSERT_TRUE(LoadEnv(FakeEnv({}), &config).ok());
  EXPECT_EQ(config.db_statement_timeout_seconds, 60);
  EXPECT_EQ(config.db_lock_timeout_seconds, 30);
  ASSERT_TRUE(LoadEnv(FakeEnv({{"RISKCAP_DB_STATEMENT_TIMEOUT_SECONDS", "5"},
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
    absl::Status st = LoadEnv(FakeEnv({{name, bad}}), &config);
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
  ASSERT_TRUE(LoadEnv(FakeEnv({{"RISKCAP_MAX_STREAMS", "16"},
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
    absl::Status st = LoadEnv(FakeEnv({{name, value}}), &c);
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

// The declaration: each flag and each variable names one setting, and each default passes its
// own setting's check (a default outside its range would be a setting no one could give back).
TEST(ConfigSettings, EachNameIsDeclaredOnceAndEachDefaultPassesItsOwnCheck) {
  std::set<std::string> flags, envs;
  const ServerConfig defaults;
  for (const Setting& s : ServerSettings()) {
    EXPECT_TRUE(absl::StartsWith(s.env, "RISKCAP_")) << s.env;
    EXPECT_TRUE(envs.insert(s.env).second) << s.env << " declared twice";
    if (!s.flag.empty()) {
      EXPECT_TRUE(absl::StartsWith(s.flag, "--")) << s.flag;
      EXPECT_TRUE(flags.insert(s.flag).second) << s.flag << " declared twice";
    }
    EXPECT_FALSE(s.help.empty()) << s.env;
    ServerConfig copy;
    EXPECT_TRUE(ApplySetting(s, s.get(defaults), copy).ok()) << s.env << "=" << s.get(defaults);
  }
  EXPECT_EQ(flags.size() + 1, envs.size()) << "only RISKCAP_SOURCE_TOKEN (a secret) has no flag";
}

// Flag over variable over default, for each kind of setting.
TEST(ConfigSettings, FlagWinsOverTheVariableWhichWinsOverTheDefault) {
  const std::map<std::string, std::string> env = {{"RISKCAP_WORKER_THREADS", "16"},
                                                  {"RISKCAP_DB", "sqlite:env.db"},
                                                  {"RISKCAP_LOG_LEVEL", "error"},
                                                  {"RISKCAP_SMTP_STARTTLS", "yes"},
                                                  {"RISKCAP_SHUTDOWN_GRACE_SECONDS", "5"},
                                                  {"RISKCAP_SOURCE_SWAPS", "file:/env"}};
  ServerConfig from_env;
  ASSERT_TRUE(LoadConfig({}, FakeEnv(env), &from_env).ok());
  EXPECT_EQ(from_env.worker_threads, 16);
  EXPECT_EQ(from_env.db_url, "sqlite:env.db");
  EXPECT_EQ(from_env.log_level, LogLevel::kError);
  EXPECT_TRUE(from_env.delivery.smtp_starttls);
  EXPECT_EQ(from_env.shutdown_grace, absl::Seconds(5));
  EXPECT_EQ(from_env.sources.per_job.at("swaps"), "file:/env");
  EXPECT_EQ(from_env.db_pool_size, 8) << "neither given: the default";

  ServerConfig flagged;
  ASSERT_TRUE(LoadConfig({"--worker-threads", "32", "--db=sqlite:flag.db", "--log-level", "debug",
                          "--smtp-starttls=false", "--shutdown-grace-seconds", "0",
                          "--source-swaps", "push"},
                         FakeEnv(env), &flagged)
                  .ok());
  EXPECT_EQ(flagged.worker_threads, 32);
  EXPECT_EQ(flagged.db_url, "sqlite:flag.db");
  EXPECT_EQ(flagged.log_level, LogLevel::kDebug);
  EXPECT_FALSE(flagged.delivery.smtp_starttls);
  EXPECT_EQ(flagged.shutdown_grace, absl::ZeroDuration());
  EXPECT_EQ(flagged.sources.per_job.at("swaps"), "push");

  ServerConfig bare_switch;
  ASSERT_TRUE(LoadConfig({"--allow-insecure-remote"}, FakeEnv({}), &bare_switch).ok());
  EXPECT_TRUE(bare_switch.allow_insecure_remote);
}

// An empty variable is unset, as with CLI11's own environment fallback (the client's); an empty
// flag value is a flag without its value.
TEST(ConfigSettings, EmptyVariableIsUnsetAndEmptyFlagValueIsRefused) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({}, FakeEnv({{"RISKCAP_LISTEN", ""}, {"RISKCAP_WORKER_THREADS", ""}}),
                         &config)
                  .ok());
  EXPECT_EQ(config.listen, "127.0.0.1:50051");
  EXPECT_EQ(config.worker_threads, 64);
  absl::Status st = LoadConfig({"--worker-threads="}, FakeEnv({}), &config);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "--worker-threads")) << st;
}

// A flag given overrides a bad variable: the variable is not read at all.
TEST(ConfigSettings, GivenFlagMeansTheVariableIsNotRead) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({"--max-streams", "4", "--worker-threads", "8"},
                         FakeEnv({{"RISKCAP_MAX_STREAMS", "lots"}}), &config)
                  .ok());
  EXPECT_EQ(config.max_streams, 4);
}

// The same bad value gets the same refusal, naming the flag and the variable, from either source:
// one parser per setting. Table-driven over every declared setting and hostile values.
TEST(ConfigSettings, EverySettingRefusesABadValueTheSameWayFromTheFlagAndTheVariable) {
  const std::vector<std::string> values = {"x",   "-1",       "0",       "1.5",
                                           "nan", "1e999", "99999999999999999999", "2019-02-30",
                                           "maybe", "loud", " 7", "7 "};
  int refusals = 0;
  for (const Setting& s : ServerSettings()) {
    if (s.flag.empty()) continue;
    for (const std::string& value : values) {
      ServerConfig by_flag, by_env;
      absl::Status flag_st = LoadConfig({s.flag + "=" + value}, FakeEnv({}), &by_flag);
      absl::Status env_st = LoadConfig({}, FakeEnv({{s.env, value}}), &by_env);
      EXPECT_EQ(flag_st, env_st) << s.flag << "='" << value << "'";
      EXPECT_EQ(s.get(by_flag), s.get(by_env)) << s.flag << "='" << value << "'";
      if (!env_st.ok()) {
        ++refusals;
        EXPECT_EQ(env_st.code(), absl::StatusCode::kInvalidArgument);
        EXPECT_TRUE(absl::StartsWith(env_st.message(), s.flag + " / " + s.env + ": '" + value + "' "))
            << env_st;
      }
    }
  }
  EXPECT_GT(refusals, 100) << "the hostile values must mostly be refused";
}

TEST(ConfigSettings, OutOfRangeFlagAndVariableAreRefusedWithOneMessage) {
  const std::string expected =
      "--max-message-bytes / RISKCAP_MAX_MESSAGE_BYTES: '1023' must be an integer in "
      "[1024, 1073741824]";
  ServerConfig a, b;
  absl::Status by_flag = LoadConfig({"--max-message-bytes", "1023"}, FakeEnv({}), &a);
  absl::Status by_env = LoadConfig({}, FakeEnv({{"RISKCAP_MAX_MESSAGE_BYTES", "1023"}}), &b);
  EXPECT_EQ(by_flag, absl::InvalidArgumentError(expected));
  EXPECT_EQ(by_env, absl::InvalidArgumentError(expected));
  EXPECT_EQ(a.max_message_bytes, 16 << 20);
}

TEST(ConfigSettings, UnknownValuesAreRefusedNamingTheSetting) {
  const std::pair<const char*, const char*> cases[] = {
      {"RISKCAP_LOG_LEVEL", "loud"},           {"RISKCAP_LOG_LEVEL", "warn"},
      {"RISKCAP_SOURCE_INSECURE", "maybe"},    {"RISKCAP_FEED_GUARD_FRACTION", "nan"},
      {"RISKCAP_EARLIEST_REFERENCE_DATE", "2019-02-30"},
      {"RISKCAP_METRICS_LISTEN", "host:port"}, {"RISKCAP_SHUTDOWN_GRACE_SECONDS", "3601"},
      {"RISKCAP_JOB_ABANDON_SECONDS", "4"},
  };
  for (const auto& [name, value] : cases) {
    ServerConfig config;
    absl::Status st = LoadConfig({}, FakeEnv({{name, value}}), &config);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << name << "=" << value;
    EXPECT_TRUE(absl::StrContains(st.message(), name)) << st;
  }
  ServerConfig any_case;
  ASSERT_TRUE(LoadConfig({}, FakeEnv({{"RISKCAP_LOG_LEVEL", "Warning"}}), &any_case).ok());
  EXPECT_EQ(any_case.log_level, LogLevel::kWarning);
}

TEST(ConfigSettings, UnknownFlagIsRefused) {
  ServerConfig config;
  absl::Status st = LoadConfig({"--worker-thread", "8"}, FakeEnv({}), &config);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "--worker-thread")) << st;
}

// The secret is never a flag (a command line is visible to every user of the machine).
TEST(ConfigSettings, SourceTokenIsReadFromTheEnvironmentOnly) {
  ServerConfig config;
  ASSERT_TRUE(LoadConfig({}, FakeEnv({{"RISKCAP_SOURCE_TOKEN", "t0k"}}), &config).ok());
  EXPECT_EQ(config.sources.token, "t0k");
  ServerConfig flagged;
  EXPECT_EQ(LoadConfig({"--source-token", "t0k"}, FakeEnv({}), &flagged).code(),
            absl::StatusCode::kInvalidArgument);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The README's configuration table lists every setting, by variable and flag, and no other.
TEST(ConfigSettings, ReadmeTableListsEverySettingAndNoOther) {
  const std::string readme = ReadFile(std::string(RISKCAP_SOURCE_DIR) + "/README.md");
  const size_t start = readme.find("\n## Configuration\n");
  ASSERT_NE(start, std::string::npos);
  const size_t end = readme.find("\n## ", start + 1);
  std::string table;
  std::istringstream lines(readme.substr(start, end - start));
  for (std::string line; std::getline(lines, line);) {
    if (absl::StartsWith(line, "| `")) table += line + "\n";
  }
  std::set<std::string> declared;
  for (const Setting& s : ServerSettings()) {
    declared.insert(s.env);
    EXPECT_TRUE(absl::StrContains(table, "`" + s.env + "`")) << s.env << " missing from README";
    if (!s.flag.empty()) {
      EXPECT_TRUE(absl::StrContains(table, "`" + s.flag + "`")) << s.flag << " missing from README";
    }
  }
  const std::regex variable("`(RISKCAP_[A-Z_]+)`");
  for (std::sregex_iterator it(table.begin(), table.end(), variable), last; it != last; ++it) {
    EXPECT_EQ(declared.count((*it)[1]), 1u) << (*it)[1] << " in README is no setting";
  }
}

}  // namespace
}  // namespace riskcap::server
