// FieldErrors: violations survive the trip through an absl::Status.
#include "core/field_errors.h"

#include "gtest/gtest.h"

namespace riskcap {
namespace {

TEST(FieldErrors, EmptyIsOk) { EXPECT_TRUE(FieldErrors().ToStatus().ok()); }

TEST(FieldErrors, CarriesEveryViolationInOrder) {
  FieldErrors errors;
  errors.Add("local_margin", "must be >= 0, got \"-1\"");
  errors.Add("reference_date", "is in the future");
  absl::Status status = errors.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("local_margin: must be >= 0"), absl::string_view::npos);
  EXPECT_NE(status.message().find("reference_date: is in the future"), absl::string_view::npos);
  std::vector<FieldViolation> expected = {{"local_margin", "must be >= 0, got \"-1\""},
                                          {"reference_date", "is in the future"}};
  EXPECT_EQ(FieldViolationsOf(status), expected);
}

TEST(FieldErrors, AddStatusUsesTheStatusMessageAndIgnoresOk) {
  FieldErrors errors;
  errors.AddStatus("nav", absl::OkStatus());
  EXPECT_TRUE(errors.empty());
  errors.AddStatus("nav", absl::InvalidArgumentError("not a decimal"));
  ASSERT_EQ(errors.violations().size(), 1u);
  EXPECT_EQ(errors.violations()[0].description, "not a decimal");
}

TEST(FieldErrors, PlainStatusesCarryNoViolations) {
  EXPECT_TRUE(FieldViolationsOf(absl::InvalidArgumentError("x")).empty());
  EXPECT_EQ(FieldViolationsOf(FieldError("fund_id", "must be > 0")).size(), 1u);
}

}  // namespace
}  // namespace riskcap
