// The deliveries of a notice — a reminder, or a new CRITICAL finding — one per contact address,
// e-mail or webhook, each with its rendered message (docs/operations.md, "Delivery"). Pure: the
// reminders job (and server/findings/finding_delivery.h) queues what this returns in the transaction that
// inserts the notice.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/delivery.h"
#include "core/finding.h"
#include "core/fund.h"
#include "core/rules/fund_status_row.h"

namespace riskcap::server {

// "<reminder.<content_hash>.<manager_id>@riskcap>": the same for every attempt and every
// re-run, so a receiver can drop a resend.
std::string ReminderMessageId(const Reminder& reminder);

// The e-mail text: one line per pending fund with its name, due date and days late (or "never
// submitted"), rows sorted by fund id.
std::string ReminderEmailBody(const Reminder& reminder,
                              const std::vector<rules::FundStatusRow>& pending,
                              const std::vector<Fund>& funds);

// The webhook JSON: {"type":"reminder","reminder_id","manager_id","reference_date",
// "content_hash","message_id","funds":[{"fund_id","name","deadline_status","due_date",
// "days_late"}],"text"}.
std::string ReminderWebhookBody(const Reminder& reminder,
                                const std::vector<rules::FundStatusRow>& pending,
                                const std::vector<Fund>& funds);

// One PENDING delivery per e-mail address and one for the webhook, due at `now`.
std::vector<Delivery> ReminderDeliveries(const Reminder& reminder, const ManagerContacts& contacts,
                                         const std::vector<rules::FundStatusRow>& pending,
                                         const std::vector<Fund>& funds, absl::Time now);

// "<finding.<finding_id>.<key_hash>@riskcap>", key_hash the first 16 hex digits of the SHA-256
// of the finding's dedup_key and reference date: fixed once the finding is stored, so every
// attempt carries it.
std::string FindingMessageId(const Finding& finding);

// The e-mail text of a CRITICAL finding: the fund (id and name), the rule, the reference date and
// the finding's message.
std::string FindingEmailBody(const Finding& finding, const Fund& fund);

// The webhook JSON: {"type":"finding","finding_id","manager_id","fund_id","fund_name","rule",
// "severity","reference_date","raised_at","message","message_id","text"}.
std::string FindingWebhookBody(const Finding& finding, const Fund& fund);

// One PENDING delivery of `finding` (of `fund`) per e-mail address of `contacts` (the fund's
// manager's) and one for the webhook, due at `now`.
std::vector<Delivery> FindingDeliveries(const Finding& finding, const Fund& fund,
                                        const ManagerContacts& contacts, absl::Time now);

}  // namespace riskcap::server
