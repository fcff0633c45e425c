// riskcapd's delivery settings: read from the environment and flags with the same ranges, and the
// SMTP rules (scheme, sender, credentials in pairs, no plain text off loopback) checked at start.
#include "server/delivery_config.h"

#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/config.h"

namespace riskcap::server {
namespace {

std::function<const char*(const char*)> FakeEnv(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

absl::Status Load(const std::map<std::string, std::string>& vars, ServerConfig* config) {
  if (auto st = LoadConfigFromEnv(FakeEnv(vars), config); !st.ok()) return st;
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
  CLI::App app;
  AddConfigFlags(app, &flagged);
  ASSERT_NO_THROW(app.parse("--notify-critical-findings", false));
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
  auto starttls = remote;
  starttls["RISKCAP_SMTP_STARTTLS"] = "1";
  ServerConfig c2;
  EXPECT_TRUE(Load(starttls, &c2).ok());
  auto allowed = remote;
  allowed["RISKCAP_SMTP_ALLOW_PLAIN"] = "1";
  ServerConfig c3;
  EXPECT_TRUE(Load(allowed, &c3).ok());
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
  CLI::App app;
  AddConfigFlags(app, &c);
  EXPECT_THROW(app.parse("--delivery-max-attempts 0", false), CLI::ValidationError);
  CLI::App ok;
  ServerConfig c2;
  AddConfigFlags(ok, &c2);
  ok.parse("--delivery-max-attempts 5 --smtp-url smtp://127.0.0.1:25", false);
  EXPECT_EQ(c2.delivery.max_attempts, 5);
  EXPECT_EQ(c2.delivery.smtp_url, "smtp://127.0.0.1:25");
}

}  // namespace
}  // namespace riskcap::server
