// The delivery worker: a thread in riskcapd that claims due deliveries from the outbox under a
// lease, sends them (SMTP, webhook) and records each attempt (docs/operations.md, "Delivery").
//
// Exactly once per (notice, address): a delivery is claimed by one server at a time (the lease in
// the store), marked SENT right after the receiver accepted it, and retried only while PENDING.
// The one gap: a server that dies between the receiver's acceptance and the SENT update leaves the
// row PENDING, and once its lease expires another attempt sends it again, with the same
// Message-ID / X-Riskcap-Delivery, so the receiver can drop it.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"
#include "core/clock.h"
#include "db/store.h"
#include "server/delivery/delivery_config.h"
#include "server/delivery/smtp_sender.h"
#include "server/delivery/webhook_sender.h"
#include "server/metrics/server_metrics.h"

namespace riskcap::server {

class DeliveryWorker {
 public:
  // `smtp` is null when e-mail is not configured: e-mail deliveries then wait, PENDING. `owner`
  // names this server in the leases it takes (unique per process). `metrics`, when not null
  // (it must then outlive the worker), counts each attempt by channel and outcome.
  DeliveryWorker(db::Store& store, const Clock& clock, const DeliveryConfig& config,
                 std::unique_ptr<SmtpSender> smtp, std::string owner,
                 metrics::ServerMetrics* metrics = nullptr);
  ~DeliveryWorker();  // Stop()
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Starts the polling thread.
  void Start();
  // Stops the thread after the delivery in hand; idempotent.
  void Stop();

  // One pass, on the calling thread: claims the due deliveries and attempts each in turn.
  // Returns how many were attempted.
  absl::StatusOr<int> RunOnce();

  // The delay before retry number `failures` (1 after the first failure): the configured back-off
  // doubled per earlier failure, capped at the configured maximum.
  static absl::Duration Backoff(const DeliveryConfig& config, int failures);

 private:
  void Loop();
  db::Store::DeliveryAttempt Attempt(const Delivery& d);

  db::Store& store_;
  const Clock& clock_;
  const DeliveryConfig config_;
  const std::unique_ptr<SmtpSender> smtp_;
  const WebhookSender webhook_;
  const std::string owner_;
  metrics::ServerMetrics* const metrics_;  // null: nothing counted
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

// The labels riskcap_deliveries_total counts an attempt under (docs/operations.md, "Metrics"):
// the channel in lower case ("email", "webhook") and the outcome the attempt left the delivery
// in: "SENT", "FAILED" (given up), or "RETRY" (back to PENDING for a later attempt).
std::string_view DeliveryMetricChannel(DeliveryChannel channel);
std::string_view DeliveryMetricOutcome(DeliveryState state);

// A lease owner name unique to this process: "host:pid:random".
std::string DeliveryOwnerName();

}  // namespace riskcap::server
