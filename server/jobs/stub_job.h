// A placeholder for a job whose implementation is not part of this build: it succeeds at once,
// writes nothing, and says so in the run's summary.
#pragma once

#include <string>

#include "core/status_macros.h"
#include "server/jobs/job.h"

namespace riskcap::server::jobs {

class StubJob final : public Job {
 public:
  explicit StubJob(std::string_view name) : name_(name) {}
  std::string_view name() const override { return name_; }
  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    RETURN_IF_ERROR(context.CheckCancelled("starting"));
    JobOutput out;
    out.summary = "stub: " + name_ + " not implemented in this build";
    return out;
  }

 private:
  std::string name_;
};

}  // namespace riskcap::server::jobs
