// riskcapd's delivery settings.
#include "server/delivery_config.h"

#include <CLI/CLI.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/contacts.h"

namespace riskcap::server {
namespace {

struct IntSetting {
  const char* env;
  const char* flag;
  int min;
  int max;
  int DeliveryConfig::*field;
  const char* help;
};

constexpr IntSetting kIntSettings[] = {
    {"RISKCAP_DELIVERY_MAX_ATTEMPTS", "--delivery-max-attempts", 1, 100,
     &DeliveryConfig::max_attempts, "attempts before a delivery is FAILED"},
    {"RISKCAP_DELIVERY_BACKOFF_MS", "--delivery-backoff-ms", 10, 3600000,
     &DeliveryConfig::backoff_ms, "delay before the first retry, doubling after each"},
    {"RISKCAP_DELIVERY_MAX_BACKOFF_MS", "--delivery-max-backoff-ms", 10, 86400000,
     &DeliveryConfig::max_backoff_ms, "longest delay between two attempts"},
    {"RISKCAP_DELIVERY_POLL_MS", "--delivery-poll-ms", 50, 60000, &DeliveryConfig::poll_ms,
     "how often the delivery worker looks for due deliveries"},
    {"RISKCAP_DELIVERY_LEASE_SECONDS", "--delivery-lease-seconds", 4, 3600,
     &DeliveryConfig::lease_seconds,
     "how long a server holds a claimed delivery; sends time out at half of it"},
};

absl::Status ReadBoolSetting(const char* name, const char* text, bool* out) {
  const std::string v = text;
  if (v == "1" || v == "true" || v == "yes") {
    *out = true;
  } else if (v == "0" || v == "false" || v == "no" || v.empty()) {
    *out = false;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(name, "='", v, "' must be true or false"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadDeliveryConfigFromEnv(const std::function<const char*(const char*)>& getenv,
                                       DeliveryConfig* c) {
  auto str = [&](const char* name, std::string* out) {
    if (const char* v = getenv(name)) *out = v;
  };
  str("RISKCAP_SMTP_URL", &c->smtp_url);
  str("RISKCAP_SMTP_FROM", &c->smtp_from);
  str("RISKCAP_SMTP_USER", &c->smtp_user);
  str("RISKCAP_SMTP_PASSWORD_FILE", &c->smtp_password_file);
  for (const auto& [name, out] :
       {std::pair{"RISKCAP_SMTP_STARTTLS", &c->smtp_starttls},
        std::pair{"RISKCAP_SMTP_ALLOW_PLAIN", &c->smtp_allow_plain},
        std::pair{"RISKCAP_NOTIFY_CRITICAL_FINDINGS", &c->notify_critical_findings}}) {
    if (const char* v = getenv(name)) {
      if (auto st = ReadBoolSetting(name, v, out); !st.ok()) return st;
    }
  }
  for (const IntSetting& s : kIntSettings) {
    const char* v = getenv(s.env);
    if (v == nullptr) continue;
    int value = 0;
    if (!absl::SimpleAtoi(v, &value) || value < s.min || value > s.max) {
      return absl::InvalidArgumentError(absl::StrCat(s.env, "='", v, "' must be an integer in [",
                                                     s.min, ", ", s.max, "]"));
    }
    c->*s.field = value;
  }
  return absl::OkStatus();
}

void AddDeliveryFlags(CLI::App& app, DeliveryConfig* c) {
  app.add_option("--smtp-url", c->smtp_url,
                 "SMTP server for e-mail deliveries, smtp://host:port or smtps://host:port "
                 "(env RISKCAP_SMTP_URL)");
  app.add_option("--smtp-from", c->smtp_from, "sender address of e-mails (env RISKCAP_SMTP_FROM)");
  app.add_option("--smtp-user", c->smtp_user, "SMTP user name (env RISKCAP_SMTP_USER)");
  app.add_option("--smtp-password-file", c->smtp_password_file,
                 "file holding the SMTP password (env RISKCAP_SMTP_PASSWORD_FILE)");
  app.add_flag("--smtp-starttls", c->smtp_starttls,
               "require STARTTLS on smtp:// (env RISKCAP_SMTP_STARTTLS)");
  app.add_flag("--smtp-allow-plain", c->smtp_allow_plain,
               "allow smtp:// without STARTTLS to a non-loopback host "
               "(env RISKCAP_SMTP_ALLOW_PLAIN)");
  app.add_flag("--notify-critical-findings", c->notify_critical_findings,
               "deliver each new CRITICAL finding of a fund to its manager's contacts "
               "(env RISKCAP_NOTIFY_CRITICAL_FINDINGS)");
  for (const IntSetting& s : kIntSettings) {
    app.add_option(s.flag, c->*s.field, absl::StrCat(s.help, " (env ", s.env, ")"))
        ->check(CLI::Range(s.min, s.max));
  }
}

absl::Status ValidateDeliveryConfig(const DeliveryConfig& c) {
  if (c.max_backoff_ms < c.backoff_ms) {
    return absl::InvalidArgumentError(absl::StrCat("--delivery-max-backoff-ms (", c.max_backoff_ms,
                                                   ") must be at least --delivery-backoff-ms (",
                                                   c.backoff_ms, ")"));
  }
  if (c.smtp_url.empty()) return absl::OkStatus();
  const bool smtps = absl::StartsWith(c.smtp_url, "smtps://");
  if (!smtps && !absl::StartsWith(c.smtp_url, "smtp://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp-url '", c.smtp_url, "' must start with smtp:// or smtps://"));
  }
  if (auto st = CheckEmailAddress(c.smtp_from); !st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp-from '", c.smtp_from, "' ", st.message(),
                     " (required with --smtp-url)"));
  }
  if (c.smtp_user.empty() != c.smtp_password_file.empty()) {
    return absl::InvalidArgumentError(
        "--smtp-user and --smtp-password-file must be given together");
  }
  const std::string http_like =
      absl::StrCat("http://", c.smtp_url.substr(c.smtp_url.find("://") + 3));
  if (!smtps && !c.smtp_starttls && !c.smtp_allow_plain && !IsLoopbackHost(UrlHost(http_like))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing plain SMTP to non-loopback ", c.smtp_url,
        ": use smtps://, --smtp-starttls, or pass --smtp-allow-plain"));
  }
  return absl::OkStatus();
}

}  // namespace riskcap::server
