// Group commit for the hot write path: submissions and audit records from many concurrent calls
// are written in one transaction, and each caller returns only after its own batch committed.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/status/statusor.h"
#include "core/audit.h"
#include "core/margin_submission.h"
#include "db/store.h"

namespace riskcap::server {

// Thread-safe. One background thread commits batches of up to `max_batch` writes; while it
// commits, new writes queue up and form the next batch, so batches grow with load.
class WriteBatcher {
 public:
  explicit WriteBatcher(db::Store& store, size_t max_batch = 512);
  ~WriteBatcher();  // commits what is queued, then stops

  // Blocks until `submission` is durably committed; its new id, or AlreadyExists when its
  // idempotency key was already used, or the batch's error. `audit`, when given, is committed
  // with the submission if (and only if) it is inserted.
  absl::StatusOr<int64_t> InsertSubmission(const MarginSubmission& submission,
                                           std::optional<AuditRecord> audit = std::nullopt);
  // Blocks until `record` is durably committed.
  absl::Status AppendAudit(const AuditRecord& record);

 private:
  struct Pending;
  std::shared_ptr<Pending> Enqueue(std::shared_ptr<Pending> p);
  void Run();
  void Commit(std::vector<std::shared_ptr<Pending>>& batch);

  db::Store& store_;
  const size_t max_batch_;
  std::mutex mu_;
  std::condition_variable queued_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace riskcap::server
