// Tests of the backup (db/backup.cc): round trips between the backends compared row by row, the
// SQLite target's all-or-nothing file replacement, the PostgreSQL target's emptiness rule, and
// cancellation.
#include "db/backup.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "db/internal/backup_schema.h"
#include "db/internal/migrator.h"
#include "gtest/gtest.h"
#include "tests/testing/backup_fixture.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

namespace fs = std::filesystem;
using db::Backend;
using db::BackupOptions;
using db::BackupReport;

std::unique_ptr<db::Store> OpenStore(const std::string& url) {
  auto store = db::Store::Open(url, 2);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

// Compares every table of both stores row by row through DumpTable.
void ExpectSameRows(db::Store& a, db::Store& b) {
  for (const std::string& table : kBackedUpTables) {
    std::vector<std::string> rows_a = DumpTable(a, table), rows_b = DumpTable(b, table);
    EXPECT_FALSE(rows_a.empty()) << table << " has no rows: the fixture must fill every table";
    EXPECT_EQ(rows_a, rows_b) << "table " << table << " differs";
  }
}

void ExpectReportCounts(const BackupReport& report, db::Store& store) {
  std::vector<std::string> names;
  int64_t total = 0;
  for (const db::TableReport& t : report.tables) {
    names.push_back(t.table);
    EXPECT_EQ(t.rows, static_cast<int64_t>(DumpTable(store, t.table).size())) << t.table;
    EXPECT_EQ(t.sha256.size(), 64u);
    total += t.rows;
  }
  EXPECT_EQ(names, kBackedUpTables) << "the backup must copy exactly every table of the schema";
  EXPECT_EQ(report.total_rows, total);
  EXPECT_EQ(report.schema_version, db::MigrationsFor(store.backend()).back().version);
}

class BackupRoundTrip : public StoreTest {};

TEST_P(BackupRoundTrip, EveryTableArrivesInASqliteFileRowForRow) {
  FillEveryTable(store(), /*positions=*/2500);
  ScratchDir dir;
  std::string file = dir.File("backup.db");
  BackupOptions options;
  options.chunk_rows = 1000;  // positions spans three chunks
  std::vector<int64_t> progress;
  options.progress = [&](std::string_view, int64_t done, int64_t expected) {
    progress.push_back(done);
    EXPECT_LE(done, expected);
  };
  auto report = db::Backup(store(), "sqlite:" + file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"backup.db"})) << "no lock file is left";
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write)
      << "a backup holds every API key hash: readable by the server's user only";
  EXPECT_EQ(progress.back(), report->total_rows);

  auto copy = OpenStore("sqlite:" + file);
  ASSERT_NE(copy, nullptr);
  ExpectSameRows(store(), *copy);
  ExpectReportCounts(*report, *copy);
  auto rehashed = db::HashStore(*copy);
  ASSERT_TRUE(rehashed.ok()) << rehashed.status();
  EXPECT_EQ(rehashed->content_hash, report->content_hash);
  auto source_hash = db::HashStore(store());
  ASSERT_TRUE(source_hash.ok()) << source_hash.status();
  EXPECT_EQ(source_hash->content_hash, report->content_hash);
}

TEST_P(BackupRoundTrip, ASecondBackupReplacesTheFileAndSameDataHashesTheSame) {
  FillEveryTable(store());
  ScratchDir dir;
  std::string url = "sqlite:" + dir.File("b.db");
  auto first = db::Backup(store(), url);
  ASSERT_TRUE(first.ok()) << first.status();
  auto same = db::Backup(store(), url);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->content_hash, first->content_hash);
  ASSERT_TRUE(store().CreateManager({0, "Nova", "55555555000105"}).ok());
  auto changed = db::Backup(store(), url);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE(changed->content_hash, first->content_hash);
  auto copy = OpenStore(url);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(DumpTable(*copy, "managers").size(), 3u);
}

TEST_P(BackupRoundTrip, CopiesOnePointInTimeWhileTheSourceKeepsChanging) {
  FillEveryTable(store());
  auto before = db::HashStore(store());
  ASSERT_TRUE(before.ok()) << before.status();
  ScratchDir dir;
  std::string url = "sqlite:" + dir.File("b.db");
  BackupOptions options;
  options.after_table = [&](std::string_view table) {
    if (table != "api_keys" && table != "asset_types")
      return;  // early tables: managers comes later
    std::string tax_id = table == "api_keys" ? "88888888000108" : "99999999000109";
    ASSERT_TRUE(store().CreateManager({0, "Durante " + std::string(table), tax_id}).ok());
    ASSERT_TRUE(store().AppendAudit({0, kBackupT0, "x", "m", "r", "OK", "during"}).ok());
  };
  auto report = db::Backup(store(), url, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->content_hash, before->content_hash);
  auto copy = OpenStore(url);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(DumpTable(*copy, "managers").size(), 2u);
  EXPECT_EQ(DumpTable(store(), "managers").size(), 4u);
}

TEST_P(BackupRoundTrip, CancelledBackupLeavesThePreviousFile) {
  FillEveryTable(store(), /*positions=*/50);
  ScratchDir dir;
  std::string url = "sqlite:" + dir.File("b.db");
  auto previous = db::Backup(store(), url);
  ASSERT_TRUE(previous.ok()) << previous.status();
  ASSERT_TRUE(store().CreateManager({0, "Nova", "55555555000105"}).ok());
  BackupOptions options;
  options.chunk_rows = 10;
  int checkpoints = 0;
  options.checkpoint = [&] {
    return ++checkpoints > 5 ? absl::CancelledError("cancelled while copying") : absl::OkStatus();
  };
  auto cancelled = db::Backup(store(), url, options);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"b.db"}));
  auto kept = OpenStore(url);
  ASSERT_NE(kept, nullptr);
  auto kept_hash = db::HashStore(*kept);
  ASSERT_TRUE(kept_hash.ok()) << kept_hash.status();
  EXPECT_EQ(kept_hash->content_hash, previous->content_hash);
}

TEST_P(BackupRoundTrip, LeftoversOfAKilledRunAreRemovedAndABackupInProgressIsNotDisturbed) {
  FillEveryTable(store());
  ScratchDir dir;
  std::string file = dir.File("b.db");
  std::ofstream(file + ".partial") << "half a database from a killed run";
  std::ofstream(file + ".partial-journal") << "its journal";
  BackupOptions options;
  absl::Status concurrent;
  options.after_table = [&](std::string_view) {
    if (!concurrent.ok()) return;
    concurrent = db::Backup(store(), "sqlite:" + file).status();
    if (concurrent.ok()) concurrent = absl::InternalError("second backup ran concurrently");
  };
  auto report = db::Backup(store(), "sqlite:" + file, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(concurrent.code(), absl::StatusCode::kFailedPrecondition) << concurrent;
  EXPECT_EQ(dir.Names(), (std::vector<std::string>{"b.db"}));
}

TEST_P(BackupRoundTrip, RefusesTheSourceItselfAnInMemoryTargetAndAMissingDirectory) {
  EXPECT_EQ(db::Backup(store(), "sqlite::memory:").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db::Backup(store(), scratch_->url()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db::Backup(store(), "sqlite:/nonexistent-riskcap-dir/b.db").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Whoever names the target (the operator's command included), a backup never overwrites a file
// that is not a SQLite database, never writes through a symbolic link, and never touches the
// files of the SQLite store it copies; nothing is created when it refuses.
TEST_P(BackupRoundTrip, RefusesNonDatabaseFilesSymlinksAndTheStoresOwnFiles) {
  FillEveryTable(store());
  ScratchDir dir;
  std::ofstream(dir.File("victim.txt")) << "not a database";
  fs::create_symlink(dir.File("elsewhere.db"), dir.File("link.db"));
  fs::create_directory(dir.File("sub.db"));
  std::vector<std::string> refused = {"sqlite:" + dir.File("victim.txt"),
                                      "sqlite:" + dir.File("link.db"),
                                      "sqlite:" + dir.File("sub.db")};
  if (GetParam() == Backend::kSqlite) {
    const std::string own = scratch_->url();  // sqlite:/tmp/riskcap_test_....db
    for (const char* suffix : {"-wal", "-shm", "-journal"}) refused.push_back(own + suffix);
    fs::create_hard_link(own.substr(7), dir.File("hardlink.db"));
    refused.push_back("sqlite:" + dir.File("hardlink.db"));
  }
  const std::vector<std::string> before = dir.Names();
  for (const std::string& url : refused) {
    auto report = db::Backup(store(), url);
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument) << url << report.status();
  }
  EXPECT_EQ(dir.Names(), before) << "a refused backup creates nothing, not even a lock";
  std::ifstream victim(dir.File("victim.txt"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(victim), {}), "not a database");
  EXPECT_FALSE(fs::exists(dir.File("elsewhere.db")));
}

// The backup's own job run is RUNNING while it copies; the copy records it SUCCEEDED, so a store
// restored from it holds no run that looks alive.
TEST_P(BackupRoundTrip, TheBackupsOwnRunIsRecordedFinishedInTheCopy) {
  FillEveryTable(store());
  JobRun run;
  run.job = "backup";
  run.reference_date = Date(2024, 3, 29);
  run.params_json = "{}";
  run.queued_at = kBackupT0;
  run.started_at = kBackupT0;
  run.state = JobState::kRunning;
  run.triggered_by = "admin";
  JobRun own = Check(store().CreateJobRun(run), "run");
  ScratchDir dir;
  std::string url = "sqlite:" + dir.File("b.db");
  BackupOptions options;
  options.own_run_id = own.id;
  options.own_run_finished_at = kBackupT0 + absl::Seconds(5);
  auto report = db::Backup(store(), url, options);
  ASSERT_TRUE(report.ok()) << report.status();

  auto copy = OpenStore(url);
  ASSERT_NE(copy, nullptr);
  auto copied = copy->GetJobRun(own.id);
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(copied->state, JobState::kSucceeded);
  EXPECT_EQ(copied->finished_at, kBackupT0 + absl::Seconds(5));
  auto source = store().GetJobRun(own.id);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->state, JobState::kRunning) << "the source is only read";
  auto rehashed = db::HashStore(*copy);
  ASSERT_TRUE(rehashed.ok()) << rehashed.status();
  EXPECT_EQ(rehashed->content_hash, report->content_hash) << "the report describes the copy";
}

TEST_P(BackupRoundTrip, PostgresTargetGetsEveryRowAndFreshIds) {
  FillEveryTable(store(), /*positions=*/1200);
  auto target_db = ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(target_db.ok()) << target_db.status();
  BackupOptions options;
  options.chunk_rows = 500;
  auto report = db::Backup(store(), (*target_db)->url(), options);
  ASSERT_TRUE(report.ok()) << report.status();
  auto target = OpenStore((*target_db)->url());
  ASSERT_NE(target, nullptr);
  ExpectSameRows(store(), *target);
  ExpectReportCounts(*report, *target);
  // Identity sequences moved past the copied ids: the restored store takes new rows.
  auto manager = target->CreateManager({0, "Depois", "66666666000106"});
  ASSERT_TRUE(manager.ok()) << manager.status();
  EXPECT_EQ(manager->id, 3);
}

TEST_P(BackupRoundTrip, NonEmptyPostgresTargetIsRefusedUnlessReplaceIsGiven) {
  FillEveryTable(store());
  auto target_db = ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(target_db.ok()) << target_db.status();
  auto target = OpenStore((*target_db)->url());
  ASSERT_NE(target, nullptr);
  ASSERT_TRUE(target->Migrate().ok());
  ASSERT_TRUE(target->CreateManager({0, "Outra", "77777777000107"}).ok());
  ASSERT_TRUE(target->AppendAudit({0, kBackupT0, "x", "m", "r", "OK", "old"}).ok());

  auto refused = db::Backup(store(), (*target_db)->url());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_EQ(DumpTable(*target, "managers").size(), 1u);
  EXPECT_TRUE(DumpTable(*target, "funds").empty());

  BackupOptions replace;
  replace.replace = true;
  auto replaced = db::Backup(store(), (*target_db)->url(), replace);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  ExpectSameRows(store(), *target);
}

TEST_P(BackupRoundTrip, CancelledPostgresBackupAppliesNothing) {
  FillEveryTable(store(), /*positions=*/50);
  auto target_db = ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(target_db.ok()) << target_db.status();
  BackupOptions options;
  options.chunk_rows = 10;
  int checkpoints = 0;
  options.checkpoint = [&] {
    return ++checkpoints > 8 ? absl::CancelledError("cancelled") : absl::OkStatus();
  };
  auto cancelled = db::Backup(store(), (*target_db)->url(), options);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  auto target = OpenStore((*target_db)->url());
  ASSERT_NE(target, nullptr);
  for (const std::string& table : kBackedUpTables) {
    EXPECT_TRUE(DumpTable(*target, table).empty()) << table;
  }
}

// positions names funds and snapshot_versions by foreign keys on SQLite and by column comments on
// PostgreSQL (migration 0008 checks them by triggers): either way it is copied after both, so a
// PostgreSQL target's triggers accept each chunk as it arrives.
TEST_P(BackupRoundTrip, PositionsAreCopiedAfterTheFundsAndVersionsTheyName) {
  auto tables = store().database().Read([&](soci::session& s) {
    return db::ReadBackupSchema(GetParam(), s);
  });
  ASSERT_TRUE(tables.ok()) << tables.status();
  std::map<std::string, size_t> position;
  for (size_t i = 0; i < tables->size(); ++i) position[(*tables)[i].name] = i;
  ASSERT_EQ(position.count("positions"), 1u);
  EXPECT_LT(position.at("funds"), position.at("positions"));
  EXPECT_LT(position.at("snapshot_versions"), position.at("positions"));
  EXPECT_TRUE((*tables)[position.at("positions")].deferred.empty());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(BackupRoundTrip);

// The restore path: a SQLite backup file loaded into an empty PostgreSQL database.
TEST(BackupRestore, SqliteBackupFileRestoresIntoPostgresRowForRow) {
  auto original_db = ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(original_db.ok()) << original_db.status();
  auto original = OpenStore((*original_db)->url());
  ASSERT_NE(original, nullptr);
  ASSERT_TRUE(original->Migrate().ok());
  FillEveryTable(*original, 300);
  ScratchDir dir;
  std::string file_url = "sqlite:" + dir.File("nightly.db");
  auto backup = db::Backup(*original, file_url);
  ASSERT_TRUE(backup.ok()) << backup.status();

  auto file = OpenStore(file_url);
  ASSERT_NE(file, nullptr);
  auto restored_db = ScratchDatabase::Create(Backend::kPostgresql);
  ASSERT_TRUE(restored_db.ok()) << restored_db.status();
  auto restore = db::Backup(*file, (*restored_db)->url());
  ASSERT_TRUE(restore.ok()) << restore.status();
  EXPECT_EQ(restore->content_hash, backup->content_hash);
  auto restored = OpenStore((*restored_db)->url());
  ASSERT_NE(restored, nullptr);
  ExpectSameRows(*original, *restored);
}

TEST(BackupSchema, ReferencedTablesComeFirstAndCyclesAreDeferred) {
  // "0" depends on the cycle but is not in it: it must not be where the cycle breaks.
  std::vector<db::TableSchema> tables = {
      {"0", {"a_id", "id"}, {"id"}, {}, {}},
      {"b", {"a_id", "id"}, {"id"}, {}, {}},
      {"a", {"id", "parent_id", "z_id"}, {"id"}, {}, {}},
      {"z", {"a_id", "id"}, {"id"}, {}, {}},
  };
  std::vector<db::ForeignKey> keys = {{"0", "a_id", "a"},
                                      {"b", "a_id", "a"},
                                      {"a", "parent_id", "a"},
                                      {"a", "z_id", "z"},
                                      {"z", "a_id", "a"}};
  std::vector<db::TableSchema> ordered = db::OrderForCopy(tables, keys);
  ASSERT_EQ(ordered.size(), 4u);
  EXPECT_EQ(ordered[0].name, "a");  // a and z reference each other: the cycle breaks at "a"
  EXPECT_EQ(ordered[0].deferred, (std::vector<std::string>{"parent_id", "z_id"}));
  EXPECT_EQ(ordered[1].name, "0");
  EXPECT_EQ(ordered[2].name, "b");
  EXPECT_EQ(ordered[3].name, "z");
  for (size_t i = 1; i < ordered.size(); ++i) EXPECT_TRUE(ordered[i].deferred.empty()) << i;
}

}  // namespace
}  // namespace riskcap::testing
