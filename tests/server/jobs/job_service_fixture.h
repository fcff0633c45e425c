// The JobService test fixture: a real server (ServiceFixture) running JobService over a job
// runner of the scripted test-only jobs (tests/server/jobs/job_test_support.h), with helpers the
// JobService tests share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/jobs/job_runner.h"
#include "server/jobs/job_service.h"
#include "tests/server/jobs/job_test_support.h"
#include "tests/testing/service_fixture.h"

namespace riskcap::testing {

class JobServiceFixture : public ServiceFixture<v1::JobService> {
 protected:
  // The runner's options; a test changes them by overriding.
  virtual server::jobs::JobRunnerOptions RunnerOptions() {
    return FastRunnerOptions("test-server");
  }

  std::vector<std::unique_ptr<grpc::Service>> MakeServices(server::RpcEnv& env) override {
    runner_ = std::make_unique<server::jobs::JobRunner>(env.store, env.clock, env.rules,
                                                        ScriptedJobs(script_), RunnerOptions());
    env.jobs = runner_.get();
    std::vector<std::unique_ptr<grpc::Service>> services;
    services.push_back(std::make_unique<server::JobServiceImpl>(env));
    return services;
  }

  void TearDown() override {
    script_.Release();
    if (runner_) runner_->Shutdown(absl::Seconds(5));
    server_.reset();
    runner_.reset();
  }

  JobRun Final(int64_t id) { return WaitFinal(server_->store(), id); }
  std::string NextRequestId() { return absl::StrCat("req-", ++request_counter_); }

  JobScript script_;
  std::unique_ptr<server::jobs::JobRunner> runner_;
  int request_counter_ = 0;
};

}  // namespace riskcap::testing
