// Tests for core/row_fields: each snapshot row type's field list drives its canonical line, so
// every field shows in it, in the list's order.
#include "core/row_fields.h"

#include <string>
#include <vector>

#include "core/canonical.h"
#include "core/exposure.h"
#include "core/nav.h"
#include "core/position.h"
#include "gtest/gtest.h"
#include "tests/testing/distinct_rows.h"

namespace riskcap {
namespace {

using ::riskcap::testing::DistinctRow;
using ::riskcap::testing::OneFieldChanged;

template <typename Row>
class RowFieldsTest : public ::testing::Test {};
using RowTypes = ::testing::Types<NavSnapshot, NavHistoryEntry, Position, FundExposure>;
TYPED_TEST_SUITE(RowFieldsTest, RowTypes);

// The lines' fields, '|'-separated; none of the test values holds a separator or an escape.
std::vector<std::string> Split(std::string line) {
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == '|') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

TYPED_TEST(RowFieldsTest, TheTestRowSetsEveryFieldAwayFromItsDefault) {
  const TypeParam defaults{};
  const TypeParam row = DistinctRow<TypeParam>();
  VisitFields(row, [&](const auto& field, const auto& value) {
    EXPECT_FALSE(value == defaults.*field.member) << field.name;
  });
}

// A change to any one field changes that field of the line, and only that one: the line holds
// every field, in list order.
TYPED_TEST(RowFieldsTest, EachFieldIsItsOwnFieldOfTheCanonicalLine) {
  const TypeParam base = DistinctRow<TypeParam>();
  const std::vector<std::string> fields = Split(CanonicalLine(base));
  ASSERT_EQ(fields.size(), kFieldCount<TypeParam>);
  size_t i = 0;
  for (const auto& [name, changed] : OneFieldChanged(base)) {
    const std::vector<std::string> now = Split(CanonicalLine(changed));
    ASSERT_EQ(now.size(), fields.size()) << name;
    for (size_t j = 0; j < fields.size(); ++j) {
      if (j == i) {
        EXPECT_NE(now[j], fields[j]) << name;
      } else {
        EXPECT_EQ(now[j], fields[j]) << name << " moved field " << j;
      }
    }
    ++i;
  }
}

// The batch order compares the fields in list order, as a tuple of the members would.
TYPED_TEST(RowFieldsTest, CanonicalLessIsLexicographicInListOrder) {
  const TypeParam base = DistinctRow<TypeParam>();
  EXPECT_FALSE(CanonicalLess(base, base));
  for (const auto& [name, changed] : OneFieldChanged(base)) {
    EXPECT_NE(CanonicalLess(base, changed), CanonicalLess(changed, base)) << name;
  }
}

TEST(RowFields, ColumnsAndNamesFollowTheList) {
  constexpr auto columns = FieldColumns<Position>();
  constexpr auto names = FieldNames<Position>();
  static_assert(columns.size() == 21 && names.size() == 21);
  EXPECT_EQ(names[0], "fund_id");
  EXPECT_EQ(columns[0], "fund_id");
  EXPECT_EQ(names[11], "asset_leg_balance");
  EXPECT_EQ(columns[11], "asset_leg_micros");
  EXPECT_EQ(names[20], "currency");
}

}  // namespace
}  // namespace riskcap
