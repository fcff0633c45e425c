// Tests server/metrics/server_metrics.cc: what riskcapd's metric families show for the events fed
// to them, and the store's pool counters (db::StoreStats) read through them on both backends.
#include "server/metrics/server_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/audit.h"
#include "core/clock.h"
#include "server/admin/audit_sealer.h"
#include "server/admin/audit_signing_key.h"
#include "tests/testing/test_store.h"

namespace riskcap::server::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ServerMetrics, RpcsJobsQuarantinesStreamsAndHealth) {
  ServerMetrics m("9.9.9");
  m.RecordRpc("FundService/GetFund", grpc::StatusCode::OK, 0.002);
  m.RecordRpc("FundService/GetFund", grpc::StatusCode::NOT_FOUND, 0.2);
  m.RecordAuthFailure("FundService/GetFund");
  JobRun run;
  run.job = "positions";
  run.state = JobState::kFailed;
  run.started_at = absl::FromUnixSeconds(100);
  run.finished_at = absl::FromUnixSeconds(103);
  run.rows_read = 40;
  run.rows_written = 0;
  m.RecordJobRun(run);
  m.RecordQuarantine("upload");
  m.RecordDelivery("email", "FAILED");
  GaugeHold stream(&m.ActiveStreams("watch"));
  m.SetStoreUp(false);

  const std::string text = m.registry().Expose();
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_requests_total{method=\"FundService/GetFund\","
                              "code=\"OK\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_requests_total{method=\"FundService/GetFund\","
                              "code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_duration_seconds_bucket{method=\"FundService/GetFund\","
                              "le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_rpc_duration_seconds_bucket{method=\"FundService/GetFund\","
                              "le=\"0.25\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_auth_failures_total{method=\"FundService/GetFund\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_job_runs_total{job=\"positions\",state=\"FAILED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_job_duration_seconds_sum{job=\"positions\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_job_rows_read_total{job=\"positions\"} 40\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_feed_quarantines_total{origin=\"upload\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_deliveries_total{channel=\"email\",state=\"FAILED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_active_streams{kind=\"watch\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_store_up 0\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_build_info{version=\"9.9.9\",grpc_version=\""));
}

TEST(ServerMetrics, GrpcCodeNamesMatchGrpc) {
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "UNAUTHENTICATED");
  EXPECT_EQ(GrpcCodeName(static_cast<grpc::StatusCode>(99)), "UNKNOWN");
}

class ServerMetricsStore : public testing::StoreTest {};

TEST_P(ServerMetricsStore, PoolInUseAndStoreErrorsByCode) {
  ServerMetrics m("0.1.0");
  m.WatchStore(store());
  EXPECT_THAT(m.registry().Expose(), HasSubstr("riskcap_store_pool_sessions_in_use 0\n"));
  absl::Status inside = store().InTransaction([&]() -> absl::Status {
    EXPECT_THAT(m.registry().Expose(), HasSubstr("riskcap_store_pool_sessions_in_use 1\n"));
    return absl::OkStatus();
  });
  ASSERT_TRUE(inside.ok()) << inside;
  EXPECT_THAT(m.registry().Expose(), Not(HasSubstr("riskcap_store_errors_total{")));

  ASSERT_TRUE(store().CreateManager({0, "Nova", "55555555000105"}).ok());
  auto duplicate = store().CreateManager({0, "Nova again", "55555555000105"});
  ASSERT_EQ(duplicate.status().code(), absl::StatusCode::kAlreadyExists) << duplicate.status();
  EXPECT_THAT(m.registry().Expose(),
              HasSubstr("riskcap_store_errors_total{code=\"ALREADY_EXISTS\"} 1\n"));
  EXPECT_EQ(store().Stats().errors[static_cast<int>(absl::StatusCode::kAlreadyExists)], 1);
}

// Appends `n` audit records, as audited calls do.
void AppendAudit(db::Store& store, int n) {
  static int next = 0;
  for (int i = 0; i < n; ++i) {
    ++next;
    AuditRecord r{0, absl::FromUnixMicros(next), "key:1", "FundService/UpdateFund",
                  absl::StrCat("req-", next), "OK", ""};
    ASSERT_TRUE(store.AppendAudit(r).ok());
  }
}

TEST_P(ServerMetricsStore, AuditChainPositionsFollowSealingAndCheckpoints) {
  const std::string key_file = absl::StrCat(::testing::TempDir(), "/chain-metrics-", getpid(),
                                            "-", testing::BackendTestName({GetParam(), 0}), ".pem");
  std::filesystem::remove(key_file);
  ASSERT_TRUE(AuditSigningKey::CreateFile(key_file).ok());
  auto key = AuditSigningKey::Load(key_file);
  ASSERT_TRUE(key.ok()) << key.status();
  SystemClock clock;
  // On demand only: no background thread, so each value below is the one just caused.
  AuditSealer sealer(store(), clock, key->get(),
                     {.seal_interval = absl::ZeroDuration(),
                      .checkpoint_interval = absl::ZeroDuration()});
  ServerMetrics m("0.1.0");
  m.WatchAuditChain(sealer);
  // Unknown before the first sealing: the family is declared, without a sample.
  std::string text = m.registry().Expose();
  EXPECT_THAT(text, HasSubstr("# TYPE riskcap_audit_chain_sealed_position gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("\nriskcap_audit_chain_sealed_position ")));

  AppendAudit(store(), 3);
  ASSERT_TRUE(sealer.SealNow().ok());
  EXPECT_THAT(m.registry().Expose(), HasSubstr("riskcap_audit_chain_sealed_position 3\n"));
  ASSERT_TRUE(sealer.CheckpointNow().ok());
  AppendAudit(store(), 2);
  ASSERT_TRUE(sealer.SealNow().ok());
  text = m.registry().Expose();
  EXPECT_THAT(text, HasSubstr("riskcap_audit_chain_sealed_position 5\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_audit_chain_checkpoint_position 3\n"));

  // A background sealer learns the newest checkpoint and seals what others append.
  AuditSealer background(store(), clock, nullptr, {.seal_interval = absl::Milliseconds(10)});
  ServerMetrics watched("0.1.0");
  watched.WatchAuditChain(background);
  AppendAudit(store(), 1);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    text = watched.registry().Expose();
    if (absl::StrContains(text, "riskcap_audit_chain_sealed_position 6\n") &&
        absl::StrContains(text, "riskcap_audit_chain_checkpoint_position 3\n")) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(10));  // poll interval while waiting for the condition
  }
  EXPECT_THAT(text, HasSubstr("riskcap_audit_chain_sealed_position 6\n"));
  EXPECT_THAT(text, HasSubstr("riskcap_audit_chain_checkpoint_position 3\n"));
  std::filesystem::remove(key_file);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ServerMetricsStore);

}  // namespace
}  // namespace riskcap::server::metrics
