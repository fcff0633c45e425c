// Two riskcap servers on ONE database (each with its own Store, job runner and gRPC server):
// a job runs at most once at a time per (job, date) across both; cancel and watch work from
// either. On both backends (two Store objects on one SQLite file, or one PostgreSQL schema).
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "server/rpc/auth.h"
#include "server/rpc/grpc_server.h"
#include "server/jobs/job_service.h"
#include "tests/server/jobs/job_test_support.h"
#include "tests/testing/test_server.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using server::jobs::JobRunner;

// One server: its own store on the shared database, runner, JobService and gRPC server.
class Replica {
 public:
  static std::unique_ptr<Replica> Start(const std::string& url, JobScript& script,
                                        const std::string& name) {
    auto r = std::unique_ptr<Replica>(new Replica());
    r->store_ = db::Store::Open(url, 8).value();
    r->auth_ = std::make_unique<server::Authenticator>(*r->store_);
    r->env_ = std::unique_ptr<server::RpcEnv>(new server::RpcEnv{*r->store_, r->clock_, *r->auth_});
    r->runner_ = std::make_unique<JobRunner>(*r->store_, r->clock_, r->env_->rules,
                                             ScriptedJobs(script), FastRunnerOptions(name));
    r->env_->jobs = r->runner_.get();
    r->service_ = std::make_unique<server::JobServiceImpl>(*r->env_);
    server::ServerConfig config;
    config.listen = "127.0.0.1:0";
    r->server_ = server::GrpcServer::Start(config, {r->service_.get()}).value();
    r->stub_ = v1::JobService::NewStub(
        grpc::CreateChannel(r->server_->address(), grpc::InsecureChannelCredentials()));
    return r;
  }
  ~Replica() {
    runner_->Shutdown(absl::Seconds(5));
    server_.reset();
    runner_.reset();
  }

  db::Store& store() { return *store_; }
  v1::JobService::Stub& stub() { return *stub_; }

 private:
  Replica() : clock_(absl::FromCivil(absl::CivilSecond(2026, 11, 24, 12, 0, 0), absl::UTCTimeZone())) {}
  FakeClock clock_;
  std::unique_ptr<db::Store> store_;
  std::unique_ptr<server::Authenticator> auth_;
  std::unique_ptr<server::RpcEnv> env_;
  std::unique_ptr<JobRunner> runner_;
  std::unique_ptr<server::JobServiceImpl> service_;
  std::unique_ptr<server::GrpcServer> server_;
  std::unique_ptr<v1::JobService::Stub> stub_;
};

class JobReplicasTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    scratch_ = ScratchDatabase::Create(GetParam()).value();
    {
      auto store = db::Store::Open(scratch_->url(), 1).value();
      ASSERT_TRUE(store->Migrate().ok());
    }
    a_ = Replica::Start(scratch_->url(), script_, "server-a");
    b_ = Replica::Start(scratch_->url(), script_, "server-b");
    key_ = CreateServiceKey(a_->store());
  }
  void TearDown() override {
    script_.Release();
    a_.reset();
    b_.reset();
  }

  static std::string CreateServiceKey(db::Store& store) {
    std::string secret = server::NewApiKeySecret();
    ApiKey key;
    key.label = "replicas";
    key.role = Role::kService;
    key.secret_hash = server::HashApiKeySecret(secret);
    key.created_at = absl::Now();
    key.created_by = "test";
    EXPECT_TRUE(store.CreateApiKey(key).ok());
    return secret;
  }

  grpc::Status RunOn(Replica& r, const std::string& date, const std::string& request_id,
                     v1::JobRun* out) {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, key_);
    v1::RunJobRequest req;
    req.set_request_id(request_id);
    req.set_job(v1::JOB_KIND_POSITIONS);
    req.set_reference_date(date);
    return r.stub().RunJob(&ctx, req, out);
  }

  JobScript script_;
  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<Replica> a_, b_;
  std::string key_;
};

TEST_P(JobReplicasTest, TheSameJobAndDateAskedOfBothAtOnceExecutesExactlyOnce) {
  script_.Set("positions", Behavior::kBlock);
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    const std::string date = absl::StrCat("2026-11-", 10 + round);
    v1::JobRun run_a, run_b;
    grpc::Status st_a, st_b;
    std::atomic<int> ready{0};
    auto ask = [&](Replica& r, const char* id, v1::JobRun* out, grpc::Status* st) {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      *st = RunOn(r, date, absl::StrCat(id, round), out);
    };
    std::thread ta(ask, std::ref(*a_), "a", &run_a, &st_a);
    std::thread tb(ask, std::ref(*b_), "b", &run_b, &st_b);
    ta.join();
    tb.join();
    SCOPED_TRACE(absl::StrCat("round ", round, ": ", st_a.error_message(), " | ",
                              st_b.error_message()));
    ASSERT_NE(st_a.ok(), st_b.ok());
    const grpc::Status& refused = st_a.ok() ? st_b : st_a;
    const int64_t winner = st_a.ok() ? run_a.job_run_id() : run_b.job_run_id();
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(refused.error_message(), ::testing::HasSubstr(absl::StrCat("job run ", winner)));
    ASSERT_TRUE(script_.WaitUntilBlocked(1));
    script_.Release();
    EXPECT_EQ(WaitFinal(a_->store(), winner).state, JobState::kSucceeded);
    script_.Rearm();
    EXPECT_EQ(script_.Executions("positions"), round + 1);  // one execution per (job, date)
  }
}

TEST_P(JobReplicasTest, ACancelServedByOneServerStopsTheRunOnTheOther) {
  script_.Set("positions", Behavior::kBlock);
  v1::JobRun run;
  ASSERT_TRUE(RunOn(*a_, "2026-11-20", "run-on-a", &run).ok());
  ASSERT_TRUE(script_.WaitUntilBlocked(1));

  grpc::ClientContext watch_ctx;
  TestServer::Authorize(watch_ctx, key_);
  v1::WatchJobRunRequest watch;
  watch.set_job_run_id(run.job_run_id());
  auto reader = b_->stub().WatchJobRun(&watch_ctx, watch);  // polled from B's store

  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, key_);
  v1::CancelJobRunRequest cancel;
  cancel.set_request_id("cancel-on-b");
  cancel.set_job_run_id(run.job_run_id());
  v1::JobRun flagged;
  ASSERT_TRUE(b_->stub().CancelJobRun(&ctx, cancel, &flagged).ok());
  EXPECT_EQ(flagged.state(), v1::JOB_RUN_STATE_RUNNING);

  JobRun done = WaitFinal(b_->store(), run.job_run_id());
  EXPECT_EQ(done.state, JobState::kCancelled);
  EXPECT_EQ(done.owner, "server-a");
  v1::JobRun update, last;
  while (reader->Read(&update)) last = update;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(last.state(), v1::JOB_RUN_STATE_CANCELLED);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(JobReplicasTest);

}  // namespace
}  // namespace riskcap::testing
