// Validation findings (rule outcomes that need attention) and reminders sent to managers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"

namespace riskcap {

// A rule outcome with a lifecycle OPEN -> ACKNOWLEDGED -> RESOLVED. `dedup_key` identifies "the
// same problem" so that re-running a job never opens a duplicate while one is open.
struct Finding {
  int64_t id = 0;
  std::string rule;  // e.g. "OVERDUE", "NEVER_SUBMITTED", "LIMIT_BREACH", "QUARANTINED_FEED"
  FindingSeverity severity = FindingSeverity::kWarning;
  std::optional<int64_t> fund_id;
  Date reference_date;
  std::optional<int64_t> job_run_id;
  std::string message;
  std::string dedup_key;
  FindingState state = FindingState::kOpen;
  absl::Time raised_at;
  std::string acknowledged_by;
  std::optional<absl::Time> acknowledged_at;
  std::string resolved_by;
  std::optional<absl::Time> resolved_at;
  std::string resolution;
};

// A notice to a manager listing its funds with pending or missing submissions.
struct Reminder {
  int64_t id = 0;
  int64_t manager_id = 0;
  Date reference_date;
  std::string body;          // the notice text
  std::string content_hash;  // hex SHA-256 of body; unique per manager so re-runs never resend
  absl::Time created_at;
};

}  // namespace riskcap
