// Tests for client/errors.{h,cc}: exit codes and one-line messages with field violations.
#include "client/errors.h"

#include "absl/strings/str_cat.h"
#include "core/field_errors.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace riskcap::client {
namespace {

TEST(ExitCodeFor, EachKindOfFailureHasItsCode) {
  struct Case {
    absl::StatusCode code;
    int exit;
  };
  for (const Case& c : std::vector<Case>{{absl::StatusCode::kOk, 0},
                                         {absl::StatusCode::kInternal, 1},
                                         {absl::StatusCode::kUnimplemented, 1},
                                         {absl::StatusCode::kInvalidArgument, 3},
                                         {absl::StatusCode::kOutOfRange, 3},
                                         {absl::StatusCode::kNotFound, 4},
                                         {absl::StatusCode::kUnauthenticated, 5},
                                         {absl::StatusCode::kPermissionDenied, 5},
                                         {absl::StatusCode::kUnavailable, 6},
                                         {absl::StatusCode::kDeadlineExceeded, 6},
                                         {absl::StatusCode::kAlreadyExists, 7},
                                         {absl::StatusCode::kFailedPrecondition, 7}}) {
    EXPECT_EQ(ExitCodeFor(c.code), c.exit) << absl::StatusCodeToString(c.code);
  }
}

grpc::Status BadRequest(std::vector<std::pair<std::string, std::string>> violations) {
  google::rpc::BadRequest bad_request;
  for (const auto& [field, description] : violations) {
    auto* v = bad_request.add_field_violations();
    v->set_field(field);
    v->set_description(description);
  }
  google::rpc::Status details;
  details.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  details.add_details()->PackFrom(bad_request);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "invalid request: ...",
                      details.SerializeAsString());
}

TEST(DescribeError, NamesTheFieldViolationsOfABadRequest) {
  absl::Status status = FromGrpcStatus(BadRequest({{"local_margin", "must be >= 0, got \"-1\""}}));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DescribeError(status), "invalid argument: local_margin: must be >= 0, got \"-1\"");
}

TEST(DescribeError, ShowsAtMostFiveViolationsOnOneLine) {
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 7; ++i) many.emplace_back(absl::StrCat("rows[", i, "]"), "bad\nvalue");
  std::string line = DescribeError(FromGrpcStatus(BadRequest(many)));
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("rows[4]: bad value (and 2 more)"), std::string::npos) << line;
  EXPECT_EQ(line.find("rows[5]"), std::string::npos);
}

TEST(DescribeError, UsesTheMessageWithoutViolationsAndKeepsHints) {
  absl::Status status =
      WithHint(FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "submission 9 not found")),
               "check the id");
  EXPECT_EQ(DescribeError(status), "not found: submission 9 not found (check the id)");
  absl::Status local = FieldError("mtm", "is required");
  EXPECT_EQ(DescribeError(WithHint(local, "hint")), "invalid argument: mtm: is required");
}

}  // namespace
}  // namespace riskcap::client
