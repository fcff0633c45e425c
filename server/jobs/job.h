// The job contract (docs/jobs.md): what a job is, what it may use while it runs, and what it
// returns.
// The runner (server/jobs/job_runner.h) owns scheduling, persistence of the run, the
// once-at-a-time guarantee, progress and cancellation; a job only reads its inputs and applies its
// output in ONE store transaction, so its output appears whole or not at all.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/finding.h"
#include "core/rules/rules_config.h"
#include "db/store.h"
#include "server/findings/finding_delivery.h"

namespace riskcap::server::jobs {

// The jobs of docs/jobs.md ("backup" is not part of the pipeline; its order is
// core/job_pipeline.h).
inline constexpr std::string_view kMarginIngest = "margin_ingest";
inline constexpr std::string_view kNavSnapshot = "nav_snapshot";
inline constexpr std::string_view kNavHistory = "nav_history";
inline constexpr std::string_view kPositions = "positions";
inline constexpr std::string_view kSwaps = "swaps";
inline constexpr std::string_view kExposureSnapshot = "exposure_snapshot";
inline constexpr std::string_view kMarginStatus = "margin_status";
inline constexpr std::string_view kReminders = "reminders";
inline constexpr std::string_view kBackup = "backup";
inline constexpr std::string_view kPipeline = "pipeline";

// What a finished job reports. The runner stores it on the job run.
struct JobOutput {
  int64_t rows_read = 0;
  int64_t rows_written = 0;  // 0 when the output equalled the current version (a no-op re-run)
  // Lower-case hex SHA-256 of the output in canonical form: the same inputs give the same hash.
  std::string content_hash;
  // The snapshot version written, or the current one found identical; none when not a snapshot.
  std::optional<int64_t> output_version_id;
  // One line for the run's progress message when it ends, e.g. "wrote 4,812 positions (v3)".
  std::string summary;
};

// Everything a job may use while it runs. Created by the runner for one run; also constructible
// directly in tests. Not copyable. Thread-compatible: a job uses it from its own thread.
class JobContext {
 public:
  struct Hooks {
    // Called with (phase, rows_done, rows_expected; 0 = unknown). May be called often: the
    // runner coalesces. Default: ignore.
    std::function<void(std::string_view, int64_t, int64_t)> progress;
    // True once a cancel was requested. Default: never.
    std::function<bool()> cancel_requested;
    // Called after a finding is stored (created or already open), so watchers can be woken.
    std::function<void(const Finding&, bool created)> finding_raised;
  };

  // `finding_delivery`: which findings RaiseFinding also queues for delivery to their fund's
  // manager (RISKCAP_NOTIFY_CRITICAL_FINDINGS).
  JobContext(db::Store& store, const Clock& clock, const rules::RulesConfig& rules,
             int64_t run_id, std::string job, Date reference_date,
             std::map<std::string, std::string> params, Hooks hooks = {},
             FindingDelivery finding_delivery = FindingDelivery::kNone)
      : store_(store), clock_(clock), rules_(rules), run_id_(run_id), job_(std::move(job)),
        reference_date_(reference_date), params_(std::move(params)), hooks_(std::move(hooks)),
        finding_delivery_(finding_delivery) {}
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;

  db::Store& store() const { return store_; }
  const Clock& clock() const { return clock_; }
  const rules::RulesConfig& rules() const { return rules_; }
  int64_t run_id() const { return run_id_; }
  const std::string& job() const { return job_; }
  Date reference_date() const { return reference_date_; }
  const std::map<std::string, std::string>& params() const { return params_; }
  // The parameter's value, or `fallback` when absent.
  std::string Param(std::string_view key, std::string_view fallback = "") const {
    auto it = params_.find(std::string(key));
    return it == params_.end() ? std::string(fallback) : it->second;
  }

  // Reports progress; cheap enough to call every few thousand rows.
  void Progress(std::string_view phase, int64_t rows_done = 0, int64_t rows_expected = 0) const {
    if (hooks_.progress) hooks_.progress(phase, rows_done, rows_expected);
  }
  // Cancelled("cancelled at <phase>") once a cancel was requested; OK otherwise. Jobs call it at
  // checkpoints (between phases, every few thousand rows) and, above all, right before applying
  // their output, and return the error as is.
  absl::Status CheckCancelled(std::string_view phase = "") const {
    if (hooks_.cancel_requested && hooks_.cancel_requested()) {
      return absl::CancelledError(phase.empty() ? std::string("cancelled")
                                                : "cancelled while " + std::string(phase));
    }
    return absl::OkStatus();
  }
  // Stores `finding` with this run's id and reference date filled in (server::RaiseFinding: an
  // unresolved finding with the same dedup_key is returned instead of a duplicate; a new one is
  // queued for delivery as `finding_delivery` says, in the same transaction).
  absl::StatusOr<Finding> RaiseFinding(Finding finding) const;
  // Stores `findings` as RaiseFinding does, kFindingsPerTransaction to a transaction
  // (db::Store::RaiseFindings): per chunk one commit and a few set-wise queries, and an INSERT per
  // new finding, instead of four statements and a commit for each finding (on PostgreSQL each is
  // a round trip, and a commit a flush).
  // Watchers are told once a chunk has committed, never about a finding they cannot read yet. On
  // an error the chunks before it stay stored; raising them again finds them, not duplicates.
  static constexpr size_t kFindingsPerTransaction = 500;
  absl::Status RaiseFindings(std::vector<Finding> findings) const;

 private:
  Finding Stamped(Finding finding) const;  // this run's id, reference date and time filled in

  db::Store& store_;
  const Clock& clock_;
  const rules::RulesConfig& rules_;
  int64_t run_id_;
  std::string job_;
  Date reference_date_;
  std::map<std::string, std::string> params_;
  Hooks hooks_;
  FindingDelivery finding_delivery_;
};

// One job. Implementations are stateless between runs (configuration is fixed at construction)
// and safe to Run concurrently for different dates.
class Job {
 public:
  virtual ~Job() = default;
  // The job's name, one of the constants above.
  virtual std::string_view name() const = 0;
  // Parameter keys RunJob accepts for this job; any other key is INVALID_ARGUMENT.
  virtual std::vector<std::string> parameter_keys() const { return {}; }
  // Checks the values of the accepted parameters before a run is admitted, so a request that
  // cannot succeed is refused with INVALID_ARGUMENT naming "parameters.<key>" instead of queuing
  // a run that fails. Default: anything goes.
  virtual absl::Status CheckParameters(const std::map<std::string, std::string>& params) const {
    (void)params;
    return absl::OkStatus();
  }
  // Does the work. A failure (including a quarantined feed, after raising its finding) returns an
  // error and must have applied nothing; Cancelled when CheckCancelled said so.
  virtual absl::StatusOr<JobOutput> Run(JobContext& context) = 0;
};

}  // namespace riskcap::server::jobs
