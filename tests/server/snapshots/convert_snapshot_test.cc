// Snapshot rows through their protos (server/snapshots/convert_snapshot.h): every field of each row type
// reaches the proto, and an uploaded row reads back as the row it came from.
#include "server/snapshots/convert_snapshot.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/distinct_rows.h"

namespace riskcap::server {
namespace {

using ::riskcap::testing::DistinctRow;
using ::riskcap::testing::OneFieldChanged;

// The row, and the row with each one field changed (an optional absent), named.
template <typename Row>
std::vector<std::pair<std::string, Row>> Cases() {
  std::vector<std::pair<std::string, Row>> cases = OneFieldChanged(DistinctRow<Row>());
  cases.insert(cases.begin(), {"every field set", DistinctRow<Row>()});
  return cases;
}

SnapshotVersion Version() {
  SnapshotVersion v;
  v.id = 9;
  v.reference_date = Date(2030, 1, 1);
  v.version = 2;
  return v;
}

// ToProto then the upload's FromProto gives the row back, with no violation.
template <typename Row, typename Proto, typename To, typename From>
void ExpectRoundTrip(To to_proto, From from_proto) {
  for (const auto& [name, row] : Cases<Row>()) {
    Proto proto;
    to_proto(row, &proto);
    FieldErrors errors;
    const Row back = from_proto(proto, "rows[0]", errors);
    EXPECT_TRUE(errors.empty()) << name << ": " << errors.ToStatus();
    EXPECT_EQ(back, row) << name << "\n" << proto.DebugString();
  }
}

TEST(ConvertSnapshot, EveryNavSnapshotFieldRoundTripsThroughItsProto) {
  ExpectRoundTrip<NavSnapshot, v1::NavSnapshot>(
      [](const NavSnapshot& in, v1::NavSnapshot* out) { ToProto(in, Version(), out); },
      &NavSnapshotFromProto);
}

TEST(ConvertSnapshot, EveryNavHistoryFieldRoundTripsThroughItsProto) {
  ExpectRoundTrip<NavHistoryEntry, v1::NavHistoryEntry>(
      [](const NavHistoryEntry& in, v1::NavHistoryEntry* out) { ToProto(in, out); },
      &NavHistoryFromProto);
}

TEST(ConvertSnapshot, EveryPositionFieldRoundTripsThroughItsProto) {
  ExpectRoundTrip<Position, v1::Position>(
      [](const Position& in, v1::Position* out) { ToProto(in, "", out); }, &PositionFromProto);
}

// Exposures are never uploaded: each field's change shows in the proto instead.
TEST(ConvertSnapshot, EveryExposureFieldReachesItsProto) {
  v1::FundExposure base;
  ToProto(DistinctRow<FundExposure>(), Version(), std::nullopt, &base);
  for (const auto& [name, row] : OneFieldChanged(DistinctRow<FundExposure>())) {
    v1::FundExposure changed;
    ToProto(row, Version(), std::nullopt, &changed);
    EXPECT_NE(changed.SerializeAsString(), base.SerializeAsString()) << name;
  }
}

}  // namespace
}  // namespace riskcap::server
