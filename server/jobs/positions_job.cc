// The positions job: one part of the positions batch.
#include "server/jobs/positions_job.h"

#include "server/jobs/positions_batch.h"

namespace riskcap::server::jobs {
namespace {

class PositionsJob final : public Job {
 public:
  explicit PositionsJob(sources::SourceConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return kPositions; }
  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    return LoadBatchPart(context, config_, BatchPart::kPositions);
  }

 private:
  sources::SourceConfig config_;
};

}  // namespace

std::unique_ptr<Job> MakePositionsJob(const sources::SourceConfig& source) {
  return std::make_unique<PositionsJob>(source);
}

}  // namespace riskcap::server::jobs
