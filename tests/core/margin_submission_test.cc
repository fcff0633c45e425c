// Canonical submission content: equal meaning gives equal text; any change gives another.
#include "core/margin_submission.h"

#include "gtest/gtest.h"

namespace riskcap {
namespace {

TEST(CanonicalSubmissionContent, HasTheDocumentedLayout) {
  EXPECT_EQ(CanonicalSubmissionContent(42, Date(2026, 11, 20), *Money::Parse("1000"),
                                       *Money::Parse("0.5"), "SPAN 99%"),
            "fund_id=42\nreference_date=2026-11-20\nlocal_margin=1000.00\n"
            "offshore_margin=0.50\nmethodology=SPAN 99%");
}

TEST(CanonicalSubmissionContent, EquivalentAmountsAreEqualAndChangesDiffer) {
  auto base = CanonicalSubmissionContent(1, Date(2026, 1, 2), *Money::Parse("1000"),
                                         Money(), "m");
  EXPECT_EQ(base, CanonicalSubmissionContent(1, Date(2026, 1, 2), *Money::Parse("1000.000000"),
                                             *Money::Parse("0"), "m"));
  EXPECT_NE(base, CanonicalSubmissionContent(2, Date(2026, 1, 2), *Money::Parse("1000"), Money(), "m"));
  EXPECT_NE(base, CanonicalSubmissionContent(1, Date(2026, 1, 3), *Money::Parse("1000"), Money(), "m"));
  EXPECT_NE(base, CanonicalSubmissionContent(1, Date(2026, 1, 2), *Money::Parse("1000.01"), Money(), "m"));
  EXPECT_NE(base, CanonicalSubmissionContent(1, Date(2026, 1, 2), *Money::Parse("1000"),
                                             *Money::Parse("0.000001"), "m"));
  EXPECT_NE(base, CanonicalSubmissionContent(1, Date(2026, 1, 2), *Money::Parse("1000"), Money(), "m "));
}

}  // namespace
}  // namespace riskcap
