// Tests of db/status_inputs.{h,cc} on both backends: a status version's recorded inputs
// round-trip (NULLs included), commit or roll back with the version, are recorded once, and
// versions are found by id.
#include "db/status_inputs.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

constexpr Date kRef(2026, 11, 24);

db::NewVersion Version(const std::string& hash) {
  db::NewVersion v;
  v.reference_date = kRef;
  v.content_hash = hash;
  v.source = "test";
  return v;
}

using StatusInputsTest = OneManagerStoreTest;

TEST_P(StatusInputsTest, RoundTripsOnceAndFindsVersionsById) {
  auto nav = store().WriteNavSnapshot(Version("n"), {});
  ASSERT_TRUE(nav.ok()) << nav.status();
  auto status = store().WriteFundStatus(Version("s"), {});
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_FALSE(db::GetStatusInputs(store(), status->id)->has_value());  // nothing recorded yet

  const rules::StatusInputIds ids{nav->id, std::nullopt, std::nullopt,
                                  "rule_version=x\ncap.fidc=none"};
  ASSERT_TRUE(db::RecordStatusInputs(store(), status->id, ids).ok());
  auto read = db::GetStatusInputs(store(), status->id);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, ids);
  EXPECT_FALSE(db::RecordStatusInputs(store(), status->id, ids).ok());  // once per version

  auto by_id = db::GetSnapshotVersionById(store(), nav->id);
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->kind, SnapshotKind::kNavSnapshot);
  EXPECT_EQ(by_id->content_hash, "n");
  EXPECT_EQ(db::GetSnapshotVersionById(store(), 999999).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StatusInputsTest, RollsBackWithTheVersionsTransaction) {
  int64_t written = 0;
  absl::Status st = store().InTransaction([&]() -> absl::Status {
    auto v = store().WriteFundStatus(Version("s"), {});
    if (!v.ok()) return v.status();
    written = v->id;
    absl::Status recorded = db::RecordStatusInputs(store(), v->id, {});
    if (!recorded.ok()) return recorded;
    return absl::AbortedError("the run failed after writing");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kAborted);
  ASSERT_GT(written, 0);
  EXPECT_FALSE(db::GetStatusInputs(store(), written)->has_value());
  EXPECT_EQ(db::GetSnapshotVersionById(store(), written).status().code(),
            absl::StatusCode::kNotFound);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StatusInputsTest);

}  // namespace
}  // namespace riskcap::testing
