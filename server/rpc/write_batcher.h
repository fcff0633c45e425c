// Group commit for the hot write path: submissions and audit records from many concurrent calls
// are written in one transaction, and each caller learns its outcome only after its own batch
// committed.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "core/audit.h"
#include "core/margin_submission.h"
#include "db/store.h"
#include "server/metrics/registry.h"

namespace riskcap::server {

// Thread-safe. One background thread commits batches of up to `max_batch` writes; while it
// commits, new writes queue up and form the next batch, so batches grow with load. At most
// `max_queued` asynchronous writes wait at any time; more are refused, so a flood of calls is
// answered RESOURCE_EXHAUSTED instead of queueing without bound.
class WriteBatcher {
 public:
  // Called on the committer thread once the write's batch has committed (or failed): the new
  // submission id, 0 for an audit record, AlreadyExists when the submission's idempotency key was
  // already used, or the batch's error. It must not block for long: the next batch waits for it.
  using Done = std::function<void(absl::StatusOr<int64_t>)>;

  // `batch_sizes`, when given, observes the size of every group commit (server metrics).
  explicit WriteBatcher(db::Store& store, size_t max_batch = 512, size_t max_queued = 4096,
                        metrics::Histogram* batch_sizes = nullptr);
  ~WriteBatcher();  // commits what is queued, then stops

  // Blocks until `submission` is durably committed; its new id, or AlreadyExists when its
  // idempotency key was already used, or the batch's error. `audit`, when given, is committed
  // with the submission if (and only if) it is inserted.
  absl::StatusOr<int64_t> InsertSubmission(const MarginSubmission& submission,
                                           std::optional<AuditRecord> audit = std::nullopt);
  // Blocks until `record` is durably committed.
  absl::Status AppendAudit(const AuditRecord& record);

  // Like the above, but return at once and report through `done`. ResourceExhausted (and `done`
  // is never called) when `max_queued` asynchronous writes are already waiting.
  absl::Status InsertSubmissionAsync(const MarginSubmission& submission,
                                     std::optional<AuditRecord> audit, Done done);
  absl::Status AppendAuditAsync(const AuditRecord& record, Done done);

  // Writes queued now, waiting for a commit (the batch being committed not included).
  size_t queued() const;
  // Group commits begun since construction (the one under way included).
  int64_t commits_started() const;

 private:
  struct Pending;
  absl::Status Enqueue(std::unique_ptr<Pending> p, bool bounded);
  void Run();
  void Commit(std::vector<std::unique_ptr<Pending>>& batch);

  db::Store& store_;
  const size_t max_batch_;
  const size_t max_queued_;
  metrics::Histogram* const batch_sizes_;
  mutable std::mutex mu_;
  std::condition_variable queued_;
  std::deque<std::unique_ptr<Pending>> queue_;
  int64_t commits_started_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace riskcap::server
