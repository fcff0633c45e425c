// JobService: start, follow and cancel job runs and pipelines (protos/riskcap/v1/job.proto).
#pragma once

#include <grpcpp/grpcpp.h>

#include "riskcap/v1/job.grpc.pb.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// Roles: RunJob, RunPipeline and CancelJobRun need SERVICE (or ADMIN); the reads ANALYST,
// SERVICE or ADMIN; MANAGER keys get PERMISSION_DENIED everywhere.
//
// The runs are executed by env.jobs (server/jobs/job_runner.h); without a runner the calls that
// start runs are UNAVAILABLE, while reads, cancel and watch work from the store.
//
// Idempotency: RunJob, RunPipeline and CancelJobRun are applied at most once per request_id
// (server/rpc/request_log.h): a retry with the same content returns the run as it is now; with other
// content ALREADY_EXISTS. A second run of a (job, date) that is QUEUED or RUNNING on any server
// is FAILED_PRECONDITION naming the active run.
//
// WatchJobRun sends the run, then every change: from the runner's in-process notifications for
// runs executing here, and by polling the store every 250 ms, so runs executed by another replica
// can be watched too. It ends OK after the final state, UNAVAILABLE when this server stops, and
// CANCELLED when the client goes away.
//
// Thread safety: safe for concurrent use.
class JobServiceImpl final : public v1::JobService::Service {
 public:
  explicit JobServiceImpl(RpcEnv& env);

  grpc::Status RunJob(grpc::ServerContext* context, const v1::RunJobRequest* request,
                      v1::JobRun* response) override;
  grpc::Status RunPipeline(grpc::ServerContext* context, const v1::RunPipelineRequest* request,
                           v1::JobRun* response) override;
  grpc::Status GetJobRun(grpc::ServerContext* context, const v1::GetJobRunRequest* request,
                         v1::JobRun* response) override;
  grpc::Status ListJobRuns(grpc::ServerContext* context, const v1::ListJobRunsRequest* request,
                           v1::ListJobRunsResponse* response) override;
  grpc::Status CancelJobRun(grpc::ServerContext* context, const v1::CancelJobRunRequest* request,
                            v1::JobRun* response) override;
  grpc::Status WatchJobRun(grpc::ServerContext* context, const v1::WatchJobRunRequest* request,
                           grpc::ServerWriter<v1::JobRun>* writer) override;

 private:
  RpcEnv& env_;
};

}  // namespace riskcap::server
