// Scratch databases for tests.
#include "tests/testing/test_store.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"

namespace riskcap::testing {
namespace {

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  static const unsigned seed = std::random_device{}();
  return absl::StrCat(getpid(), "_", seed % 100000, "_", counter++);
}

absl::StatusOr<std::string> PostgresBaseUrl() {
  const char* url = std::getenv("RISKCAP_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    return absl::FailedPreconditionError(
        "RISKCAP_TEST_PG_URL is not set: run the tests through scripts/test, which starts "
        "PostgreSQL (PostgreSQL tests fail rather than skip)");
  }
  return std::string(url);
}

absl::Status ExecOnBase(const std::string& base, const std::string& sql) {
  ASSIGN_OR_RETURN(auto store, db::Store::Open(base, 1));
  return store->database().Write([&](soci::session& s) -> absl::Status {
    s << sql;
    return absl::OkStatus();
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScratchDatabase>> ScratchDatabase::Create(db::Backend backend) {
  if (backend == db::Backend::kSqlite) {
    std::string path = (std::filesystem::temp_directory_path() /
                        absl::StrCat("riskcap_test_", UniqueSuffix(), ".db")).string();
    return std::unique_ptr<ScratchDatabase>(
        new ScratchDatabase(backend, absl::StrCat("sqlite:", path), path));
  }
  ASSIGN_OR_RETURN(std::string base, PostgresBaseUrl());
  std::string schema = absl::StrCat("t_", UniqueSuffix());
  RETURN_IF_ERROR(ExecOnBase(base, absl::StrCat("CREATE SCHEMA ", schema)));
  std::string sep = base.find('?') == std::string::npos ? "?" : "&";
  std::string url = absl::StrCat(base, sep, "options=-csearch_path%3D", schema);
  return std::unique_ptr<ScratchDatabase>(new ScratchDatabase(backend, url, schema));
}

ScratchDatabase::~ScratchDatabase() {
  if (backend_ == db::Backend::kSqlite) {
    for (const char* ext : {"", "-wal", "-shm"}) std::remove(absl::StrCat(cleanup_, ext).c_str());
    return;
  }
  auto base = PostgresBaseUrl();
  if (base.ok()) (void)ExecOnBase(*base, absl::StrCat("DROP SCHEMA ", cleanup_, " CASCADE"));
}

std::string BackendTestName(const ::testing::TestParamInfo<db::Backend>& info) {
  return std::string(db::BackendName(info.param));
}

void StoreTest::SetUp() {
  auto scratch = ScratchDatabase::Create(GetParam());
  ASSERT_TRUE(scratch.ok()) << scratch.status();
  scratch_ = std::move(*scratch);
  auto store = db::Store::Open(scratch_->url(), 4);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  auto version = store_->Migrate();
  ASSERT_TRUE(version.ok()) << version.status();
}

void StoreTest::TearDown() {
  store_.reset();
  scratch_.reset();
}

}  // namespace riskcap::testing
