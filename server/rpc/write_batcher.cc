// WriteBatcher: a single committer thread draining a queue into Store::WriteBatch.
#include "server/rpc/write_batcher.h"

#include <future>
#include <optional>

#include "absl/strings/str_cat.h"

namespace riskcap::server {

struct WriteBatcher::Pending {
  std::optional<db::Store::SubmissionWrite> submission;
  std::optional<AuditRecord> audit;
  Done done;
};

WriteBatcher::WriteBatcher(db::Store& store, size_t max_batch, size_t max_queued,
                           metrics::Histogram* batch_sizes)
    : store_(store),
      max_batch_(max_batch),
      max_queued_(max_queued),
      batch_sizes_(batch_sizes),
      thread_([this] { Run(); }) {}

size_t WriteBatcher::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

int64_t WriteBatcher::commits_started() const {
  std::lock_guard lock(mu_);
  return commits_started_;
}

WriteBatcher::~WriteBatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
}

// Synchronous callers are already bounded by the threads that can block here, so only the
// asynchronous ones count against max_queued_.
absl::Status WriteBatcher::Enqueue(std::unique_ptr<Pending> p, bool bounded) {
  {
    std::lock_guard lock(mu_);
    if (bounded && queue_.size() >= max_queued_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the server has ", queue_.size(), " writes waiting to commit; retry shortly"));
    }
    queue_.push_back(std::move(p));
  }
  queued_.notify_one();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> WriteBatcher::InsertSubmission(const MarginSubmission& submission,
                                                       std::optional<AuditRecord> audit) {
  std::promise<absl::StatusOr<int64_t>> result;
  auto p = std::make_unique<Pending>();
  p->submission = db::Store::SubmissionWrite{submission, std::move(audit)};
  p->done = [&result](absl::StatusOr<int64_t> id) { result.set_value(std::move(id)); };
  Enqueue(std::move(p), /*bounded=*/false).IgnoreError();  // unbounded: cannot fail
  return result.get_future().get();
}

absl::Status WriteBatcher::AppendAudit(const AuditRecord& record) {
  std::promise<absl::StatusOr<int64_t>> result;
  auto p = std::make_unique<Pending>();
  p->audit = record;
  p->done = [&result](absl::StatusOr<int64_t> id) { result.set_value(std::move(id)); };
  Enqueue(std::move(p), /*bounded=*/false).IgnoreError();  // unbounded: cannot fail
  return result.get_future().get().status();
}

absl::Status WriteBatcher::InsertSubmissionAsync(const MarginSubmission& submission,
                                                 std::optional<AuditRecord> audit, Done done) {
  auto p = std::make_unique<Pending>();
  p->submission = db::Store::SubmissionWrite{submission, std::move(audit)};
  p->done = std::move(done);
  return Enqueue(std::move(p), /*bounded=*/true);
}

absl::Status WriteBatcher::AppendAuditAsync(const AuditRecord& record, Done done) {
  auto p = std::make_unique<Pending>();
  p->audit = record;
  p->done = std::move(done);
  return Enqueue(std::move(p), /*bounded=*/true);
}

void WriteBatcher::Run() {
  std::vector<std::unique_ptr<Pending>> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++commits_started_;
    }
    Commit(batch);
    batch.clear();
  }
}

void WriteBatcher::Commit(std::vector<std::unique_ptr<Pending>>& batch) {
  std::vector<db::Store::SubmissionWrite> submissions;
  std::vector<AuditRecord> audits;
  for (const auto& p : batch) {
    if (p->submission) submissions.push_back(std::move(*p->submission));
    if (p->audit) audits.push_back(std::move(*p->audit));
  }
  if (batch_sizes_ != nullptr) batch_sizes_->Observe(static_cast<double>(batch.size()));
  auto results = store_.WriteBatch(submissions, audits);
  size_t next = 0;
  for (const auto& p : batch) {
    if (!results.ok()) {
      p->done(results.status());
    } else if (p->submission) {
      p->done(std::move((*results)[next++]));
    } else {
      p->done(int64_t{0});
    }
  }
}

}  // namespace riskcap::server
