// SubmitMargin on the callback API (server/margin/submit_margin_call.cc): while the group commit is
// stalled, calls wait without holding threads up to the write queue's limit, and the next call
// is answered RESOURCE_EXHAUSTED at once; on both backends.
#include <functional>
#include <future>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/margin.grpc.pb.h"
#include "server/margin/margin_service.h"
#include "server/rpc/write_batcher.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_server.h"
#include "tests/testing/wait.h"

namespace riskcap::server {
namespace {

// Holds a write transaction that locks margin_submissions until Release(), so the committer's
// next batch waits (SQLite: on the database's write lock; PostgreSQL: on the table lock).
class SubmissionsLock {
 public:
  explicit SubmissionsLock(db::Store& store) {
    std::promise<void> locked;
    holder_ = std::thread([&store, &locked, this] {
      absl::Status st = testing::WriteSql(store, [&](soci::session& s) -> absl::Status {
        if (store.backend() == db::Backend::kPostgresql) {
          s << "LOCK TABLE margin_submissions IN SHARE ROW EXCLUSIVE MODE";
        }
        locked.set_value();
        release_.get_future().wait();
        return absl::OkStatus();
      });
      EXPECT_TRUE(st.ok()) << st;
    });
    locked.get_future().wait();
  }
  ~SubmissionsLock() { Release(); }
  void Release() {
    if (!holder_.joinable()) return;
    release_.set_value();
    holder_.join();
  }

 private:
  std::promise<void> release_;
  std::thread holder_;
};

// Polls `condition` until it holds (true) or 10 s have passed (false).
bool WaitUntil(const std::function<bool()>& condition) {
  return testing::WaitFor(condition, absl::Seconds(10), absl::Milliseconds(2)).has_value();
}

class SubmitMarginCallTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(
        GetParam(),
        [](RpcEnv& env) {
          std::vector<std::unique_ptr<grpc::Service>> services;
          services.push_back(std::make_unique<MarginServiceImpl>(env));
          return services;
        },
        [](ServerConfig& config) { config.max_queued_writes = 1; });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    stub_ = v1::MarginService::NewStub(server_->channel());
    manager_ = server_->CreateKey(Role::kManager, 1);
  }

  grpc::Status Submit(const std::string& request_id) {
    v1::SubmitMarginRequest r;
    r.set_request_id(request_id);
    r.set_fund_id(101);
    r.set_reference_date("2026-11-20");
    r.set_local_margin("1500000.25");
    r.set_offshore_margin("0");
    r.set_methodology("Historical VaR 99%");
    grpc::ClientContext ctx;
    riskcap::testing::TestServer::Authorize(ctx, manager_);
    v1::SubmissionReceipt receipt;
    return stub_->SubmitMargin(&ctx, r, &receipt);
  }

  bool Stored(const std::string& request_id) {
    return server_->store().FindSubmissionByKey(absl::StrCat("submit/m1/", request_id)).ok();
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::unique_ptr<v1::MarginService::Stub> stub_;
  std::string manager_;
};

TEST_P(SubmitMarginCallTest, FullWriteQueueIsResourceExhaustedAndQueuedCallsStillCommit) {
  ASSERT_TRUE(Submit("warm").ok());
  server::WriteBatcher& batcher = server_->batcher();
  const int64_t commits = batcher.commits_started();
  SubmissionsLock lock(server_->store());
  // The committer takes the first call and waits on the lock; the second fills the queue.
  auto first = std::async(std::launch::async, [&] { return Submit("q-1"); });
  ASSERT_TRUE(WaitUntil([&] { return batcher.commits_started() == commits + 1; }));
  auto second = std::async(std::launch::async, [&] { return Submit("q-2"); });
  ASSERT_TRUE(WaitUntil([&] { return batcher.queued() == 1; }));
  absl::Time start = absl::Now();
  grpc::Status refused = Submit("q-3");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));  // answered at once, not after the commit
  lock.Release();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(second.get().ok());
  EXPECT_TRUE(Stored("q-1"));
  EXPECT_TRUE(Stored("q-2"));
  EXPECT_FALSE(Stored("q-3"));
}

INSTANTIATE_TEST_SUITE_P(Backends, SubmitMarginCallTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgresql),
                         riskcap::testing::BackendTestName);

}  // namespace
}  // namespace riskcap::server
