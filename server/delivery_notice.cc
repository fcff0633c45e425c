// The deliveries of a reminder and their messages.
#include "server/delivery_notice.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap::server {
namespace {

std::string FundName(int64_t fund_id, const std::vector<Fund>& funds) {
  auto it = std::find_if(funds.begin(), funds.end(),
                         [&](const Fund& f) { return f.id == fund_id; });
  return it == funds.end() ? std::string() : it->name;
}

bool NeverSubmitted(const rules::FundStatus& s) {
  return s.deadline_status == rules::DeadlineStatus::kNeverSubmitted;
}

// Days past the due date on the reference date; nullopt when the fund has none.
std::optional<int32_t> DaysLate(const rules::FundStatus& s) {
  if (!s.days_to_due) return std::nullopt;
  return std::max<int32_t>(0, -*s.days_to_due);
}

std::string FundLine(const rules::FundStatusRow& row, const std::vector<Fund>& funds) {
  const rules::FundStatus& s = row.status;
  std::string line = absl::StrCat("- fund ", row.fund_id());
  if (std::string name = FundName(row.fund_id(), funds); !name.empty()) {
    absl::StrAppend(&line, " ", name);
  }
  if (NeverSubmitted(s)) {
    absl::StrAppend(&line, ": never submitted");
  } else {
    absl::StrAppend(&line, ": overdue");
  }
  if (s.next_due_date) absl::StrAppend(&line, ", due ", FormatDate(*s.next_due_date));
  if (auto late = DaysLate(s)) absl::StrAppend(&line, ", ", *late, " days late");
  return line + "\n";
}

}  // namespace

std::string ReminderMessageId(const Reminder& reminder) {
  return absl::StrCat("<reminder.", reminder.content_hash, ".", reminder.manager_id, "@riskcap>");
}

std::string ReminderEmailBody(const Reminder& reminder,
                              const std::vector<rules::FundStatusRow>& pending,
                              const std::vector<Fund>& funds) {
  std::string body = absl::StrCat("Margin reports are pending for manager ", reminder.manager_id,
                                  " as of ", FormatDate(reminder.reference_date), " (",
                                  pending.size(), pending.size() == 1 ? " fund" : " funds",
                                  "):\n\n");
  for (const auto& row : pending) body += FundLine(row, funds);
  absl::StrAppend(&body, "\nPlease submit the margin reports. Reminder ", reminder.id,
                  ", content hash ", reminder.content_hash, ".\n");
  return body;
}

std::string ReminderWebhookBody(const Reminder& reminder,
                                const std::vector<rules::FundStatusRow>& pending,
                                const std::vector<Fund>& funds) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : pending) {
    const rules::FundStatus& s = row.status;
    nlohmann::json fund = {{"fund_id", row.fund_id()},
                           {"name", FundName(row.fund_id(), funds)},
                           {"deadline_status", NeverSubmitted(s) ? "NEVER_SUBMITTED" : "OVERDUE"}};
    fund["due_date"] = nullptr;
    if (s.next_due_date) fund["due_date"] = FormatDate(*s.next_due_date);
    fund["days_late"] = nullptr;
    if (auto late = DaysLate(s)) fund["days_late"] = *late;
    rows.push_back(std::move(fund));
  }
  nlohmann::json doc = {{"type", "reminder"},
                        {"reminder_id", reminder.id},
                        {"manager_id", reminder.manager_id},
                        {"reference_date", FormatDate(reminder.reference_date)},
                        {"content_hash", reminder.content_hash},
                        {"message_id", ReminderMessageId(reminder)},
                        {"funds", std::move(rows)},
                        {"text", reminder.body}};
  return doc.dump();
}

std::vector<Delivery> ReminderDeliveries(const Reminder& reminder, const ManagerContacts& contacts,
                                         const std::vector<rules::FundStatusRow>& pending,
                                         const std::vector<Fund>& funds, absl::Time now) {
  Delivery base;
  base.source = DeliverySource::kReminder;
  base.source_id = reminder.id;
  base.manager_id = reminder.manager_id;
  base.subject = absl::StrCat("Margin reports pending as of ",
                              FormatDate(reminder.reference_date));
  base.message_id = ReminderMessageId(reminder);
  base.created_at = now;
  base.next_attempt_at = now;
  std::vector<Delivery> out;
  if (!contacts.emails.empty()) base.body = ReminderEmailBody(reminder, pending, funds);
  for (const std::string& address : contacts.emails) {
    Delivery d = base;
    d.channel = DeliveryChannel::kEmail;
    d.address = address;
    out.push_back(std::move(d));
  }
  if (!contacts.webhook_url.empty()) {
    Delivery d = base;
    d.channel = DeliveryChannel::kWebhook;
    d.address = contacts.webhook_url;
    d.body = ReminderWebhookBody(reminder, pending, funds);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace riskcap::server
