// Tests of the backup job (server/jobs/backup_job.cc) run through its JobContext, and of the
// operator's `riskcapd backup` command (server/backup_command.cc) as a real child process,
// including one killed mid-way.
#include "server/jobs/backup_job.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "db/backup.h"
#include "gtest/gtest.h"
#include "tests/testing/backup_fixture.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {
namespace {

namespace fs = std::filesystem;
using server::jobs::JobContext;
using server::jobs::JobOutput;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            absl::StrCat("riskcap_backup_job_", getpid(), "_", reinterpret_cast<uintptr_t>(this));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string HashOfFile(const std::string& path) {
  auto store = db::Store::Open("sqlite:" + path, 1);
  if (!store.ok()) return store.status().ToString();
  auto report = db::HashStore(**store);
  return report.ok() ? report->content_hash : report.status().ToString();
}

// The content_hash of the summary line `riskcapd backup` prints.
std::string PrintedHash(const std::string& out) {
  size_t at = out.find("content_hash=");
  return at == std::string::npos ? "" : out.substr(at + 13, 64);
}

class BackupJobTest : public StoreTest {
 protected:
  absl::StatusOr<JobOutput> RunJob(std::map<std::string, std::string> params,
                                   JobContext::Hooks hooks = {},
                                   const std::string& default_target = "") {
    auto job = server::jobs::MakeBackupJob(default_target);
    JobContext context(store(), clock_, rules_, /*run_id=*/0, "backup", Date(2024, 3, 28),
                       std::move(params), std::move(hooks));
    return job->Run(context);
  }

  FakeClock clock_{kBackupT0};
  rules::RulesConfig rules_;
  TempDir dir_;
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
  auto output = RunJob({{"target", "sqlite:" + file}}, hooks);
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

  auto again = RunJob({}, {}, /*default_target=*/"sqlite:" + file);  // RISKCAP_BACKUP_URL's role
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->content_hash, output->content_hash) << "same data, same hash";
}

TEST_P(BackupJobTest, CancelledRunLeavesThePreviousBackupFile) {
  FillEveryTable(store(), /*positions=*/20000);
  std::string file = dir_.File("job.db");
  auto previous = RunJob({{"target", "sqlite:" + file}});
  ASSERT_TRUE(previous.ok()) << previous.status();
  ASSERT_TRUE(store().CreateManager({0, "Nova", "55555555000105"}).ok());
  int progress_calls = 0;
  JobContext::Hooks hooks;
  hooks.progress = [&](std::string_view, int64_t, int64_t) { ++progress_calls; };
  hooks.cancel_requested = [&] { return progress_calls >= 3; };  // after the first tables
  auto cancelled = RunJob({{"target", "sqlite:" + file}}, hooks);
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
  auto cancelled = RunJob({{"target", (*target)->url()}}, hooks);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled) << cancelled.status();
  auto opened = db::Store::Open((*target)->url(), 1);
  ASSERT_TRUE(opened.ok()) << opened.status();
  for (const std::string& table : kBackedUpTables) {
    EXPECT_TRUE(DumpTable(**opened, table).empty()) << table;
  }
}

TEST_P(BackupJobTest, NeedsATargetAndAValidReplaceFlag) {
  EXPECT_EQ(RunJob({}).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RunJob({{"target", "sqlite:" + dir_.File("x.db")}, {"replace", "yes"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RunJob({{"target", "mysql://x"}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(BackupJobTest, NonEmptyPostgresTargetIsRefusedUnlessReplace) {
  FillEveryTable(store());
  auto target = ScratchDatabase::Create(db::Backend::kPostgresql);
  ASSERT_TRUE(target.ok()) << target.status();
  auto first = RunJob({{"target", (*target)->url()}});
  ASSERT_TRUE(first.ok()) << first.status();
  auto refused = RunJob({{"target", (*target)->url()}});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  // The source changes; a replacing backup must then hold exactly the new content.
  Manager extra;
  extra.id = 9090;
  extra.name = "Added after the first backup";
  extra.tax_id = "90909090000190";
  ASSERT_TRUE(store().CreateManager(extra).ok());
  auto replaced = RunJob({{"target", (*target)->url()}, {"replace", "true"}});
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_NE(replaced->content_hash, first->content_hash);
  auto copy = db::Store::Open((*target)->url(), 1);
  ASSERT_TRUE(copy.ok()) << copy.status();
  auto target_hash = db::HashStore(**copy);
  ASSERT_TRUE(target_hash.ok()) << target_hash.status();
  EXPECT_EQ(target_hash->content_hash, replaced->content_hash);
  auto source_hash = db::HashStore(store());
  ASSERT_TRUE(source_hash.ok()) << source_hash.status();
  EXPECT_EQ(source_hash->content_hash, replaced->content_hash);
  EXPECT_TRUE((*copy)->GetManager(9090).ok());
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
  auto killed = Subprocess::Start(
      argv, {{"RISKCAP_DB", scratch_->url()}, {"RISKCAP_TEST_BACKUP_PAUSE_AFTER_TABLE", "1"}});
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

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(BackupJobTest);

}  // namespace
}  // namespace riskcap::testing
