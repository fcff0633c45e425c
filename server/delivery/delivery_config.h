// riskcapd's delivery settings: SMTP for e-mail, the outbox worker's attempts, back-off, polling
// and leases, and which findings are delivered (docs/operations.md, "Delivery"). Its settings are
// declared with all the others in server/daemon/config_settings.cc.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace riskcap::server {

struct DeliveryConfig {
  // RISKCAP_SMTP_URL (--smtp-url): smtp://host:port or smtps://host:port; empty = e-mail off
  // (e-mail deliveries wait, PENDING, until it is set).
  std::string smtp_url;
  std::string smtp_from;           // RISKCAP_SMTP_FROM (--smtp-from): envelope and From address
  std::string smtp_user;           // RISKCAP_SMTP_USER (--smtp-user)
  std::string smtp_password_file;  // RISKCAP_SMTP_PASSWORD_FILE (--smtp-password-file)
  bool smtp_starttls = false;      // RISKCAP_SMTP_STARTTLS (--smtp-starttls): require STARTTLS
  // RISKCAP_SMTP_ALLOW_PLAIN (--smtp-allow-plain): smtp:// without STARTTLS to a non-loopback
  // host. Off: mail and credentials would cross the network in clear.
  bool smtp_allow_plain = false;
  int max_attempts = 8;            // RISKCAP_DELIVERY_MAX_ATTEMPTS: FAILED after this many
  int backoff_ms = 30000;          // RISKCAP_DELIVERY_BACKOFF_MS: first retry delay, doubling
  int max_backoff_ms = 3600000;    // RISKCAP_DELIVERY_MAX_BACKOFF_MS: the doubling stops here
  int poll_ms = 2000;              // RISKCAP_DELIVERY_POLL_MS: how often the worker looks
  int lease_seconds = 120;         // RISKCAP_DELIVERY_LEASE_SECONDS: a claim's lifetime
  // RISKCAP_NOTIFY_CRITICAL_FINDINGS (--notify-critical-findings): a job that raises a new
  // CRITICAL finding of a fund queues its deliveries to the fund's manager, in the same
  // transaction. Off: only reminders are delivered.
  bool notify_critical_findings = false;
};

// The SMTP URL's scheme, From address, credentials and plain-text rule; back-off bounds.
absl::Status ValidateDeliveryConfig(const DeliveryConfig& config);

}  // namespace riskcap::server
