// riskcapd end to end, driven the way issue 11's attacker drove it: a backup goes only where the
// operator said (RISKCAP_BACKUP_URL, or a file name inside RISKCAP_BACKUP_DIR, named by an ADMIN
// key), a refused one creates nothing, and a password in a store URL shows up in no response, no
// log line and no table row.
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "riskcap/v1/job.grpc.pb.h"
#include "server/rpc/auth.h"
#include "tests/testing/backup_fixture.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_errors.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/store_sql.h"
#include "tests/testing/test_server.h"

namespace riskcap::testing {
namespace {

namespace fs = std::filesystem;

// The URL with `password` as its userinfo password ("scheme://user@" -> "scheme://user:pw@").
std::string WithPassword(const std::string& url, const std::string& password) {
  size_t at = url.find('@');
  if (at == std::string::npos) return url;
  return absl::StrCat(url.substr(0, at), ":", password, url.substr(at));
}

std::string BaseUrl() {
  const char* url = std::getenv("RISKCAP_TEST_PG_URL");
  return url == nullptr ? "" : url;
}

// Runs `sql` outside any transaction on the test cluster's base database (CREATE DATABASE).
absl::Status ExecOutsideTransaction(const std::string& sql) {
  auto store = db::Store::Open(BaseUrl(), 1);
  if (!store.ok()) return store.status();
  auto held = testing::HoldSession(**store);
  if (!held.ok()) return held.status();
  try {
    (*held)->session() << sql;
  } catch (const std::exception& e) {
    return absl::InternalError(e.what());
  }
  return absl::OkStatus();
}

// A second database in the test cluster: another deployment's store, which no backup may reach.
class OtherDatabase {
 public:
  OtherDatabase() : name_(absl::StrCat("riskcap_other_", getpid())) {
    status_ = ExecOutsideTransaction("CREATE DATABASE " + name_);
    std::string base = BaseUrl();
    url_ = base.substr(0, base.rfind('/') + 1) + name_;
  }
  ~OtherDatabase() { (void)ExecOutsideTransaction("DROP DATABASE IF EXISTS " + name_); }
  const absl::Status& status() const { return status_; }
  const std::string& url() const { return url_; }
  // Tables in its public schema: none, as long as no backup wrote to it.
  int64_t TableCount() const {
    auto store = db::Store::Open(url_, 1);
    if (!store.ok()) return -1;
    long long n = -1;
    auto st = testing::ReadSql(**store, [&](soci::session& s) -> absl::Status {
      s << "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
          soci::into(n);
      return absl::OkStatus();
    });
    return st.ok() ? n : -1;
  }

 private:
  std::string name_;
  std::string url_;
  absl::Status status_;
};

int ModeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

class BackupRiskcapd : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == db::Backend::kSqlite) {
      store_file_ = store_dir_.File("riskcap.db");
      store_url_ = "sqlite:" + store_file_;
    } else {
      auto scratch = ScratchDatabase::Create(db::Backend::kPostgresql);
      ASSERT_TRUE(scratch.ok()) << scratch.status();
      pg_store_ = std::move(*scratch);
      store_url_ = WithPassword(pg_store_->url(), "DbPw5");  // trust auth ignores it
    }
    auto store = db::Store::Open(store_url_, 2);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Migrate().ok());
    SeedRegistry(**store);
    service_ = AddKey(**store, Role::kService);
    admin_ = AddKey(**store, Role::kAdmin);
    analyst_ = AddKey(**store, Role::kAnalyst);
  }

  static std::string AddKey(db::Store& store, Role role) {
    ApiKey key;
    key.label = absl::StrCat("key-", static_cast<int>(role));
    key.role = role;
    std::string secret = server::NewApiKeySecret();
    key.secret_hash = server::HashApiKeySecret(secret);
    key.created_at = absl::Now();
    key.created_by = "test";
    EXPECT_TRUE(store.CreateApiKey(key).ok());
    return secret;
  }

  void Start(const std::string& backup_url, const std::string& backup_dir) {
    auto proc = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", store_url_},
                                                {"RISKCAP_BACKUP_URL", backup_url},
                                                {"RISKCAP_BACKUP_DIR", backup_dir},
                                                {"RISKCAP_JOB_WORKERS", "1"}}});
    ASSERT_TRUE(proc.ok()) << proc.status();
    proc_ = std::move(*proc);
    stub_ = v1::JobService::NewStub(
        grpc::CreateChannel(proc_->address(), grpc::InsecureChannelCredentials()));
  }

  grpc::Status RunBackup(const std::string& secret, std::map<std::string, std::string> params,
                         v1::JobRun* run = nullptr) {
    v1::RunJobRequest request;
    request.set_request_id(absl::StrCat("backup-", ++requests_));
    request.set_job(v1::JOB_KIND_BACKUP);
    request.mutable_parameters()->insert(params.begin(), params.end());
    v1::JobRun ignored;
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, secret);
    return stub_->RunJob(&ctx, request, run != nullptr ? run : &ignored);
  }

  v1::JobRun GetRun(const std::string& secret, int64_t id) {
    v1::GetJobRunRequest request;
    request.set_job_run_id(id);
    v1::JobRun run;
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, secret);
    grpc::Status st = stub_->GetJobRun(&ctx, request, &run);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return run;
  }

  // The run once final (polled, with a deadline).
  v1::JobRun WaitFinal(int64_t id) {
    absl::Time deadline = absl::Now() + absl::Seconds(60);
    v1::JobRun run = GetRun(admin_, id);
    while (absl::Now() < deadline && (run.state() == v1::JOB_RUN_STATE_QUEUED ||
                                      run.state() == v1::JOB_RUN_STATE_RUNNING)) {
      absl::SleepFor(absl::Milliseconds(50));
      run = GetRun(admin_, id);
    }
    return run;
  }

  v1::ListJobRunsResponse ListRuns(const std::string& secret) {
    v1::ListJobRunsRequest request;
    request.set_page_size(100);
    v1::ListJobRunsResponse response;
    grpc::ClientContext ctx;
    TestServer::Authorize(ctx, secret);
    grpc::Status st = stub_->ListJobRuns(&ctx, request, &response);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return response;
  }

  ScratchDir store_dir_, backup_dir_, outside_dir_;
  std::string store_file_;  // SQLite only
  std::unique_ptr<ScratchDatabase> pg_store_;
  std::string store_url_;
  std::string service_, admin_, analyst_;
  std::unique_ptr<RiskcapdProcess> proc_;
  std::unique_ptr<v1::JobService::Stub> stub_;
  int requests_ = 0;
};

TEST_P(BackupRiskcapd, TargetsTheOperatorDidNotChooseAreRefusedAndNothingIsCreated) {
  OtherDatabase other;
  ASSERT_TRUE(other.status().ok()) << other.status();
  Start("sqlite:" + backup_dir_.File("default.db"), backup_dir_.path().string());
  std::ofstream(backup_dir_.File("victim.txt")) << "not a database";
  fs::create_symlink(outside_dir_.File("escaped.db"), backup_dir_.File("escape.db"));
  std::vector<std::string> targets = {
      "sqlite:" + outside_dir_.File("x.db"),
      outside_dir_.File("x.db"),
      absl::StrCat("../", outside_dir_.path().filename().string(), "/x.db"),
      other.url(),
      "escape.db",
      "victim.txt"};
  if (GetParam() == db::Backend::kSqlite) {
    for (const char* own : {"", "-wal", "-shm", "-journal"}) {
      targets.push_back(absl::StrCat("sqlite:", store_file_, own));
    }
  } else {
    targets.push_back(store_url_);
  }
  const auto backup_before = backup_dir_.Names(), outside_before = outside_dir_.Names(),
             store_before = store_dir_.Names();
  for (const std::string* key : {&service_, &admin_}) {
    for (const std::string& target : targets) {
      grpc::Status st = RunBackup(*key, {{"target", target}});
      EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << target << ": " << st.error_message();
      EXPECT_EQ(ViolatedFields(st), (std::vector<std::string>{"parameters.target"})) << target;
    }
  }
  EXPECT_EQ(backup_dir_.Names(), backup_before) << "no file, no .lock";
  EXPECT_EQ(outside_dir_.Names(), outside_before);
  EXPECT_EQ(store_dir_.Names(), store_before);
  EXPECT_EQ(other.TableCount(), 0) << "the other deployment's database is untouched";
  std::ifstream victim(backup_dir_.File("victim.txt"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(victim), {}), "not a database");
  EXPECT_EQ(ListRuns(admin_).job_runs_size(), 0) << "no refused run was admitted";
}

TEST_P(BackupRiskcapd, ServiceUsesTheConfiguredTargetAndOnlyAnAdminNamesAFile) {
  Start("sqlite:" + backup_dir_.File("default.db"), backup_dir_.path().string());
  grpc::Status denied = RunBackup(service_, {{"target", "nightly.db"}});
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED) << denied.error_message();
  EXPECT_TRUE(backup_dir_.Names().empty());

  v1::JobRun scheduled;
  ASSERT_TRUE(RunBackup(service_, {}, &scheduled).ok());
  EXPECT_EQ(WaitFinal(scheduled.job_run_id()).state(), v1::JOB_RUN_STATE_SUCCEEDED);
  v1::JobRun named;
  grpc::Status admitted = RunBackup(admin_, {{"target", "nightly.db"}}, &named);
  ASSERT_TRUE(admitted.ok()) << admitted.error_message();
  v1::JobRun done = WaitFinal(named.job_run_id());
  EXPECT_EQ(done.state(), v1::JOB_RUN_STATE_SUCCEEDED) << done.error_message();
  EXPECT_EQ(backup_dir_.Names(), (std::vector<std::string>{"default.db", "nightly.db"}))
      << "no .lock or .partial is left";
  EXPECT_EQ(ModeOf(backup_dir_.File("default.db")), 0600);
  EXPECT_EQ(ModeOf(backup_dir_.File("nightly.db")), 0600);

  grpc::Status replace = RunBackup(admin_, {{"target", "nightly.db"}, {"replace", "true"}});
  EXPECT_EQ(replace.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(replace), (std::vector<std::string>{"parameters.replace"}));

  auto copy = db::Store::Open("sqlite:" + backup_dir_.File("nightly.db"), 1);
  ASSERT_TRUE(copy.ok()) << copy.status();
  auto own = (*copy)->GetJobRun(named.job_run_id());
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->state, JobState::kSucceeded) << "the copy holds no run that looks alive";
}

TEST_P(BackupRiskcapd, APasswordInAStoreUrlAppearsInNoResponseLogLineOrRow) {
  OtherDatabase other;
  ASSERT_TRUE(other.status().ok()) << other.status();
  auto target = ScratchDatabase::Create(db::Backend::kPostgresql);
  ASSERT_TRUE(target.ok()) << target.status();
  const std::string configured =
      WithPassword((*target)->url(), "UserinfoPw1") + "&password=QueryPw2";
  Start(configured, backup_dir_.path().string());
  const std::vector<std::string> secrets = {"UserinfoPw1", "QueryPw2", "ConninfoPw3",
                                            "OtherPw4",    "DbPw5",    "OtherPw6"};
  auto expect_no_secret = [&](const std::string& text, const std::string& where) {
    for (const std::string& secret : secrets) {
      EXPECT_FALSE(absl::StrContains(text, secret)) << secret << " in " << where << ":\n" << text;
    }
  };

  v1::JobRun named;
  grpc::Status admitted = RunBackup(admin_, {{"target", configured}}, &named);
  ASSERT_TRUE(admitted.ok()) << admitted.error_message();
  expect_no_secret(named.DebugString(), "the RunJob response");
  EXPECT_EQ(named.parameters().at("target"), db::RedactStoreUrl(configured));
  v1::JobRun first = WaitFinal(named.job_run_id());
  EXPECT_EQ(first.state(), v1::JOB_RUN_STATE_SUCCEEDED) << first.error_message();
  v1::JobRun scheduled;  // the target now holds rows: this one fails, and says why
  ASSERT_TRUE(RunBackup(service_, {}, &scheduled).ok());
  EXPECT_EQ(WaitFinal(scheduled.job_run_id()).state(), v1::JOB_RUN_STATE_FAILED);

  for (const std::string& refused :
       {std::string("host=127.0.0.1 password=ConninfoPw3 dbname=riskcap"),
        WithPassword(other.url(), "OtherPw4"), other.url() + "?password=OtherPw6"}) {
    grpc::Status st = RunBackup(admin_, {{"target", refused}});
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
    expect_no_secret(st.error_message() + st.error_details(), "a RunJob error");
  }
  for (const std::string* key : {&analyst_, &admin_}) {
    v1::ListJobRunsResponse listed = ListRuns(*key);
    EXPECT_EQ(listed.job_runs_size(), 2);
    expect_no_secret(listed.DebugString(), "ListJobRuns");
    for (const v1::JobRun& run : listed.job_runs()) {
      expect_no_secret(GetRun(*key, run.job_run_id()).DebugString(), "GetJobRun");
    }
  }

  proc_->Signal(SIGTERM);
  auto code = proc_->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  const std::string log = proc_->Stderr();
  EXPECT_TRUE(absl::StrContains(log, "store ready")) << log;
  expect_no_secret(log, "riskcapd's log");
  auto store = db::Store::Open(store_url_, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const std::string& table : kBackedUpTables) {
    for (const std::string& row : DumpTable(**store, table)) expect_no_secret(row, table);
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(BackupRiskcapd);

}  // namespace
}  // namespace riskcap::testing
