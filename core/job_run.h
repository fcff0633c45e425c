// One execution of a pipeline job for a reference date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"

namespace riskcap {

struct JobRun {
  int64_t id = 0;
  std::string job;  // e.g. "nav_snapshot"
  Date reference_date;
  std::string params_json;  // canonical JSON of the run's parameters
  JobState state = JobState::kQueued;
  absl::Time queued_at;
  std::optional<absl::Time> started_at;
  std::optional<absl::Time> finished_at;
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  std::string output_hash;  // hex SHA-256 of the output version, when one was written
  std::string error;
  std::string triggered_by;
};

}  // namespace riskcap
