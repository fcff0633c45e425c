// The jobs riskcapd runs. One line per job: a job whose implementation is not merged yet is a
// StubJob (it succeeds writing nothing and says so in its summary).
#include "server/jobs/job_set.h"

#include <memory>

#include "server/jobs/stub_job.h"

namespace riskcap::server::jobs {
namespace {

void Add(JobMap& jobs, std::unique_ptr<Job> job) {
  std::string name(job->name());
  jobs[name] = std::move(job);
}

}  // namespace

JobMap MakeJobSet(const ServerConfig& config) {
  (void)config;  // the real jobs take their sources from it
  JobMap jobs;
  Add(jobs, std::make_unique<StubJob>(kMarginIngest));
  Add(jobs, std::make_unique<StubJob>(kNavSnapshot));
  Add(jobs, std::make_unique<StubJob>(kNavHistory));
  Add(jobs, std::make_unique<StubJob>(kPositions));
  Add(jobs, std::make_unique<StubJob>(kSwaps));
  Add(jobs, std::make_unique<StubJob>(kExposureSnapshot));
  Add(jobs, std::make_unique<StubJob>(kMarginStatus));
  Add(jobs, std::make_unique<StubJob>(kReminders));
  Add(jobs, std::make_unique<StubJob>(kBackup));
  return jobs;
}

}  // namespace riskcap::server::jobs
