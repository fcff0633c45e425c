// The real riskcapd binary: migrates its store, serves health, and shuts down cleanly on SIGTERM.
#include <signal.h>

#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap {
namespace {

using testing::BinaryPath;
using testing::RiskcapdProcess;

int SchemaVersionOf(const std::string& url) {
  auto store = db::Store::Open(url, 1);
  if (!store.ok()) return -1;
  auto version = (*store)->SchemaVersion();
  return version.ok() ? *version : -1;
}

class Riskcapd : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto scratch = testing::ScratchDatabase::Create(GetParam());
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = std::move(*scratch);
  }
  std::unique_ptr<testing::ScratchDatabase> scratch_;
};

TEST_P(Riskcapd, MigratesServesHealthAndStopsOnSigterm) {
  auto proc = RiskcapdProcess::Start(
      {.env = {{"RISKCAP_DB", scratch_->url()}}, .timeout = absl::Seconds(20)});
  ASSERT_TRUE(proc.ok()) << proc.status();
  int latest = db::Store::LatestSchemaVersion(GetParam());
  EXPECT_EQ(SchemaVersionOf(scratch_->url()), latest);
  (*proc)->Signal(SIGTERM);
  auto code = (*proc)->Wait(absl::Seconds(20));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << (*proc)->Stderr();
  EXPECT_NE((*proc)->Stderr().find("riskcapd stopped"), std::string::npos);
}

TEST_P(Riskcapd, MigrateCommandAppliesMigrationsAndExits) {
  auto result = testing::RunCommand({BinaryPath("server/riskcapd"), "migrate", "--db", scratch_->url()});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first, 0);
  EXPECT_EQ(SchemaVersionOf(scratch_->url()), db::Store::LatestSchemaVersion(GetParam()));
}

TEST_P(Riskcapd, BusyPortExitsWithAnError) {
  auto first = RiskcapdProcess::Start(
      {.env = {{"RISKCAP_DB", scratch_->url()}}, .timeout = absl::Seconds(20)});
  ASSERT_TRUE(first.ok()) << first.status();
  std::string err;
  auto second = testing::RunCommand(
      {BinaryPath("server/riskcapd")},
      {{"RISKCAP_DB", scratch_->url()}, {"RISKCAP_LISTEN", (*first)->address()}}, &err);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->first, 0);
  EXPECT_NE(err.find("cannot listen"), std::string::npos) << err;
}

TEST(RiskcapdFlags, RefusesPlainTextOnNonLoopbackAddress) {
  std::string err;
  auto result = testing::RunCommand(
      {BinaryPath("server/riskcapd"), "--listen", "0.0.0.0:0", "--db", "sqlite::memory:"}, {}, &err);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first, 2);
  EXPECT_NE(err.find("--allow-insecure-remote"), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(Backends, Riskcapd,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgresql),
                         testing::BackendTestName);

}  // namespace
}  // namespace riskcap
