// One execution of a job (or a pipeline of jobs) for a reference date, as the job runner records it.
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
  std::string job;  // e.g. "nav_snapshot"; "pipeline" for a pipeline run
  Date reference_date;
  std::string params_json;  // canonical JSON of the run's parameters (core/job_pipeline.h)
  JobState state = JobState::kQueued;
  absl::Time queued_at;
  std::optional<absl::Time> started_at;
  std::optional<absl::Time> finished_at;
  int64_t rows_read = 0;
  int64_t rows_written = 0;
  std::string output_hash;  // hex SHA-256 of the output version, when one was written
  std::string error;
  std::string triggered_by;
  std::optional<int64_t> parent_run_id;      // the pipeline run this run belongs to
  std::string request_id;                    // the caller's idempotency key; "" for children
  std::optional<int64_t> output_version_id;  // the snapshot version written or found identical
  int64_t rows_expected = 0;                 // as last reported; 0 = unknown
  std::string progress_message;              // what it is doing; its summary once SUCCEEDED
  bool cancel_requested = false;             // set by a cancel; the executor stops at a checkpoint
  std::string owner;                         // the server that admitted and executes it
  std::optional<absl::Time> heartbeat_at;    // when that server last said the run is alive
};

}  // namespace riskcap
