// The swaps job: one part of the positions batch.
#include "server/jobs/swaps_job.h"

#include "server/jobs/positions_batch.h"

namespace riskcap::server::jobs {
namespace {

class SwapsJob final : public Job {
 public:
  explicit SwapsJob(sources::SourceConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return kSwaps; }
  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    return LoadBatchPart(context, config_, BatchPart::kSwaps);
  }

 private:
  sources::SourceConfig config_;
};

}  // namespace

std::unique_ptr<Job> MakeSwapsJob(const sources::SourceConfig& source) {
  return std::make_unique<SwapsJob>(source);
}

}  // namespace riskcap::server::jobs
