// The delivery outbox: a notice (a reminder, or a CRITICAL finding) on its way to one of a
// manager's contacts, by e-mail or webhook, with its state and attempts (docs/operations.md,
// "Delivery").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/enums.h"

namespace riskcap {

enum class DeliverySource { kReminder, kFinding };
enum class DeliveryChannel { kEmail, kWebhook };
// PENDING until sent (SENT) or given up on (FAILED: a permanent refusal, or the last attempt).
enum class DeliveryState { kPending, kSent, kFailed };
template <>
struct EnumNames<DeliverySource> {
  static constexpr std::string_view kType = "DeliverySource";
  static constexpr auto kNames = std::to_array<std::string_view>({"REMINDER", "FINDING"});
};
template <>
struct EnumNames<DeliveryChannel> {
  static constexpr std::string_view kType = "DeliveryChannel";
  static constexpr auto kNames = std::to_array<std::string_view>({"EMAIL", "WEBHOOK"});
};
template <>
struct EnumNames<DeliveryState> {
  static constexpr std::string_view kType = "DeliveryState";
  static constexpr auto kNames = std::to_array<std::string_view>({"PENDING", "SENT", "FAILED"});
};

// A manager's contacts. The webhook secret keys the signature of every POST; readers of the
// registry never see it (only whether one is set).
struct ManagerContacts {
  std::vector<std::string> emails;
  std::string webhook_url;     // empty: no webhook
  std::string webhook_secret;  // required with a webhook URL
  bool operator==(const ManagerContacts&) const = default;
};

// One notice to one address. Exactly one row exists per (source, source_id, channel, address).
struct Delivery {
  int64_t id = 0;
  DeliverySource source = DeliverySource::kReminder;
  int64_t source_id = 0;  // the reminder's or the finding's id
  int64_t manager_id = 0;
  DeliveryChannel channel = DeliveryChannel::kEmail;
  std::string address;     // e-mail address or webhook URL
  std::string subject;
  std::string body;        // plain text (e-mail) or JSON (webhook)
  std::string message_id;  // the same on every attempt, so a receiver can drop a resend
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  std::string last_error;
  absl::Time created_at;
  absl::Time next_attempt_at;
  std::optional<absl::Time> last_attempt_at;
  std::optional<absl::Time> sent_at;
};

// Bounds of a manager's contacts, checked by the API and the store alike.
inline constexpr size_t kMaxContactEmails = 10;
inline constexpr size_t kMaxEmailBytes = 254;  // RFC 5321's path limit less the brackets
inline constexpr size_t kMaxWebhookUrlBytes = 2048;
inline constexpr size_t kMinWebhookSecretBytes = 16;
inline constexpr size_t kMaxWebhookSecretBytes = 256;
// last_error is cut to this many bytes.
inline constexpr size_t kMaxDeliveryErrorBytes = 1000;

}  // namespace riskcap
