// IngestService with uploads large enough to be spooled in many runs, on both backends: a bad
// row in a late chunk leaves nothing behind; a 50,000-row upload round-trips in canonical order with
// the content hash core/canonical.h defines for the whole batch; replays and no-ops still hold.
#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "core/canonical.h"
#include "db/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "riskcap/v1/ingest.grpc.pb.h"
#include "server/ingest/ingest_service.h"
#include "server/snapshots/convert_snapshot.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_server.h"

namespace riskcap::server {
namespace {

using riskcap::testing::TestServer;
using riskcap::testing::ViolatedFields;
using ::testing::ElementsAre;

constexpr char kDay[] = "2026-11-23";  // the fake clock's today is 2026-11-24
constexpr int kRows = 50'000;
constexpr size_t kRowsPerMessage = 1'000;

// Row i: funds 101 and 201 alternate; every third row is a swap with optional fields set.
v1::Position Row(int i) {
  v1::Position p;
  p.set_fund_id(i % 2 == 0 ? 101 : 201);
  p.set_position_date(kDay);
  p.set_asset_nickname(absl::StrCat("asset ", i % 977));
  p.set_asset_code(absl::StrCat("A", i));
  p.set_asset_type_code(i % 3 == 0 ? "SWAP" : "TPF");
  p.set_classification(i % 3 == 0 ? v1::POSITION_CLASSIFICATION_OTC_SWAP
                                  : v1::POSITION_CLASSIFICATION_OTHER);
  p.set_quantity(absl::StrCat(i % 101 - 50));
  p.set_price(absl::StrCat(i % 1000, ".25"));
  p.set_notional("0");
  p.set_market_value(absl::StrCat(i % 7919, ".5"));
  if (i % 3 == 0) {
    p.set_asset_leg_balance(absl::StrCat(i, ".000001"));
    p.set_liability_leg_balance(absl::StrCat("-", i));
    p.set_otc_asset_class(v1::OTC_ASSET_CLASS_IR);
    p.set_start_date("2026-01-02");
    p.set_end_date("2028-01-03");
    p.set_direction(v1::TRADE_DIRECTION_SHORT);
    p.mutable_strike()->set_value(0.1 * i);
    p.set_currency("BRL");
  }
  return p;
}

std::vector<v1::Position> Rows(int n) {
  std::vector<v1::Position> rows;
  rows.reserve(n);
  for (int i = 0; i < n; ++i) rows.push_back(Row(i));
  return rows;
}

// The hash of the batch by its definition: SHA-256 of every row's canonical line, sorted.
std::string DefinedHash(const std::vector<v1::Position>& rows) {
  std::vector<Position> core;
  FieldErrors errors;
  for (const v1::Position& p : rows) core.push_back(PositionFromProto(p, "rows[i]", errors));
  EXPECT_TRUE(errors.empty()) << errors.ToStatus();
  return db::Sha256Hex(CanonicalBatch(core));
}

struct Uploaded {
  grpc::Status status;
  v1::UploadResponse response;
};

class IngestStreamingTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = TestServer::Start(GetParam(), [](RpcEnv& env) {
      std::vector<std::unique_ptr<grpc::Service>> services;
      // Runs of 4,096 rows: a 50,000-row upload is spooled as 13 runs.
      services.push_back(std::make_unique<IngestServiceImpl>(
          env, IngestLimits{.max_rows = 100'000, .spool_run_rows = 4'096}));
      return services;
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    ingest_ = v1::IngestService::NewStub(server_->channel());
    service_ = server_->CreateKey(Role::kService);
  }

  Uploaded Upload(const std::string& request_id, const std::vector<v1::Position>& rows,
                  size_t per_message = kRowsPerMessage) {
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, service_);
    Uploaded out;
    auto writer = ingest_->UploadPositions(&ctx, &out.response);
    v1::UploadPositionsRequest message;
    v1::UploadHeader* h = message.mutable_header();
    h->set_request_id(request_id);
    h->set_reference_date(kDay);
    h->set_source("test");
    bool open = writer->Write(message);
    for (size_t i = 0; open && i < rows.size(); i += per_message) {
      message.Clear();
      for (size_t j = i; j < std::min(rows.size(), i + per_message); ++j) {
        *message.mutable_rows()->add_rows() = rows[j];
      }
      open = writer->Write(message);
    }
    writer->WritesDone();
    out.status = writer->Finish();
    return out;
  }

  size_t Versions() {
    auto v = server_->store().ListSnapshotVersions(SnapshotKind::kPositions, Date(2026, 11, 23));
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? v->size() : 0;
  }

  size_t JobRuns() {
    auto runs = server_->store().ListJobRuns({"positions", std::nullopt, std::nullopt},
                                             db::Page{0, 100});
    EXPECT_TRUE(runs.ok()) << runs.status();
    return runs.ok() ? runs->size() : 0;
  }

  int64_t PositionRowsInStore() {
    auto count = testing::QueryInt(server_->store(), "SELECT COUNT(*) FROM positions");
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::string service_;
};

TEST_P(IngestStreamingTest, ABadRowInALateChunkRejectsTheWholeUploadAndLeavesNothing) {
  std::vector<v1::Position> rows = Rows(kRows);
  rows[kRows - 7].set_quantity("1.2345678");  // in the last message, after 12 spooled runs
  Uploaded up = Upload("late-bad", rows);
  EXPECT_EQ(up.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << up.status.error_message();
  EXPECT_THAT(ViolatedFields(up.status), ElementsAre(absl::StrCat("rows[", kRows - 7, "].quantity")));
  EXPECT_EQ(Versions(), 0u);
  EXPECT_EQ(JobRuns(), 0u);  // not even a FAILED one: nothing was attempted
  EXPECT_EQ(PositionRowsInStore(), 0);
}

TEST_P(IngestStreamingTest, AnUnknownFundInALateChunkRejectsTheWholeUpload) {
  std::vector<v1::Position> rows = Rows(kRows);
  rows[kRows - 1].set_fund_id(999);
  Uploaded up = Upload("late-unknown", rows);
  EXPECT_EQ(up.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(up.status), ElementsAre(absl::StrCat("rows[", kRows - 1, "].fund_id")));
  EXPECT_EQ(Versions(), 0u);
  EXPECT_EQ(JobRuns(), 0u);
  EXPECT_EQ(PositionRowsInStore(), 0);
}

TEST_P(IngestStreamingTest, LargeUploadRoundTripsInCanonicalOrderWithTheDefinedHash) {
  std::vector<v1::Position> rows = Rows(kRows);
  Uploaded up = Upload("big-1", rows);
  ASSERT_TRUE(up.status.ok()) << up.status.error_message();
  EXPECT_EQ(up.response.row_count(), kRows);
  EXPECT_FALSE(up.response.replayed());
  EXPECT_EQ(up.response.content_hash(), DefinedHash(rows));
  EXPECT_EQ(PositionRowsInStore(), kRows);

  // Every row reads back equal, in the batch's canonical order (row numbers 1..n).
  FieldErrors errors;
  std::vector<Position> core;
  for (const v1::Position& p : rows) core.push_back(PositionFromProto(p, "rows[i]", errors));
  const std::vector<size_t> order = CanonicalOrder(core);
  int64_t next = 0;
  for (db::Page page{0, 5'000};;) {
    std::vector<int64_t> numbers;
    auto got = server_->store().ListPositions(up.response.load_id(), std::nullopt, page, &numbers);
    ASSERT_TRUE(got.ok()) << got.status();
    for (size_t k = 0; k < got->size(); ++k) {
      ASSERT_EQ(numbers[k], next + 1);
      ASSERT_EQ((*got)[k], core[order[next]]) << "row " << next;
      ++next;
    }
    if (got->size() < static_cast<size_t>(page.limit)) break;
    page.after_id = numbers.back();
  }
  EXPECT_EQ(next, kRows);

  auto run = server_->store().GetJobRun(up.response.job_run_id());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->state, JobState::kSucceeded);
  EXPECT_EQ(run->rows_read, kRows);
  EXPECT_EQ(run->rows_written, kRows);
}

TEST_P(IngestStreamingTest, LargeUploadsReplayAndIdenticalContentIsANoOp) {
  std::vector<v1::Position> rows = Rows(kRows);
  Uploaded first = Upload("big-1", rows);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();

  Uploaded replay = Upload("big-1", rows, 777);  // same request id, other chunking
  ASSERT_TRUE(replay.status.ok()) << replay.status.error_message();
  EXPECT_TRUE(replay.response.replayed());
  EXPECT_EQ(replay.response.load_id(), first.response.load_id());

  std::reverse(rows.begin(), rows.end());  // same content, another order: same hash
  Uploaded same = Upload("big-2", rows);
  ASSERT_TRUE(same.status.ok()) << same.status.error_message();
  EXPECT_TRUE(same.response.replayed());
  EXPECT_EQ(same.response.content_hash(), first.response.content_hash());
  EXPECT_EQ(same.response.load_id(), first.response.load_id());

  rows.front().set_market_value("1.00");  // one row differs: a new version
  Uploaded changed = Upload("big-3", rows);
  ASSERT_TRUE(changed.status.ok()) << changed.status.error_message();
  EXPECT_FALSE(changed.response.replayed());
  EXPECT_EQ(changed.response.version(), 2);
  EXPECT_EQ(Versions(), 2u);
  EXPECT_EQ(PositionRowsInStore(), 2 * kRows);

  // A row fewer cannot be the current content: hashed in the same pass that writes it, with the
  // hash the definition gives, recorded on the version and on the run; a replay still finds it.
  rows.pop_back();
  Uploaded shorter = Upload("big-4", rows);
  ASSERT_TRUE(shorter.status.ok()) << shorter.status.error_message();
  EXPECT_FALSE(shorter.response.replayed());
  EXPECT_EQ(shorter.response.version(), 3);
  EXPECT_EQ(shorter.response.content_hash(), DefinedHash(rows));
  auto version = server_->store().GetSnapshotVersion(SnapshotKind::kPositions, Date(2026, 11, 23), 3);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->content_hash, shorter.response.content_hash());
  auto run = server_->store().GetJobRun(shorter.response.job_run_id());
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->output_hash, shorter.response.content_hash());
  Uploaded again = Upload("big-4", rows, 999);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_TRUE(again.response.replayed());
  EXPECT_EQ(again.response.load_id(), shorter.response.load_id());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(IngestStreamingTest);

}  // namespace
}  // namespace riskcap::server
