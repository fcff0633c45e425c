// Store outages against the real riskcapd: a PostgreSQL restart under submission load is survived
// without restarting riskcapd (calls fail UNAVAILABLE with a generic message meanwhile, health
// follows the store, nothing acknowledged is lost), a job running through the outage ends in its
// final state once the store is back (not as abandoned) and can be rerun, and a SQLite write lock
// held past the busy timeout is a clear UNAVAILABLE that leaves the store intact.
#include <array>
#include <functional>
#include <iostream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "db/store.h"
#include "db/store_error.h"
#include "gtest/gtest.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "tests/testing/feed_test_support.h"
#include "tests/testing/grpc_probe.h"
#include "tests/testing/pg_cluster.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/submission_load.h"
#include "tests/testing/wait.h"

namespace riskcap {
namespace {

using testing::RiskcapdProcess;
using testing::SubmissionLoad;

using testing::WaitFor;

bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
  auto serving = testing::HealthServing(channel);
  return serving.ok() && *serving;
}

// Words of libpq's and SQLite's own messages, none of which may reach a client.
void ExpectNoDriverText(const std::string& message) {
  for (const char* driver_text :
       {"server closed", "could not connect", "onnection refused", "terminating connection",
        "SQLSTATE", "Connection failed", "connection to server", "database system",
        "database is locked", "libpq", "PQ", "sqlite"}) {
    EXPECT_FALSE(absl::StrContains(message, driver_text)) << message;
  }
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToDoubleSeconds(d), " s"); }

bool Final(const v1::JobRun& run) {
  return run.state() == v1::JOB_RUN_STATE_SUCCEEDED || run.state() == v1::JOB_RUN_STATE_FAILED ||
         run.state() == v1::JOB_RUN_STATE_CANCELLED;
}

// JobService calls of one key over a connection of their own.
class JobCalls {
 public:
  JobCalls(const std::string& address, std::string secret)
      : stub_(v1::JobService::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
        secret_(std::move(secret)) {}

  grpc::Status RunNavSnapshot(const std::string& request_id, const std::string& date,
                              v1::JobRun* run) {
    grpc::ClientContext ctx;
    testing::AuthorizeCall(ctx, secret_);
    v1::RunJobRequest request;
    request.set_request_id(request_id);
    request.set_job(v1::JOB_KIND_NAV_SNAPSHOT);
    request.set_reference_date(date);
    return stub_->RunJob(&ctx, request, run);
  }
  // The run as stored; an error status (e.g. UNAVAILABLE during an outage) leaves `run` as is.
  grpc::Status Get(int64_t id, v1::JobRun* run) {
    grpc::ClientContext ctx;
    testing::AuthorizeCall(ctx, secret_);
    v1::GetJobRunRequest request;
    request.set_job_run_id(id);
    return stub_->GetJobRun(&ctx, request, run);
  }
  // Polls run `id` until it is final or `timeout` passes; the time it was first seen final.
  std::optional<absl::Time> WaitFinal(int64_t id, v1::JobRun* run, absl::Duration timeout) {
    return WaitFor([&] { return Get(id, run).ok() && Final(*run); }, timeout);
  }

 private:
  std::unique_ptr<v1::JobService::Stub> stub_;
  std::string secret_;
};

TEST(StoreOutage, PostgresRestartIsSurvivedWithoutRestartingRiskcapd) {
  auto cluster = testing::OwnPgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto prepared = testing::PrepareDaemonStoreAt((*cluster)->url(), "outage-test");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  prepared->store.reset();
  auto daemon = RiskcapdProcess::Start(
      {.env = {{"RISKCAP_DB", (*cluster)->url()}, {"RISKCAP_DB_POOL", "4"}}});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  const pid_t pid = (*daemon)->pid();
  const std::string address = (*daemon)->address();
  auto health = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  SubmissionLoad load(address, prepared->secret, "outage", 2, absl::Seconds(10),
                      absl::Milliseconds(50));
  ASSERT_TRUE(WaitFor([&] { return load.acked_count() >= 20; }, absl::Seconds(20)));

  const absl::Time stopped_at = absl::Now();
  ASSERT_TRUE((*cluster)->Stop().ok());
  auto not_serving_at = WaitFor([&] { return !Serving(health); }, absl::Seconds(10));
  ASSERT_TRUE(not_serving_at.has_value()) << "health stayed SERVING during the outage";
  ASSERT_TRUE(WaitFor([&] { return !load.failures().empty(); }, absl::Seconds(10)));
  // Reads fail the same way.
  auto stub = testing::OwnMarginStub(address);
  grpc::ClientContext ctx;
  testing::AuthorizeCall(ctx, prepared->secret);
  v1::GetSubmissionRequest get;
  get.set_submission_id(load.acked().front().receipt.submission_id());
  v1::MarginSubmission got;
  grpc::Status read = stub->GetSubmission(&ctx, get, &got);
  EXPECT_EQ(read.error_code(), grpc::StatusCode::UNAVAILABLE) << read.error_message();
  EXPECT_EQ(read.error_message(), db::kStoreUnavailable);

  ASSERT_TRUE((*cluster)->Restart().ok());
  const absl::Time back_at = absl::Now();
  auto first_ack = WaitFor([&] { return load.FirstAckAfter(back_at).has_value(); },
                           absl::Seconds(10));
  auto serving_at = WaitFor([&] { return Serving(health); }, absl::Seconds(10));
  ASSERT_TRUE(first_ack.has_value()) << "no call succeeded within 10 s of PostgreSQL being back";
  ASSERT_TRUE(serving_at.has_value()) << "health not SERVING within 10 s of PostgreSQL back";
  const size_t acked_when_back = load.acked_count();
  ASSERT_TRUE(WaitFor([&] { return load.acked_count() >= acked_when_back + 20; },
                      absl::Seconds(10)));
  load.Stop();

  std::vector<SubmissionLoad::Failure> failures = load.failures();
  for (const SubmissionLoad::Failure& f : failures) {
    EXPECT_EQ(f.code, grpc::StatusCode::UNAVAILABLE) << f.message;
    EXPECT_EQ(f.message, db::kStoreUnavailable);
    ExpectNoDriverText(f.message);
    EXPECT_GE(f.at, stopped_at) << "a call failed before the outage: " << f.message;
    EXPECT_LE(f.at, *first_ack) << "a call failed after the store was back: " << f.message;
  }
  auto stored = testing::ListAllSubmissions(address, prepared->secret);
  ASSERT_TRUE(stored.ok()) << stored.status();
  std::vector<SubmissionLoad::Acked> acked = load.acked();
  testing::ExpectAllAckedStored(acked, *stored);
  std::map<std::string, int> per_request_id;
  for (const v1::MarginSubmission& s : *stored) ++per_request_id[s.request_id()];
  EXPECT_EQ(per_request_id.size(), acked.size());
  for (const auto& [request_id, n] : per_request_id) EXPECT_EQ(n, 1) << request_id;
  EXPECT_EQ((*daemon)->pid(), pid);
  EXPECT_FALSE((*daemon)->Wait(absl::ZeroDuration()).ok()) << "riskcapd exited";
  std::cout << "[ OUTAGE   ] NOT_SERVING " << Seconds(*not_serving_at - stopped_at)
            << " after PostgreSQL stopped; " << failures.size()
            << " calls failed UNAVAILABLE; PostgreSQL back -> first successful call "
            << Seconds(*first_ack - back_at) << ", SERVING " << Seconds(*serving_at - back_at)
            << "; " << acked.size() << " acknowledged submissions read back\n";
}

TEST(StoreOutage, AJobInFlightDuringAnOutageEndsInItsFinalStateOnceBackAndCanBeRerun) {
  constexpr char kDay[] = "2026-11-20";
  constexpr char kFeed[] = "/v1/nav_snapshot";
  auto sim = testing::UpstreamSim::Start({"--seed", "7", "--funds", "12"});
  ASSERT_TRUE(sim.ok()) << sim.status();
  auto cluster = testing::OwnPgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  auto prepared = testing::PrepareDaemonStoreAt((*cluster)->url(), "outage-job-test");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  prepared->store.reset();
  // A run left RUNNING would be failed as abandoned only after 60 s without a heartbeat.
  constexpr absl::Duration kAbandon = absl::Seconds(60);
  auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", (*cluster)->url()},
                                                {"RISKCAP_JOB_WORKERS", "1"},
                                                {"RISKCAP_JOB_ABANDON_SECONDS", "60"},
                                                {"RISKCAP_SOURCE", (*sim)->url()}}});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  JobCalls jobs((*daemon)->address(), prepared->secret);

  // The upstream holds the job's first fetch for 5 s: the run is RUNNING, outside the store,
  // while PostgreSQL stops; it meets the outage when it goes on to write.
  ASSERT_TRUE((*sim)->SetFault(kFeed, "slow", 1, 5).ok());
  v1::JobRun run;
  grpc::Status started = jobs.RunNavSnapshot("outage-job", kDay, &run);
  ASSERT_TRUE(started.ok()) << started.error_message();
  ASSERT_TRUE(WaitFor([&] { return (*sim)->Hits(kFeed).value_or(0) >= 1; }, absl::Seconds(20)))
      << "the job never fetched its feed";
  ASSERT_TRUE((*cluster)->Stop().ok());
  absl::Status retrying = (*daemon)->WaitForStderr("cannot record job run outcome yet; retrying",
                                                   absl::Seconds(30));
  ASSERT_TRUE(retrying.ok()) << retrying;

  ASSERT_TRUE((*cluster)->Restart().ok());
  const absl::Time back_at = absl::Now();
  auto final_at = jobs.WaitFinal(run.job_run_id(), &run, absl::Seconds(30));
  ASSERT_TRUE(final_at.has_value()) << "the run is still " << run.ShortDebugString();
  // Its own outcome — the job failed on the store — not the abandon sweep's.
  EXPECT_EQ(run.state(), v1::JOB_RUN_STATE_FAILED) << run.ShortDebugString();
  EXPECT_EQ(run.error_message(), db::kStoreUnavailable);
  EXPECT_LT(*final_at - back_at, absl::Seconds(10)) << "abandon interval " << Seconds(kAbandon);

  v1::JobRun rerun;
  grpc::Status admitted = jobs.RunNavSnapshot("outage-job-rerun", kDay, &rerun);
  ASSERT_TRUE(admitted.ok()) << admitted.error_message();
  ASSERT_TRUE(jobs.WaitFinal(rerun.job_run_id(), &rerun, absl::Seconds(30)).has_value())
      << rerun.ShortDebugString();
  EXPECT_EQ(rerun.state(), v1::JOB_RUN_STATE_SUCCEEDED) << rerun.error_message();
  EXPECT_GT(rerun.rows_written(), 0);
  std::cout << "[ OUTAGE   ] job run final " << Seconds(*final_at - back_at)
            << " after PostgreSQL was back (abandon interval " << Seconds(kAbandon) << ")\n";
}

TEST(StoreOutage, SqliteWriteLockHeldPastBusyTimeoutIsUnavailableAndStoreIntact) {
  auto prepared = testing::PrepareDaemonStore(db::Backend::kSqlite, "locked-test", 1);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const std::string url = prepared->scratch->url();
  auto daemon = RiskcapdProcess::Start(
      {.env = {{"RISKCAP_DB", url}, {"RISKCAP_DB_LOCK_TIMEOUT_SECONDS", "1"}}});
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  auto stub = testing::OwnMarginStub((*daemon)->address());
  auto submit = [&](const v1::SubmitMarginRequest& request, v1::SubmissionReceipt* receipt) {
    grpc::ClientContext ctx;
    testing::AuthorizeCall(ctx, prepared->secret);
    return stub->SubmitMargin(&ctx, request, receipt);
  };
  const v1::SubmitMarginRequest first = testing::LoadRequest("locked", 0, 0);
  const v1::SubmitMarginRequest second = testing::LoadRequest("locked", 0, 1);
  v1::SubmissionReceipt first_receipt, second_receipt;
  ASSERT_TRUE(submit(first, &first_receipt).ok());

  // Another connection takes the write lock and holds it well past the 1 s busy timeout.
  auto held = testing::HoldSession(*prepared->store);
  ASSERT_TRUE(held.ok()) << held.status();
  (*held)->session() << "BEGIN IMMEDIATE";
  const absl::Time start = absl::Now();
  grpc::Status refused = submit(second, &second_receipt);
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
  EXPECT_EQ(refused.error_message(), db::kStoreBusy);
  ExpectNoDriverText(refused.error_message());
  EXPECT_GE(waited, absl::Milliseconds(900)) << "it did not wait for the busy timeout";
  // A lock is no outage: health stays SERVING.
  EXPECT_TRUE(Serving(grpc::CreateChannel((*daemon)->address(),
                                          grpc::InsecureChannelCredentials())));
  (*held)->session() << "ROLLBACK";
  held->reset();  // the session goes back to the pool

  ASSERT_TRUE(submit(second, &second_receipt).ok());  // the retry is stored, once
  auto stored = testing::ListAllSubmissions((*daemon)->address(), prepared->secret);
  ASSERT_TRUE(stored.ok()) << stored.status();
  testing::ExpectAllAckedStored({{first, first_receipt}, {second, second_receipt}}, *stored);
  EXPECT_EQ(stored->size(), 2u);
  std::string verdict;
  absl::Status checked = testing::ReadSql(*prepared->store, [&](soci::session& s) -> absl::Status {
    s << "PRAGMA integrity_check", soci::into(verdict);
    return absl::OkStatus();
  });
  ASSERT_TRUE(checked.ok()) << checked;
  EXPECT_EQ(verdict, "ok");
  std::cout << "[ LOCKED   ] SubmitMargin answered UNAVAILABLE after " << Seconds(waited)
            << " (busy timeout 1 s, then its audit record's)\n";
}

}  // namespace
}  // namespace riskcap
