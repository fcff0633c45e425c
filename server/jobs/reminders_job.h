// The reminders job (docs/jobs.md): from the current MARGIN_STATUS snapshot of its date, one notice
// per
// manager listing its funds that are OVERDUE or NEVER_SUBMITTED. Notices are de-duplicated by the
// SHA-256 of their text (Store::InsertReminder), so re-running the same day sends nothing new.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/fund.h"
#include "core/rules/fund_status_row.h"
#include "server/jobs/job.h"

namespace riskcap::server::jobs {

// The notice text for one manager's pending funds on `date` (rows sorted by fund_id; `funds`
// gives names, a missing one prints the code only). Deterministic: same rows, same text.
std::string ReminderBody(int64_t manager_id, Date date,
                         const std::vector<rules::FundStatusRow>& pending,
                         const std::vector<Fund>& funds);

// FailedPrecondition when the date has no MARGIN_STATUS snapshot (run margin_status first).
std::unique_ptr<Job> MakeRemindersJob();

}  // namespace riskcap::server::jobs
