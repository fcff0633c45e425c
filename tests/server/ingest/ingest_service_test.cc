// IngestService against a real server on both backends: uploads read back exactly through
// SnapshotService, versions, replays, row violations, quarantine, limits and roles.
#include "server/ingest/ingest_service.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/canonical.h"
#include "core/field_errors.h"
#include "db/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/ingest.grpc.pb.h"
#include "riskcap/v1/snapshot.grpc.pb.h"
#include "server/snapshots/convert_snapshot.h"
#include "server/snapshots/snapshot_service.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using riskcap::testing::TestServer;
using riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kDay[] = "2026-11-23";  // the fake clock's today is 2026-11-24
constexpr int64_t kMaxRows = 1000;

::testing::AssertionResult ProtoEq(const google::protobuf::Message& got,
                                   const google::protobuf::Message& want) {
  if (google::protobuf::util::MessageDifferencer::Equals(got, want)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got:\n"
                                       << got.DebugString() << "want:\n"
                                       << want.DebugString();
}

v1::UploadHeader Header(const std::string& request_id, const std::string& date = kDay) {
  v1::UploadHeader h;
  h.set_request_id(request_id);
  h.set_reference_date(date);
  h.set_source("file:test.csv");
  return h;
}

// Every input field set, in the canonical form the server answers with.
v1::Position SwapRow(int64_t fund, const std::string& code, const std::string& market_value) {
  v1::Position p;
  p.set_fund_id(fund);
  p.set_position_date(kDay);
  p.set_asset_nickname("SWAP DI x USD");
  p.set_asset_code(code);
  p.set_asset_type_code("SWAP");
  p.set_classification(v1::POSITION_CLASSIFICATION_OTC_SWAP);
  p.set_quantity("1.00");
  p.set_price("2500.50");
  p.set_notional("10000000.00");
  p.set_market_value(market_value);
  p.set_asset_leg_balance("5000000.123456");
  p.set_liability_leg_balance("-4999000.00");
  p.set_otc_asset_class(v1::OTC_ASSET_CLASS_FX);
  p.set_start_date("2026-01-02");
  p.set_end_date("2027-01-04");
  p.set_direction(v1::TRADE_DIRECTION_LONG);
  p.mutable_strike()->set_value(5.25);
  p.mutable_underlying_price()->set_value(5.4321);
  p.set_currency("USD");
  return p;
}

v1::Position OffshoreRow(int64_t fund) {
  v1::Position p;
  p.set_fund_id(fund);
  p.set_position_date(kDay);
  p.set_asset_nickname("Global Macro Feeder");
  p.set_isin("KYG000000001");
  p.set_asset_code("OFF1");
  p.set_asset_type_code("FUND");
  p.set_classification(v1::POSITION_CLASSIFICATION_OFFSHORE_FUND);
  p.set_quantity("-12.50");
  p.set_price("100.00");
  p.set_notional("0.00");
  p.set_market_value("-1250.00");
  return p;
}

v1::NavSnapshot NavRow(int64_t fund, const std::string& nav) {
  v1::NavSnapshot n;
  n.set_fund_id(fund);
  n.set_position_date(kDay);
  n.set_nav(nav);
  n.set_exchange_margin_pct(0.12);
  n.set_derivatives_exposure("250000.00");
  n.set_derivatives_exposure_pct(0.25);
  n.set_derivatives_at_risk("10000.50");
  n.set_derivatives_at_risk_pct(0.01);
  n.set_liquidity_ratio(1.75);
  n.set_var_95(0.021);
  n.set_var_99(0.034);
  n.set_stress_bull(0.05);
  n.set_stress_bear(-0.08);
  n.set_return_day(0.001);
  n.set_return_month(-0.02);
  n.set_return_year(0.11);
  n.set_criticality_class("HIGH");
  return n;
}

v1::NavHistoryEntry HistoryRow(int64_t fund, const std::string& date, const std::string& open,
                               const std::string& close) {
  v1::NavHistoryEntry h;
  h.set_fund_id(fund);
  h.set_nav_date(date);
  h.set_opening_nav(open);
  h.set_closing_nav(close);
  return h;
}

struct Uploaded {
  grpc::Status status;
  v1::UploadResponse response;
};

class IngestServiceTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(GetParam(), [](RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      // Runs of 3 rows: every upload of more than 3 rows is hashed by merging spooled runs.
      services.push_back(std::make_unique<IngestServiceImpl>(
          env, IngestLimits{.max_rows = kMaxRows, .spool_run_rows = 3}));
      services.push_back(std::make_unique<SnapshotServiceImpl>(env));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    ingest_ = v1::IngestService::NewStub(server_->channel());
    snapshots_ = v1::SnapshotService::NewStub(server_->channel());
    service_ = server_->CreateKey(Role::kService);
  }

  // Sends the header (when given) then the rows, `chunk` rows a message.
  template <typename Request, typename Row, typename Open>
  Uploaded Send(Open open, const std::string& key, const std::optional<v1::UploadHeader>& header,
                const std::vector<Row>& rows, size_t chunk) {
    grpc::ClientContext ctx;
    if (!key.empty()) TestServer::Authorize(ctx, key);
    Uploaded out;
    std::unique_ptr<grpc::ClientWriter<Request>> writer = open(&ctx, &out.response);
    bool open_stream = true;
    if (header) {
      Request first;
      *first.mutable_header() = *header;
      open_stream = writer->Write(first);
    }
    for (size_t i = 0; open_stream && i < rows.size(); i += chunk) {
      Request message;
      for (size_t j = i; j < std::min(rows.size(), i + chunk); ++j) {
        *message.mutable_rows()->add_rows() = rows[j];
      }
      open_stream = writer->Write(message);  // false once the server has answered
    }
    writer->WritesDone();
    out.status = writer->Finish();
    return out;
  }

  Uploaded Positions(const std::optional<v1::UploadHeader>& header,
                     const std::vector<v1::Position>& rows, const std::string& key = "",
                     size_t chunk = 2) {
    return Send<v1::UploadPositionsRequest>(
        [&](grpc::ClientContext* c, v1::UploadResponse* r) {
          return ingest_->UploadPositions(c, r);
        },
        key.empty() ? service_ : key, header, rows, chunk);
  }
  Uploaded Navs(const v1::UploadHeader& header, const std::vector<v1::NavSnapshot>& rows) {
    return Send<v1::UploadNavSnapshotsRequest>(
        [&](grpc::ClientContext* c, v1::UploadResponse* r) {
          return ingest_->UploadNavSnapshots(c, r);
        },
        service_, header, rows, 1);
  }
  Uploaded History(const v1::UploadHeader& header, const std::vector<v1::NavHistoryEntry>& rows) {
    return Send<v1::UploadNavHistoryRequest>(
        [&](grpc::ClientContext* c, v1::UploadResponse* r) {
          return ingest_->UploadNavHistory(c, r);
        },
        service_, header, rows, 2);
  }

  v1::ListPositionsResponse ReadPositions(int64_t fund, std::optional<int32_t> version = {}) {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, service_);
    v1::ListPositionsRequest r;
    r.set_fund_id(fund);
    r.set_as_of_date(kDay);
    if (version) r.mutable_version()->set_value(*version);
    v1::ListPositionsResponse out;
    grpc::Status st = snapshots_->ListPositions(&ctx, r, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  size_t Versions(SnapshotKind kind) {
    auto versions = server_->store().ListSnapshotVersions(kind, Date(2026, 11, 23));
    EXPECT_TRUE(versions.ok()) << versions.status();
    return versions.ok() ? versions->size() : 0;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::SnapshotService::Stub> snapshots_;
  std::string service_;
};

TEST_P(IngestServiceTest, UploadedPositionsReadBackExactly) {
  ASSERT_TRUE(server_->store().UpsertAssetTypes({{"SWAP", "Swap contract"}}).ok());
  std::vector<v1::Position> rows = {SwapRow(101, "SW1", "-1500.25"), OffshoreRow(201),
                                    SwapRow(101, "SW2", "0.00"), OffshoreRow(101)};
  Uploaded up = Positions(Header("pos-1"), rows);
  ASSERT_TRUE(up.status.ok()) << up.status.error_message();
  EXPECT_EQ(up.response.reference_date(), kDay);
  EXPECT_EQ(up.response.version(), 1);
  EXPECT_GT(up.response.load_id(), 0);
  EXPECT_EQ(up.response.row_count(), 4);
  EXPECT_THAT(up.response.content_hash(), SizeIs(64));
  EXPECT_GT(up.response.job_run_id(), 0);
  EXPECT_FALSE(up.response.replayed());

  v1::ListPositionsResponse read = ReadPositions(101);
  EXPECT_EQ(read.reference_date(), kDay);
  EXPECT_EQ(read.version(), 1);
  EXPECT_EQ(read.load_id(), up.response.load_id());
  EXPECT_EQ(read.job_run_id(), up.response.job_run_id());
  // Fund 101's rows, in the batch's canonical order (core/canonical.h), not in load order.
  std::vector<v1::Position> fund_101 = {rows[0], rows[2], rows[3]};
  fund_101[0].set_asset_type_description("Swap contract");
  fund_101[1].set_asset_type_description("Swap contract");
  std::vector<Position> core_101;
  FieldErrors errors;
  for (const v1::Position& p : fund_101) core_101.push_back(PositionFromProto(p, "row", errors));
  ASSERT_TRUE(errors.empty()) << errors.ToStatus();
  const std::vector<size_t> order = CanonicalOrder(core_101);
  ASSERT_NE(order, (std::vector<size_t>{0, 1, 2}));  // else load order would pass as well
  ASSERT_EQ(read.positions_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(ProtoEq(read.positions(i), fund_101[order[i]])) << "row " << i;
  }

  auto run = server_->store().GetJobRun(up.response.job_run_id());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->job, "positions");
  EXPECT_EQ(run->state, JobState::kSucceeded);
  EXPECT_EQ(run->rows_written, 4);
  EXPECT_EQ(run->output_hash, up.response.content_hash());
}

TEST_P(IngestServiceTest, UploadedNavSnapshotReadsBackExactly) {
  Uploaded up = Navs(Header("nav-1"), {NavRow(101, "1234567.89"), NavRow(201, "-5.00")});
  ASSERT_TRUE(up.status.ok()) << up.status.error_message();
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, service_);
  v1::GetNavSnapshotRequest r;
  r.set_fund_id(201);
  v1::NavSnapshot got;
  ASSERT_TRUE(snapshots_->GetNavSnapshot(&ctx, r, &got).ok());
  v1::NavSnapshot want = NavRow(201, "-5.00");
  want.set_reference_date(kDay);
  want.set_version(1);
  want.set_load_id(up.response.load_id());
  want.set_job_run_id(up.response.job_run_id());
  EXPECT_TRUE(ProtoEq(got, want));
}

TEST_P(IngestServiceTest, NavHistoryHashIsSha256OfTheDocumentedCanonicalText) {
  Uploaded up = History(Header("hist-1"), {HistoryRow(201, "2026-11-20", "10.00", "11.50"),
                                           HistoryRow(101, "2026-11-23", "1.00", "2.00"),
                                           HistoryRow(101, "2026-11-20", "3.00", "-4.00")});
  ASSERT_TRUE(up.status.ok()) << up.status.error_message();
  EXPECT_EQ(up.response.content_hash(), db::Sha256Hex("101|2026-11-20|3000000|-4000000\n"
                                                      "101|2026-11-23|1000000|2000000\n"
                                                      "201|2026-11-20|10000000|11500000\n"));
  grpc::ClientContext ctx;
  TestServer::Authorize(ctx, service_);
  v1::ListNavHistoryRequest r;
  r.set_fund_id(101);
  r.mutable_load_id()->set_value(up.response.load_id());
  v1::ListNavHistoryResponse got;
  ASSERT_TRUE(snapshots_->ListNavHistory(&ctx, r, &got).ok());
  ASSERT_EQ(got.entries_size(), 2);
  v1::NavHistoryEntry want = HistoryRow(101, "2026-11-20", "3.00", "-4.00");
  want.set_load_id(up.response.load_id());  // reference_date/version: the store does not say
  EXPECT_TRUE(ProtoEq(got.entries(0), want));
  EXPECT_EQ(got.entries(1).nav_date(), "2026-11-23");
}

TEST_P(IngestServiceTest, ADifferentUploadIsVersionTwoAndVersionOneStaysReadable) {
  Uploaded first = Positions(Header("pos-1"), {SwapRow(101, "SW1", "1.00")});
  Uploaded second = Positions(Header("pos-2"), {SwapRow(101, "SW1", "2.00")});
  ASSERT_TRUE(first.status.ok() && second.status.ok()) << second.status.error_message();
  EXPECT_EQ(second.response.version(), 2);
  EXPECT_NE(second.response.load_id(), first.response.load_id());
  EXPECT_NE(second.response.content_hash(), first.response.content_hash());
  EXPECT_EQ(ReadPositions(101).positions(0).market_value(), "2.00");
  v1::ListPositionsResponse old = ReadPositions(101, 1);
  EXPECT_EQ(old.load_id(), first.response.load_id());
  EXPECT_EQ(old.positions(0).market_value(), "1.00");
}

TEST_P(IngestServiceTest, IdenticalContentIsReplayedWithoutANewVersion) {
  std::vector<v1::Position> rows = {SwapRow(101, "SW1", "1.00"), OffshoreRow(201),
                                    SwapRow(101, "SW2", "3.00")};
  Uploaded first = Positions(Header("pos-1"), rows);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  // Same rows, another order and chunking, new request id: the current version comes back.
  Uploaded again = Positions(Header("pos-2"), {rows[2], rows[0], rows[1]}, "", 1);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_TRUE(again.response.replayed());
  EXPECT_EQ(again.response.content_hash(), first.response.content_hash());
  EXPECT_EQ(again.response.load_id(), first.response.load_id());
  EXPECT_EQ(again.response.version(), 1);
  // The same request id again: the original response.
  Uploaded replay = Positions(Header("pos-1"), rows);
  ASSERT_TRUE(replay.status.ok()) << replay.status.error_message();
  v1::UploadResponse want = first.response;
  want.set_replayed(true);
  EXPECT_TRUE(ProtoEq(replay.response, want));
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 1u);
}

// The upload's version, its run's outcome and its audit record commit together: when the audit
// record cannot be written, nothing of the upload is in, and its request_id is not used up.
TEST_P(IngestServiceTest, AnUploadWhoseAuditRecordFailsWritesNothing) {
  auto refuse_ok_upload_audit = [&](bool on) {
    const bool pg = GetParam() == db::Backend::kPostgresql;
    std::string sql =
        !on ? "DROP TRIGGER refuse_upload_audit ON audit_log"
        : pg
            ? "CREATE OR REPLACE FUNCTION refuse_upload_audit() RETURNS trigger AS $$ BEGIN "
              "IF NEW.method LIKE '%Upload%' AND NEW.outcome = 'OK' THEN "
              "RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; "
              "CREATE TRIGGER refuse_upload_audit BEFORE INSERT ON audit_log "
              "FOR EACH ROW EXECUTE FUNCTION refuse_upload_audit()"
            : "CREATE TRIGGER refuse_upload_audit BEFORE INSERT ON audit_log "
              "WHEN NEW.method LIKE '%Upload%' AND NEW.outcome = 'OK' "
              "BEGIN SELECT RAISE(ABORT, 'audit refused'); END";
    if (!on && !pg) sql = "DROP TRIGGER refuse_upload_audit";
    absl::Status st = testing::ExecScriptSql(server_->store(), sql);
    ASSERT_TRUE(st.ok()) << st;
  };
  auto records = [&](const std::string& request_id) {
    std::vector<std::string> outcomes;
    auto audit = server_->store().ListAudit(db::Page{0, 1000});
    EXPECT_TRUE(audit.ok()) << audit.status();
    for (const AuditRecord& a : audit.value_or(std::vector<AuditRecord>{})) {
      if (a.request_id == request_id) outcomes.push_back(a.outcome);
    }
    return outcomes;
  };
  const std::vector<v1::Position> rows = {SwapRow(101, "SW1", "1.00"), OffshoreRow(201),
                                          SwapRow(101, "SW2", "2.00"), OffshoreRow(101)};

  ASSERT_NO_FATAL_FAILURE(refuse_ok_upload_audit(true));
  Uploaded refused = Positions(Header("pos-audit"), rows);
  EXPECT_FALSE(refused.status.ok());
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u) << "the version committed without its audit";
  ASSERT_THAT(records("pos-audit"), SizeIs(1));  // the failure, audited on its own
  EXPECT_NE(records("pos-audit")[0], "OK");
  auto runs = server_->store().ListJobRuns({"positions"}, db::Page{0, 10});
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_THAT(*runs, SizeIs(1));
  EXPECT_EQ(runs->front().state, JobState::kFailed);

  ASSERT_NO_FATAL_FAILURE(refuse_ok_upload_audit(false));
  Uploaded retried = Positions(Header("pos-audit"), rows);  // the same request_id is free
  ASSERT_TRUE(retried.status.ok()) << retried.status.error_message();
  EXPECT_FALSE(retried.response.replayed());
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 1u);
  EXPECT_EQ(records("pos-audit").size(), 2u);

  // Identical content under a new request_id records a run and writes no version: that run, too,
  // commits only with its audit record.
  ASSERT_NO_FATAL_FAILURE(refuse_ok_upload_audit(true));
  Uploaded noop = Positions(Header("pos-audit-2"), rows);
  EXPECT_FALSE(noop.status.ok());
  ASSERT_NO_FATAL_FAILURE(refuse_ok_upload_audit(false));
  Uploaded noop_again = Positions(Header("pos-audit-2"), rows);
  ASSERT_TRUE(noop_again.status.ok()) << noop_again.status.error_message();
  EXPECT_TRUE(noop_again.response.replayed());
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 1u);
  std::vector<std::string> second = records("pos-audit-2");
  EXPECT_EQ(std::count(second.begin(), second.end(), "OK"), 1);
}

TEST_P(IngestServiceTest, ReusedRequestIdWithOtherContentIsAlreadyExists) {
  ASSERT_TRUE(Positions(Header("pos-1"), {SwapRow(101, "SW1", "1.00")}).status.ok());
  Uploaded reused = Positions(Header("pos-1"), {SwapRow(101, "SW1", "9.00")});
  EXPECT_EQ(reused.status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 1u);
}

TEST_P(IngestServiceTest, AnUploadDuringAnActiveRunOfItsJobAndDateIsRefusedNamingTheRun) {
  JobRun active;
  active.job = "positions";
  active.reference_date = Date(2026, 11, 23);
  active.params_json = "{}";
  active.queued_at = server_->clock().Now();
  active.triggered_by = "test";
  active = server_->store().AdmitJobRuns(active).value().front();

  Uploaded refused = Positions(Header("pos-busy"), {SwapRow(101, "SW1", "1.00")});
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.status.error_message(), HasSubstr(absl::StrCat("job run ", active.id)));
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);

  JobRun done = active;
  done.state = JobState::kCancelled;
  done.finished_at = server_->clock().Now();
  ASSERT_TRUE(server_->store().FinishJobRun(done).ok());
  Uploaded later = Positions(Header("pos-busy"), {SwapRow(101, "SW1", "1.00")});
  ASSERT_TRUE(later.status.ok()) << later.status.error_message();  // the request id is not used up
  auto run = server_->store().GetJobRun(later.response.job_run_id());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->state, JobState::kSucceeded);
  // (This test server has no job runner; the heartbeat of an upload's run is JobRunner::Hold,
  // tested in job_runner_test.)
}

TEST_P(IngestServiceTest, BadRowsAreNamedAcrossChunksAndNothingIsWritten) {
  std::vector<v1::Position> rows(5, SwapRow(101, "SW", "1.00"));
  rows[0].clear_market_value();
  rows[3].set_price("1.1234567");  // second chunk
  rows[3].set_classification(v1::POSITION_CLASSIFICATION_UNSPECIFIED);
  rows[4].set_position_date("2026-11-24");  // after the reference date
  rows[4].mutable_strike()->set_value(std::numeric_limits<double>::infinity());
  Uploaded up = Positions(Header("pos-bad"), rows);
  EXPECT_EQ(up.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(up.status),
              ElementsAre("rows[0].market_value", "rows[3].classification", "rows[3].price",
                          "rows[4].strike", "rows[4].position_date"));
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);
}

TEST_P(IngestServiceTest, UnknownFundsAndDuplicateRowsAreFieldViolations) {
  Uploaded unknown =
      Positions(Header("pos-unknown"), {SwapRow(101, "A", "1.00"), SwapRow(999, "B", "1.00")});
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(unknown.status), ElementsAre("rows[1].fund_id"));
  Uploaded twice = Navs(Header("nav-dup"), {NavRow(101, "1.00"), NavRow(101, "2.00")});
  EXPECT_THAT(ViolatedFields(twice.status), ElementsAre("rows[1].fund_id"));
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);
  EXPECT_EQ(Versions(SnapshotKind::kNavSnapshot), 0u);
}

TEST_P(IngestServiceTest, ViolationsAreCutShortToFitTheStatusTrailers) {
  std::vector<v1::Position> rows(300, SwapRow(101, "SW", "1.00"));
  for (auto& row : rows) row.set_quantity("one");
  Uploaded up = Positions(Header("pos-many"), rows, "", 50);
  ASSERT_EQ(up.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << up.status.error_message();
  std::vector<std::string> fields = ViolatedFields(up.status);
  ASSERT_GE(fields.size(), 10u);
  EXPECT_LE(fields.size(), 101u);
  EXPECT_EQ(fields[fields.size() - 2], absl::StrCat("rows[", fields.size() - 2, "].quantity"));
  EXPECT_EQ(fields.back(), "rows");  // "more violations not shown"
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);
}

TEST_P(IngestServiceTest, EmptyUploadIsQuarantinedAndChangesNothing) {
  ASSERT_TRUE(Positions(Header("pos-1"), {SwapRow(101, "SW1", "1.00")}).status.ok());
  Uploaded empty = Positions(Header("pos-empty"), {});
  EXPECT_EQ(empty.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 1u);
  EXPECT_EQ(ReadPositions(101).positions(0).market_value(), "1.00");
  auto findings = server_->store().ListFindings({.rule = "QUARANTINED_FEED"}, db::Page{0, 10});
  ASSERT_TRUE(findings.ok()) << findings.status();
  EXPECT_THAT(*findings, SizeIs(1));
}

TEST_P(IngestServiceTest, HeaderMustComeFirstOnceAndBeValid) {
  Uploaded missing = Positions(std::nullopt, {SwapRow(101, "SW1", "1.00")});
  EXPECT_EQ(missing.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(missing.status), ElementsAre("header"));
  v1::UploadHeader bad = Header("no spaces allowed", "2026-11-25");
  bad.clear_source();
  Uploaded invalid = Positions(bad, {SwapRow(101, "SW1", "1.00")});
  EXPECT_THAT(ViolatedFields(invalid.status),
              ElementsAre("header.request_id", "header.reference_date", "header.source"));
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);
}

TEST_P(IngestServiceTest, TooManyRowsIsResourceExhausted) {
  std::vector<v1::Position> rows(kMaxRows + 1, SwapRow(101, "SW", "1.00"));
  Uploaded up = Positions(Header("pos-huge"), rows, "", 500);
  EXPECT_EQ(up.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);
}

TEST_P(IngestServiceTest, OnlyServiceAndAdminKeysMayUpload) {
  std::vector<v1::Position> rows = {SwapRow(101, "SW1", "1.00")};
  EXPECT_EQ(Positions(Header("m"), rows, server_->CreateKey(Role::kManager, 1)).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Positions(Header("a"), rows, server_->CreateKey(Role::kAnalyst)).status.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Positions(Header("x"), rows, "rk_not_a_key").status.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Versions(SnapshotKind::kPositions), 0u);
  Uploaded admin = Positions(Header("adm"), rows, server_->CreateKey(Role::kAdmin));
  EXPECT_TRUE(admin.status.ok()) << admin.status.error_message();
}

TEST_P(IngestServiceTest, NoKeyIsUnauthenticatedAndCounted) {
  grpc::ClientContext ctx;
  v1::UploadResponse response;
  auto writer = ingest_->UploadPositions(&ctx, &response);
  v1::UploadPositionsRequest first;
  *first.mutable_header() = Header("anon");
  writer->Write(first);
  writer->WritesDone();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Counted per peer and minute, not audited one row per call (docs/security.md).
  auto audit = server_->store().ListAudit(db::Page{0, 10});
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_THAT(*audit, SizeIs(0));
  ASSERT_TRUE(server_->auth().FlushFailures().ok());
  auto failures = server_->store().ListAuthFailures(absl::InfinitePast());
  ASSERT_TRUE(failures.ok()) << failures.status();
  ASSERT_THAT(*failures, SizeIs(1));
  EXPECT_EQ(failures->front().method, "IngestService/UploadPositions");
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(IngestServiceTest);

}  // namespace
}  // namespace riskcap::server
