// Migration 0010 on both backends: upload runs recorded before job_runs.request_id existed get
// their request id from params_json, so a retried upload still replays after the upgrade; other
// runs are left as they are.
#include <string>

#include "db/internal/database.h"
#include "db/internal/migrator.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

using db::Backend;

class UploadRequestIdsMigration : public ::testing::TestWithParam<Backend> {};

TEST_P(UploadRequestIdsMigration, UploadRunsGetTheirRequestIdFromTheirParameters) {
  auto scratch = ScratchDatabase::Create(GetParam());
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  auto opened = db::Store::Open((*scratch)->url(), 2);
  ASSERT_TRUE(opened.ok()) << opened.status();
  db::Store& store = **opened;
  auto at9 = db::MigrateUpTo(store.database(), 9);
  ASSERT_TRUE(at9.ok()) << at9.status();
  ASSERT_EQ(*at9, 9);
  // (job, params_json) as riskcap recorded them before 0003, request_id left at its default.
  const std::pair<const char*, const char*> runs[] = {
      {"positions", R"({"request_id":"pos-1","source":"custodian"})"},
      {"nav_history", R"({"request_id":"hist-7","source":"admin"})"},
      {"margin_status", R"({"request_id":"not-an-upload"})"},
      {"nav_snapshot", "{}"},
  };
  ASSERT_TRUE(store.database()
                  .Write([&](soci::session& s) -> absl::Status {
                    int day = 1;
                    for (const auto& [job, params] : runs) {
                      std::string j = job, p = params;
                      std::string date = "2026-03-0" + std::to_string(day++);
                      s << "INSERT INTO job_runs (job, reference_date, params_json, state,"
                           " queued_at_us, triggered_by) VALUES (:job, :date, :params,"
                           " 'SUCCEEDED', 0, 'test')",
                          soci::use(j), soci::use(date), soci::use(p);
                    }
                    return absl::OkStatus();
                  })
                  .ok());

  auto latest = store.Migrate();
  ASSERT_TRUE(latest.ok()) << latest.status();
  ASSERT_GE(*latest, 10);
  auto ids = store.database().Read([](soci::session& s) -> absl::StatusOr<std::string> {
    std::string out;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT job, request_id FROM job_runs ORDER BY id");
    for (const soci::row& r : rows) {
      out += r.get<std::string>(0) + "=" + r.get<std::string>(1) + ";";
    }
    return out;
  });
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(*ids, "positions=pos-1;nav_history=hist-7;margin_status=;nav_snapshot=;");
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(UploadRequestIdsMigration);

}  // namespace
}  // namespace riskcap::testing
