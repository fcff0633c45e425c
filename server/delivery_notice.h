// The deliveries of a reminder: one per contact address, e-mail or webhook, each with its
// rendered message (docs/operations.md, "Delivery"). Pure: the reminders job queues what this
// returns in the transaction that inserts the reminder.
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

}  // namespace riskcap::server
