// The deliveries of reminders and CRITICAL findings, and their messages.
#include "server/delivery/delivery_notice.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/enums.h"
#include "db/sha256.h"

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

// `base` addressed to each contact: one copy per e-mail address carrying `email_body`, and one
// to the webhook carrying `webhook_body`.
std::vector<Delivery> AddressedToContacts(const Delivery& base, const ManagerContacts& contacts,
                                          const std::string& email_body,
                                          const std::string& webhook_body) {
  std::vector<Delivery> out;
  for (const std::string& address : contacts.emails) {
    Delivery d = base;
    d.channel = DeliveryChannel::kEmail;
    d.address = address;
    d.body = email_body;
    out.push_back(std::move(d));
  }
  if (!contacts.webhook_url.empty()) {
    Delivery d = base;
    d.channel = DeliveryChannel::kWebhook;
    d.address = contacts.webhook_url;
    d.body = webhook_body;
    out.push_back(std::move(d));
  }
  return out;
}

// What every delivery of a notice shares: its source, manager, subject, Message-ID and times.
Delivery Notice(DeliverySource source, int64_t source_id, int64_t manager_id, std::string subject,
                std::string message_id, absl::Time now) {
  Delivery base;
  base.source = source;
  base.source_id = source_id;
  base.manager_id = manager_id;
  base.subject = std::move(subject);
  base.message_id = std::move(message_id);
  base.created_at = now;
  base.next_attempt_at = now;
  return base;
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
  const Delivery base =
      Notice(DeliverySource::kReminder, reminder.id, reminder.manager_id,
             absl::StrCat("Margin reports pending as of ", FormatDate(reminder.reference_date)),
             ReminderMessageId(reminder), now);
  return AddressedToContacts(base, contacts, ReminderEmailBody(reminder, pending, funds),
                             ReminderWebhookBody(reminder, pending, funds));
}

std::string FindingMessageId(const Finding& finding) {
  const std::string key_hash =
      db::Sha256Hex(absl::StrCat(finding.dedup_key, "|", FormatDate(finding.reference_date)));
  return absl::StrCat("<finding.", finding.id, ".", key_hash.substr(0, 16), "@riskcap>");
}

std::string FindingEmailBody(const Finding& finding, const Fund& fund) {
  return absl::StrCat(
      "A ", AbslView(EnumName(finding.severity)), " finding was raised for fund ", fund.id, " ",
      fund.name, " on ", FormatDate(finding.reference_date), ":\n\n",
      "Fund:    ", fund.id, " ", fund.name, "\n",
      "Rule:    ", finding.rule, "\n",
      "Date:    ", FormatDate(finding.reference_date), "\n",
      "Message: ", finding.message, "\n\n",
      "Finding ", finding.id, ", raised ", FormatTimestamp(finding.raised_at), ".\n");
}

std::string FindingWebhookBody(const Finding& finding, const Fund& fund) {
  nlohmann::json doc = {{"type", "finding"},
                        {"finding_id", finding.id},
                        {"manager_id", fund.manager_id},
                        {"fund_id", fund.id},
                        {"fund_name", fund.name},
                        {"rule", finding.rule},
                        {"severity", std::string(EnumName(finding.severity))},
                        {"reference_date", FormatDate(finding.reference_date)},
                        {"raised_at", FormatTimestamp(finding.raised_at)},
                        {"message", finding.message},
                        {"message_id", FindingMessageId(finding)},
                        {"text", FindingEmailBody(finding, fund)}};
  return doc.dump();
}

std::vector<Delivery> FindingDeliveries(const Finding& finding, const Fund& fund,
                                        const ManagerContacts& contacts, absl::Time now) {
  const Delivery base =
      Notice(DeliverySource::kFinding, finding.id, fund.manager_id,
             // No free text (the fund's name) in a header: the subject stays ASCII, one line.
             absl::StrCat(AbslView(EnumName(finding.severity)), " finding ", finding.rule,
                          " for fund ", fund.id, " on ", FormatDate(finding.reference_date)),
             FindingMessageId(finding), now);
  return AddressedToContacts(base, contacts, FindingEmailBody(finding, fund),
                             FindingWebhookBody(finding, fund));
}

}  // namespace riskcap::server
