// The delivery worker.
#include "server/delivery/delivery_worker.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/logger.h"
#include "core/log_throttle.h"

namespace riskcap::server {
namespace {

constexpr int kClaimBatch = 20;

}  // namespace

DeliveryWorker::DeliveryWorker(db::Store& store, const Clock& clock, const DeliveryConfig& config,
                               std::unique_ptr<SmtpSender> smtp, std::string owner,
                               metrics::ServerMetrics* metrics)
    : store_(store),
      clock_(clock),
      config_(config),
      smtp_(std::move(smtp)),
      webhook_(absl::Seconds(config.lease_seconds) / 2),
      owner_(std::move(owner)),
      metrics_(metrics) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() { thread_ = std::thread([this] { Loop(); }); }

void DeliveryWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

absl::Duration DeliveryWorker::Backoff(const DeliveryConfig& config, int failures) {
  int64_t ms = config.backoff_ms;
  for (int i = 1; i < failures && ms < config.max_backoff_ms; ++i) ms *= 2;
  return absl::Milliseconds(std::min<int64_t>(ms, config.max_backoff_ms));
}

db::Store::DeliveryAttempt DeliveryWorker::Attempt(const Delivery& d) {
  const absl::Time now = clock_.Now();
  SendOutcome outcome;
  if (d.channel == DeliveryChannel::kEmail) {
    outcome = smtp_ ? smtp_->Send(d, now)
                    : SendOutcome::Temporary("e-mail is not configured (RISKCAP_SMTP_URL)");
  } else {
    auto contacts = store_.GetManagerContacts(d.manager_id);
    outcome = contacts.ok() ? webhook_.Send(d, contacts->webhook_secret, now)
                            : SendOutcome::Temporary(contacts.status().ToString());
  }
  db::Store::DeliveryAttempt attempt;
  attempt.at = clock_.Now();
  attempt.retry_at = attempt.at;
  attempt.error = outcome.error;
  if (outcome.kind == SendOutcome::Kind::kSent) {
    attempt.state = DeliveryState::kSent;
  } else if (outcome.kind == SendOutcome::Kind::kPermanent ||
             d.attempts + 1 >= config_.max_attempts) {
    attempt.state = DeliveryState::kFailed;
  } else {
    attempt.state = DeliveryState::kPending;
    attempt.retry_at = attempt.at + Backoff(config_, d.attempts + 1);
  }
  return attempt;
}

absl::StatusOr<int> DeliveryWorker::RunOnce() {
  std::optional<DeliveryChannel> only;
  if (!smtp_) only = DeliveryChannel::kWebhook;
  auto claimed = store_.ClaimDeliveries(owner_, clock_.Now(),
                                        absl::Seconds(config_.lease_seconds), kClaimBatch, only);
  if (!claimed.ok()) return claimed.status();
  int attempted = 0;
  for (const Delivery& d : *claimed) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;  // the rest go back when their lease expires
    }
    db::Store::DeliveryAttempt attempt = Attempt(d);
    ++attempted;
    Log(attempt.state == DeliveryState::kSent ? LogLevel::kInfo : LogLevel::kWarning,
        "delivery attempted",
        {{"delivery", d.id}, {"channel", EnumName(d.channel)}, {"state", EnumName(attempt.state)},
         {"attempt", d.attempts + 1}, {"error", attempt.error}});
    if (metrics_ != nullptr) {
      metrics_->RecordDelivery(DeliveryMetricChannel(d.channel),
                               DeliveryMetricOutcome(attempt.state));
    }
    if (auto st = store_.FinishDeliveryAttempt(d.id, owner_, attempt); !st.ok()) {
      Log(LogLevel::kError, "delivery attempt not recorded",
          {{"delivery", d.id}, {"error", st.ToString()}});
    }
  }
  return attempted;
}

void DeliveryWorker::Loop() {
  LogThrottle throttle(absl::Minutes(1));
  while (true) {
    auto attempted = RunOnce();
    int64_t suppressed = 0;
    if (!attempted.ok() && throttle.Allow(absl::Now(), suppressed)) {
      Log(LogLevel::kWarning, "delivery worker cannot claim deliveries",
          {{"error", attempted.status().ToString()}, {"suppressed", suppressed}});
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;
    if (attempted.ok() && *attempted > 0) continue;  // more may be due at once
    cv_.wait_for(lock, std::chrono::milliseconds(config_.poll_ms), [this] { return stopping_; });
    if (stopping_) return;
  }
}

std::string_view DeliveryMetricChannel(DeliveryChannel channel) {
  switch (channel) {
    case DeliveryChannel::kEmail:
      return "email";
    case DeliveryChannel::kWebhook:
      return "webhook";
  }
  return "unknown";
}

std::string_view DeliveryMetricOutcome(DeliveryState state) {
  switch (state) {
    case DeliveryState::kSent:
      return "SENT";
    case DeliveryState::kFailed:
      return "FAILED";
    case DeliveryState::kPending:
      return "RETRY";
  }
  return "UNKNOWN";
}

std::string DeliveryOwnerName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::random_device random;
  return absl::StrCat(host, ":", getpid(), ":", random());
}

}  // namespace riskcap::server
