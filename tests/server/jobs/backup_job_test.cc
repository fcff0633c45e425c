// Tests of the backup job (server/jobs/backup_job.cc) run through its JobContext, and of the
// operator's `riskcapd backup` command (server/daemon/backup_command.cc) as a real child process,
// including one killed mid-way (the same copy, held after a table by tests/pausing_backup).
#include "server/jobs/backup_job.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "core/field_errors.h"
#include "db/backup.h"
#include "db/store_url.h"
#include "gtest/gtest.h"
#include "server/admin/audit_signing_key.h"
#include "tests/testing/backup_fixture.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

namespace fs = std::filesystem;
using server::jobs::JobContext;
using server::jobs::JobOutput;

std::string HashOfFile(const std::string& path) {
  auto store = db::Store::Open("sqlite:" + path, 1);
  if (!store.ok()) return store.status().ToString();
  auto report = db::HashStore(**store);
  return report.ok() ? report->content_hash : report.status().ToString();
}

std::vector<std::string> ViolatedFieldsOf(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

// The content_hash of the summary line `riskcapd backup` prints.
std::string PrintedHash(const std::string& out) {
  size_t at = out.find("content_hash=");
  return at == std::string::npos ? "" : out.substr(at + 13, 64);
}

class BackupJobTest : public StoreTest {
 protected:
  // The job as riskcapd configures it: RISKCAP_BACKUP_URL = `configured_url`, RISKCAP_BACKUP_DIR =
  // the test's directory, RISKCAP_DB = the test's store.
  std::unique_ptr<server::jobs::Job> MakeJob(const std::string& configured_url = "") {
    return server::jobs::MakeBackupJob({configured_url, dir_.path().string(), scratch_->url()});
  }

  absl::StatusOr<JobOutput> RunJob(std::map<std::string, std::string> params,
                                   JobContext::Hooks hooks = {},
                                   const std::string& configured_url = "") {
    JobContext context(store(), clock_, rules_, /*run_id=*/0, "backup", Date(2024, 3, 28),
                       std::move(params), std::move(hooks));
    return MakeJob(configured_url)->Run(context);
  }

  FakeClock clock_{kBackupT0};
  rules::RulesConfig rules_;
  ScratchDir dir_;
};

TEST_P(BackupJobTest, CopiesEveryTableAndReportsProgressAndTheContentHash) {
  FillEveryTable(store(), /*positions=*/5000);
  std::string file = dir_.File("job.db");
  std::vector<std::string> phases;
  int64_t last_done = 0, expected = 0;
  JobContext::Hooks hooks;
  hooks.progress = [&](std::string_view phase, int64_t done, int64_t rows_expected) {
    phases.emplace_back(phase);
    if (done > 0) {
      last_done = done;
      expected = rows_expected;
    }
  };
  auto output = RunJob({{"target", "job.db"}}, hooks);
  ASSERT_TRUE(output.ok()) << output.status();
  auto source = db::HashStore(store());
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(output->content_hash, source->content_hash);
  EXPECT_EQ(HashOfFile(file), source->content_hash);
  EXPECT_EQ(output->rows_read, source->total_rows);
  EXPECT_EQ(output->rows_written, source->total_rows);
  EXPECT_TRUE(absl::StrContains(output->summary, file)) << output->summary;
  EXPECT_EQ(last_done, source->total_rows);
  EXPECT_EQ(expected, source->total_rows);
  EXPECT_NE(std::find(phases.begin(), phases.end(), "copying positions"), phases.end());

  auto again = RunJob({}, {}, /*configured_url=*/"sqlite:" + file);  // RISKCAP_BACKUP_URL
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->content_hash, output->content_hash) << "same data, same hash";
}

TEST_P(BackupJobTest, CancelledRunLeavesThePreviousBackupFile) {
  FillEveryTable(store(), /*positions=*/20000);
  std::string file = dir_.File("job.db");
  auto previous = RunJob({{"target", "job.db"}});
  ASSERT_TRUE(previous.ok()) << previous.status();
  ASSERT_TRUE(store().CreateManager({0, "Nova", "55555555000105"}).ok());
  int progress_calls = 0;
  JobContext::Hooks hooks;
  hooks.progress = [&](std::string_view, int64_t, int64_t) { ++progress_calls; };
  hooks.cancel_requested = [&] { return progress_calls >= 3; };  // after the first tables
  auto cancelled = RunJob({{"target", "job.db"}}, hooks);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  EXPECT_EQ(HashOfFile(file), previous->content_hash);
  EXPECT_FALSE(fs::exists(file + ".partial"));
}

TEST_P(BackupJobTest, CancelledRunIntoPostgresAppliesNothing) {
  FillEveryTable(store(), /*positions=*/20000);
  auto target = ScratchDatabase::Create(db::Backend::kPostgresql);
  ASSERT_TRUE(target.ok()) << target.status();
  int progress_calls = 0;
  JobContext::Hooks hooks;
  hooks.progress = [&](std::string_view, int64_t, int64_t) { ++progress_calls; };
  hooks.cancel_requested = [&] { return progress_calls >= 3; };
  auto cancelled = RunJob({}, hooks, /*configured_url=*/(*target)->url());
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  auto opened = db::Store::Open((*target)->url(), 1);
  ASSERT_TRUE(opened.ok()) << opened.status();
  for (const std::string& table : kBackedUpTables) {
    EXPECT_TRUE(DumpTable(**opened, table).empty()) << table;
  }
}

TEST_P(BackupJobTest, NeedsATargetAndRefusesReplace) {
  EXPECT_EQ(RunJob({}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RunJob({{"target", "x.db"}, {"replace", "true"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunJob({{"target", "mysql://x"}}).status().code(), absl::StatusCode::kInvalidArgument);
  auto job = MakeJob();
  EXPECT_EQ(ViolatedFieldsOf(job->CheckParameters({})), (std::vector<std::string>{
                                                             "parameters.target"}));
  for (const char* replace : {"true", "yes"}) {
    EXPECT_EQ(ViolatedFieldsOf(job->CheckParameters({{"target", "x.db"}, {"replace", replace}})),
              (std::vector<std::string>{"parameters.replace"}))
        << replace;
  }
  EXPECT_TRUE(job->CheckParameters({{"target", "x.db"}, {"replace", "false"}}).ok());
}

// Only the operator's targets: RISKCAP_BACKUP_URL, or a plain file name in RISKCAP_BACKUP_DIR
// that is no symbolic link, no other kind of file and none of the store's files.
TEST_P(BackupJobTest, AcceptsOnlyTheConfiguredUrlOrAFileNameInTheBackupDirectory) {
  std::ofstream(dir_.File("victim.txt")) << "not a database";
  fs::create_symlink("/tmp/riskcap-escaped.db", dir_.File("escape.db"));
  const std::string configured = "postgresql://risk:s3cret@db.internal/riskcap";
  auto job = MakeJob(configured);
  const std::vector<std::string> refused = {
      "sqlite:/tmp/anywhere.db", "/tmp/anywhere.db", "../anywhere.db", "sub/x.db", ".hidden.db",
      "x.db-wal", "x.db-shm", "x.db-journal", "x.db.lock", "x.db.partial", "..", "victim.txt",
      "escape.db", "postgresql://risk:s3cret@other.internal/riskcap", "sqlite::memory:",
      "host=db password=s3cret dbname=riskcap"};
  for (const std::string& target : refused) {
    absl::Status st = job->CheckParameters({{"target", target}});
    EXPECT_EQ(ViolatedFieldsOf(st), (std::vector<std::string>{"parameters.target"})) << target;
    EXPECT_FALSE(absl::StrContains(st.message(), "s3cret")) << st;
  }
  for (const std::string& target : {std::string(""), std::string("nightly-2024.03_28.db"),
                                     configured, db::RedactStoreUrl(configured)}) {
    EXPECT_TRUE(job->CheckParameters({{"target", target}}).ok()) << target;
  }
  EXPECT_EQ(ViolatedFieldsOf(MakeJob()->CheckParameters({{"target", configured}})),
            (std::vector<std::string>{"parameters.target"}))
      << "a URL is accepted only when it is the configured one";
  EXPECT_EQ(dir_.Names(), (std::vector<std::string>{"escape.db", "victim.txt"}));
}

// A SQLite store's database, -wal, -shm and -journal are no target, even when the backup
// directory is the store's own.
TEST(BackupJobTargets, TheStoresOwnFilesAreNoTargetEvenInsideTheBackupDirectory) {
  auto scratch = ScratchDatabase::Create(db::Backend::kSqlite);
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  const fs::path store_file = (*scratch)->url().substr(7);  // sqlite:PATH
  auto job = server::jobs::MakeBackupJob(
      {"", store_file.parent_path().string(), (*scratch)->url()});
  const std::string name = store_file.filename();
  for (const std::string& target : {name, name + "-wal", name + "-shm", name + "-journal"}) {
    EXPECT_EQ(ViolatedFieldsOf(job->CheckParameters({{"target", target}})),
              (std::vector<std::string>{"parameters.target"}))
        << target;
  }
  EXPECT_TRUE(job->CheckParameters({{"target", name + "-copy.db"}}).ok());
}

// Admission through RunJob: parameters first (INVALID_ARGUMENT for every role), then only ADMIN
// names a target; the stored target has no password.
TEST_P(BackupJobTest, OnlyAnAdminChoosesATargetAndItsPasswordIsNeverStored) {
  const std::string configured = "postgresql://risk:s3cret@db.internal/riskcap?password=s3cret";
  auto job = MakeJob(configured);
  std::map<std::string, std::string> outside = {{"target", "sqlite:/tmp/anywhere.db"}};
  for (Role role : {Role::kService, Role::kAdmin}) {
    auto params = outside;
    EXPECT_EQ(server::jobs::AdmitBackupRequest(job.get(), role, &params).code(),
              absl::StatusCode::kInvalidArgument);
  }
  std::map<std::string, std::string> named = {{"target", "nightly.db"}};
  EXPECT_EQ(server::jobs::AdmitBackupRequest(job.get(), Role::kService, &named).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(server::jobs::AdmitBackupRequest(job.get(), Role::kAdmin, &named).ok());
  std::map<std::string, std::string> none;
  EXPECT_TRUE(server::jobs::AdmitBackupRequest(job.get(), Role::kService, &none).ok());
  std::map<std::string, std::string> full = {{"target", configured}};
  ASSERT_TRUE(server::jobs::AdmitBackupRequest(job.get(), Role::kAdmin, &full).ok());
  EXPECT_EQ(full.at("target"), "postgresql://risk:***@db.internal/riskcap?password=***");
  EXPECT_EQ(named.at("target"), "nightly.db");
}

TEST_P(BackupJobTest, AnApiRunNeverReplacesANonEmptyPostgresTarget) {
  FillEveryTable(store());
  auto target = ScratchDatabase::Create(db::Backend::kPostgresql);
  ASSERT_TRUE(target.ok()) << target.status();
  auto first = RunJob({}, {}, (*target)->url());
  ASSERT_TRUE(first.ok()) << first.status();
  auto refused = RunJob({}, {}, (*target)->url());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  auto replace = RunJob({{"replace", "true"}}, {}, (*target)->url());
  EXPECT_EQ(replace.status().code(), absl::StatusCode::kInvalidArgument) << replace.status();
  auto copy = db::Store::Open((*target)->url(), 1);
  ASSERT_TRUE(copy.ok()) << copy.status();
  auto target_hash = db::HashStore(**copy);
  ASSERT_TRUE(target_hash.ok()) << target_hash.status();
  EXPECT_EQ(target_hash->content_hash, first->content_hash) << "the first copy is untouched";
}

TEST_P(BackupJobTest, CommandPrintsTheVerifiedReport) {
  FillEveryTable(store());
  std::string file = dir_.File("cli.db");
  std::string err;
  auto result = RunCommand({BinaryPath("server/riskcapd"), "backup", "--to", "sqlite:" + file},
                           {{"RISKCAP_DB", scratch_->url()}}, &err);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->first, 0) << err;
  const std::string& out = result->second;
  for (const std::string& table : kBackedUpTables) {
    EXPECT_TRUE(absl::StrContains(out, table + " ")) << table << " missing from:\n" << out;
  }
  EXPECT_EQ(PrintedHash(out), HashOfFile(file)) << out;
  EXPECT_EQ(dir_.Names(), (std::vector<std::string>{"cli.db"})) << "no lock file is left";

  auto refused = RunCommand({BinaryPath("server/riskcapd"), "backup"},
                            {{"RISKCAP_DB", scratch_->url()}}, &err);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->first, 2);
  EXPECT_TRUE(absl::StrContains(err, "RISKCAP_BACKUP_URL")) << err;
}

TEST_P(BackupJobTest, KilledBackupLeavesThePreviousFileIntactAndTheNextOneSucceeds) {
  FillEveryTable(store(), /*positions=*/200);
  std::string file = dir_.File("nightly.db");
  std::vector<std::string> argv = {BinaryPath("server/riskcapd"), "backup", "--to",
                                   "sqlite:" + file};
  std::string err;
  auto first = RunCommand(argv, {{"RISKCAP_DB", scratch_->url()}}, &err);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->first, 0) << err;
  std::string first_hash = PrintedHash(first->second);
  ASSERT_EQ(HashOfFile(file), first_hash);

  ASSERT_TRUE(store().CreateManager({0, "Nova", "55555555000105"}).ok());
  // The same copy as `riskcapd backup`, held after its first table until it is killed.
  auto killed =
      Subprocess::Start({BinaryPath("tests/pausing_backup"), scratch_->url(), "sqlite:" + file});
  ASSERT_TRUE(killed.ok()) << killed.status();
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!absl::StrContains((*killed)->Stderr(), "paused after table") && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_TRUE(absl::StrContains((*killed)->Stderr(), "paused after table")) << (*killed)->Stderr();
  EXPECT_TRUE(fs::exists(file + ".partial")) << "the new copy is written beside the old one";
  (*killed)->Signal(SIGKILL);
  auto code = (*killed)->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 128 + SIGKILL);

  EXPECT_EQ(HashOfFile(file), first_hash) << "the previous backup must be intact and valid";
  auto next = RunCommand(argv, {{"RISKCAP_DB", scratch_->url()}}, &err);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->first, 0) << err;
  auto source = db::HashStore(store());
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(PrintedHash(next->second), source->content_hash);
  EXPECT_EQ(HashOfFile(file), source->content_hash);
  EXPECT_NE(source->content_hash, first_hash);
  EXPECT_FALSE(fs::exists(file + ".partial")) << "the killed run's leftovers are removed";
}

// The backup recomputes its copy's audit chain: a copy of a store whose audit log was edited in
// the database fails the job (and an intact one passes, saying so).
TEST_P(BackupJobTest, BackupOfTamperedAuditLogFailsVerification) {
  for (int i = 1; i <= 5; ++i) {
    AuditRecord r{0, absl::FromUnixMicros(i), "key:1", "FundService/UpdateFund",
                  absl::StrCat("req-", i), "OK", absl::StrCat("fund=", i)};
    ASSERT_TRUE(store().AppendAudit(r).ok());
  }
  ASSERT_TRUE(store().SealAllAudit().ok());
  auto intact = RunJob({{"target", "intact.db"}});
  ASSERT_TRUE(intact.ok()) << intact.status();
  EXPECT_TRUE(absl::StrContains(intact->summary, "audit chain of 5 records intact"))
      << intact->summary;

  auto tamper = [&](const std::string& sql) {
    return testing::WriteSql(store(), [&](soci::session& s) -> absl::Status {
      s << sql;
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(tamper(GetParam() == db::Backend::kSqlite
                         ? "DROP TRIGGER audit_log_no_update"
                         : "ALTER TABLE audit_log DISABLE TRIGGER USER")
                  .ok());
  ASSERT_TRUE(tamper("UPDATE audit_log SET outcome = 'PERMISSION_DENIED'"
                     " WHERE id = (SELECT audit_id FROM audit_chain WHERE chain_pos = 3)")
                  .ok());
  auto broken = RunJob({{"target", "tampered.db"}});
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kDataLoss) << broken.status();
  EXPECT_TRUE(absl::StrContains(broken.status().message(), "broken at position 3: row changed"))
      << broken.status();
  EXPECT_FALSE(fs::exists(dir_.File("tampered.db"))) << "a copy that fails is never applied";

  // Over the earlier good backup: refused before the rename, so that file is still the good one.
  auto over = RunJob({{"target", "intact.db"}});
  EXPECT_EQ(over.status().code(), absl::StatusCode::kDataLoss) << over.status();
  EXPECT_EQ(HashOfFile(dir_.File("intact.db")), intact->content_hash);

  // `riskcapd backup` checks the copy the same way: a failure exit, no file.
  std::string err;
  auto command = RunCommand({BinaryPath("server/riskcapd"), "backup", "--to",
                             "sqlite:" + dir_.File("cli.db")},
                            {{"RISKCAP_DB", scratch_->url()}}, &err);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_NE(command->first, 0);
  EXPECT_TRUE(absl::StrContains(err, "broken at position 3: row changed")) << err;
  EXPECT_FALSE(fs::exists(dir_.File("cli.db")));
}

// With the server's signing key, a backup refuses a copy holding a checkpoint signed by another
// key (validly: a forger's own key), which a check against each checkpoint's own key would pass.
TEST_P(BackupJobTest, CheckpointNotSignedByTheServersKeyFailsTheBackup) {
  FillEveryTable(store());  // its checkpoint is signed by the fixture's key
  const std::string fixture_key =
      "37df7a3b8e48b30e7ddfe3e0c8ba3477f1e92b00af9548b1ab3ef44c5fe8f20c";
  std::string key_file = dir_.File("signing.key");
  ASSERT_TRUE(server::AuditSigningKey::CreateFile(key_file).ok());
  auto server_key = server::AuditSigningKey::Load(key_file);
  ASSERT_TRUE(server_key.ok()) << server_key.status();

  auto run = [&](const std::string& trusted, const std::string& target) {
    JobContext context(store(), clock_, rules_, /*run_id=*/0, "backup", Date(2024, 3, 28),
                       {{"target", target}}, {});
    return server::jobs::MakeBackupJob({"", dir_.path().string(), scratch_->url()}, trusted)
        ->Run(context);
  };
  auto forged = run((*server_key)->public_key(), "forged.db");
  EXPECT_EQ(forged.status().code(), absl::StatusCode::kDataLoss) << forged.status();
  EXPECT_TRUE(absl::StrContains(forged.status().message(), "checkpoint signature invalid"))
      << forged.status();
  EXPECT_FALSE(fs::exists(dir_.File("forged.db")));

  auto trusted = run(fixture_key, "trusted.db");
  ASSERT_TRUE(trusted.ok()) << trusted.status();

  // The offline command with the server's key file refuses it too; without a key it passes.
  std::string err;
  auto command = RunCommand(
      {BinaryPath("server/riskcapd"), "backup", "--to", "sqlite:" + dir_.File("cli.db")},
      {{"RISKCAP_DB", scratch_->url()}, {"RISKCAP_SIGNING_KEY_FILE", key_file}}, &err);
  ASSERT_TRUE(command.ok()) << command.status();
  EXPECT_NE(command->first, 0);
  EXPECT_TRUE(absl::StrContains(err, "checkpoint signature invalid")) << err;
  EXPECT_FALSE(fs::exists(dir_.File("cli.db")));
  auto unkeyed = RunCommand(
      {BinaryPath("server/riskcapd"), "backup", "--to", "sqlite:" + dir_.File("cli.db")},
      {{"RISKCAP_DB", scratch_->url()}}, &err);
  ASSERT_TRUE(unkeyed.ok()) << unkeyed.status();
  EXPECT_EQ(unkeyed->first, 0) << err;
  EXPECT_TRUE(absl::StrContains(unkeyed->second, "audit_records=1")) << unkeyed->second;
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(BackupJobTest);

}  // namespace
}  // namespace riskcap::testing
