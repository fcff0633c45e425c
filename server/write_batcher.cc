// WriteBatcher: a single committer thread draining a queue into Store::WriteBatch.
#include "server/write_batcher.h"

#include <future>
#include <optional>

namespace riskcap::server {

struct WriteBatcher::Pending {
  std::optional<db::Store::SubmissionWrite> submission;
  std::optional<AuditRecord> audit;
  std::promise<absl::StatusOr<int64_t>> done;
};

WriteBatcher::WriteBatcher(db::Store& store, size_t max_batch)
    : store_(store), max_batch_(max_batch), thread_([this] { Run(); }) {}

WriteBatcher::~WriteBatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
}

std::shared_ptr<WriteBatcher::Pending> WriteBatcher::Enqueue(std::shared_ptr<Pending> p) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(p);
  }
  queued_.notify_one();
  return p;
}

absl::StatusOr<int64_t> WriteBatcher::InsertSubmission(const MarginSubmission& submission,
                                                       std::optional<AuditRecord> audit) {
  auto p = std::make_shared<Pending>();
  p->submission = db::Store::SubmissionWrite{submission, std::move(audit)};
  auto result = p->done.get_future();
  Enqueue(std::move(p));
  return result.get();
}

absl::Status WriteBatcher::AppendAudit(const AuditRecord& record) {
  auto p = std::make_shared<Pending>();
  p->audit = record;
  auto result = p->done.get_future();
  Enqueue(std::move(p));
  return result.get().status();
}

void WriteBatcher::Run() {
  std::vector<std::shared_ptr<Pending>> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Commit(batch);
    batch.clear();
  }
}

void WriteBatcher::Commit(std::vector<std::shared_ptr<Pending>>& batch) {
  std::vector<db::Store::SubmissionWrite> submissions;
  std::vector<AuditRecord> audits;
  for (const auto& p : batch) {
    if (p->submission) submissions.push_back(*p->submission);
    if (p->audit) audits.push_back(*p->audit);
  }
  auto results = store_.WriteBatch(submissions, audits);
  size_t next = 0;
  for (const auto& p : batch) {
    if (!results.ok()) {
      p->done.set_value(results.status());
    } else if (p->submission) {
      p->done.set_value((*results)[next++]);
    } else {
      p->done.set_value(int64_t{0});
    }
  }
}

}  // namespace riskcap::server
