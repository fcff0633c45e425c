// riskcapd's delivery settings: read from the environment and flags with the same ranges, and the
// SMTP rules (scheme, sender, credentials in pairs, no plain text off loopback) checked at start.
#include "server/delivery/delivery_config.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/daemon/config.h"

namespace riskcap::server {
namespace {

Getenv FakeEnv(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

absl::Status Load(const std::map<std::string, std::string>& vars, ServerConfig* config) {
  if (auto st = LoadConfig({}, FakeEnv(vars), config); !st.ok()) return st;
  return ValidateConfig(*config);
}

TEST(DeliveryConfig, ReadsEveryVariable) {
  ServerConfig c;
  ASSERT_TRUE(Load({{"RISKCAP_SMTP_URL", "smtps://mail.example.com:465"},
                    {"RISKCAP_SMTP_FROM", "riskcap@example.com"},
                    {"RISKCAP_SMTP_USER", "riskcap"},
                    {"RISKCAP_SMTP_PASSWORD_FILE", "/run/secrets/smtp"},
                    {"RISKCAP_DELIVERY_MAX_ATTEMPTS", "3"},
                    {"RISKCAP_DELIVERY_BACKOFF_MS", "100"},
                    {"RISKCAP_DELIVERY_MAX_BACKOFF_MS", "1000"},
                    {"RISKCAP_DELIVERY_POLL_MS", "50"},
                    {"RISKCAP_DELIVERY_LEASE_SECONDS", "10"}},
                   &c)
                  .ok());
  EXPECT_EQ(c.delivery.smtp_url, "smtps://mail.example.com:465");
  EXPECT_EQ(c.delivery.max_attempts, 3);
  EXPECT_EQ(c.delivery.backoff_ms, 100);
  EXPECT_EQ(c.delivery.max_backoff_ms, 1000);
  EXPECT_EQ(c.delivery.poll_ms, 50);
  EXPECT_EQ(c.delivery.lease_seconds, 10);
}

TEST(DeliveryConfig, CriticalFindingsAreDeliveredOnlyWhenTurnedOn) {
  ServerConfig off;
  ASSERT_TRUE(Load({}, &off).ok());
  EXPECT_FALSE(off.delivery.notify_critical_findings);
  ServerConfig on;
  ASSERT_TRUE(Load({{"RISKCAP_NOTIFY_CRITICAL_FINDINGS", "true"}}, &on).ok());
  EXPECT_TRUE(on.delivery.notify_critical_findings);
  ServerConfig bad;
  absl::Status st = Load({{"RISKCAP_NOTIFY_CRITICAL_FINDINGS", "sometimes"}}, &bad);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "RISKCAP_NOTIFY_CRITICAL_FINDINGS")) << st;

  ServerConfig flagged;
  ASSERT_TRUE(LoadConfig({"--notify-critical-findings"}, FakeEnv({}), &flagged).ok());
  EXPECT_TRUE(flagged.delivery.notify_critical_findings);
}

TEST(DeliveryConfig, RefusesOutOfRangeValuesNamingTheVariable) {
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"RISKCAP_DELIVERY_MAX_ATTEMPTS", "0"},
           {"RISKCAP_DELIVERY_BACKOFF_MS", "5"},
           {"RISKCAP_DELIVERY_POLL_MS", "x"},
           {"RISKCAP_DELIVERY_LEASE_SECONDS", "3601"},
           {"RISKCAP_SMTP_STARTTLS", "maybe"}}) {
    ServerConfig c;
    absl::Status st = Load({{name, value}}, &c);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_TRUE(absl::StrContains(st.message(), name)) << st.message();
  }
}

TEST(DeliveryConfig, PlainSmtpOnlyToLoopbackUnlessAllowed) {
  const std::map<std::string, std::string> remote = {
      {"RISKCAP_SMTP_URL", "smtp://mail.example.com:25"},
      {"RISKCAP_SMTP_FROM", "riskcap@example.com"}};
  ServerConfig c;
  EXPECT_EQ(Load(remote, &c).code(), absl::StatusCode::kInvalidArgument);
  ServerConfig c2;
  EXPECT_TRUE(Load({{"RISKCAP_SMTP_URL", "smtp://mail.example.com:25"},
                    {"RISKCAP_SMTP_FROM", "riskcap@example.com"},
                    {"RISKCAP_SMTP_STARTTLS", "1"}},
                   &c2)
                  .ok());
  ServerConfig c3;
  EXPECT_TRUE(Load({{"RISKCAP_SMTP_URL", "smtp://mail.example.com:25"},
                    {"RISKCAP_SMTP_FROM", "riskcap@example.com"},
                    {"RISKCAP_SMTP_ALLOW_PLAIN", "1"}},
                   &c3)
                  .ok());
  ServerConfig c4;
  EXPECT_TRUE(Load({{"RISKCAP_SMTP_URL", "smtp://127.0.0.1:2525"},
                    {"RISKCAP_SMTP_FROM", "riskcap@example.com"}},
                   &c4)
                  .ok());
}

TEST(DeliveryConfig, RefusesABadSchemeSenderOrHalfTheCredentials) {
  ServerConfig c;
  EXPECT_FALSE(Load({{"RISKCAP_SMTP_URL", "http://127.0.0.1:25"},
                     {"RISKCAP_SMTP_FROM", "riskcap@example.com"}},
                    &c)
                   .ok());
  ServerConfig c2;
  EXPECT_FALSE(Load({{"RISKCAP_SMTP_URL", "smtp://127.0.0.1:25"}}, &c2).ok());
  ServerConfig c3;
  EXPECT_FALSE(Load({{"RISKCAP_SMTP_URL", "smtp://127.0.0.1:25"},
                     {"RISKCAP_SMTP_FROM", "riskcap@example.com"},
                     {"RISKCAP_SMTP_USER", "u"}},
                    &c3)
                   .ok());
}

TEST(DeliveryConfig, FlagsHaveTheSameRanges) {
  ServerConfig c;
  absl::Status st = LoadConfig({"--delivery-max-attempts", "0"}, FakeEnv({}), &c);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(st.message(), "--delivery-max-attempts")) << st;
  ServerConfig c2;
  ASSERT_TRUE(LoadConfig({"--delivery-max-attempts", "5", "--smtp-url", "smtp://127.0.0.1:25"},
                         FakeEnv({}), &c2)
                  .ok());
  EXPECT_EQ(c2.delivery.max_attempts, 5);
  EXPECT_EQ(c2.delivery.smtp_url, "smtp://127.0.0.1:25");
}

}  // namespace
}  // namespace riskcap::server
