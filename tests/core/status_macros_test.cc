// Tests for core/status_macros: RETURN_IF_ERROR and ASSIGN_OR_RETURN.
#include "core/status_macros.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

// Records how often each step ran, to show what the macros skip and what they evaluate.
struct Trace {
  int calls = 0;
  bool reached_end = false;
};

absl::Status Step(absl::Status result, Trace& trace) {
  ++trace.calls;
  return result;
}

absl::Status RunSteps(absl::Status first, Trace& trace) {
  RETURN_IF_ERROR(Step(first, trace));
  RETURN_IF_ERROR(Step(absl::OkStatus(), trace));
  trace.reached_end = true;
  return absl::OkStatus();
}

TEST(StatusMacros, ReturnIfErrorContinuesOnOk) {
  Trace trace;
  EXPECT_TRUE(RunSteps(absl::OkStatus(), trace).ok());
  EXPECT_EQ(trace.calls, 2);
  EXPECT_TRUE(trace.reached_end);
}

TEST(StatusMacros, ReturnIfErrorReturnsTheErrorUnchangedAndStops) {
  Trace trace;
  const absl::Status status = RunSteps(absl::NotFoundError("fund F1 not found"), trace);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "fund F1 not found");
  EXPECT_EQ(trace.calls, 1);
  EXPECT_FALSE(trace.reached_end);
}

TEST(StatusMacros, ReturnIfErrorWorksInAFunctionReturningStatusOr) {
  auto run = [](absl::Status s) -> absl::StatusOr<int> {
    RETURN_IF_ERROR(s);
    return 7;
  };
  EXPECT_EQ(*run(absl::OkStatus()), 7);
  EXPECT_EQ(run(absl::InternalError("boom")).status().code(), absl::StatusCode::kInternal);
}

TEST(StatusMacros, ReturnIfErrorIsOneStatementUnderAnUnbracedIf) {
  auto run = [](bool check, absl::Status s) {
    if (check)
      RETURN_IF_ERROR(s);
    else
      return absl::AbortedError("unchecked");
    return absl::OkStatus();
  };
  EXPECT_EQ(run(true, absl::DataLossError("x")).code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(run(true, absl::OkStatus()).ok());
  EXPECT_EQ(run(false, absl::OkStatus()).code(), absl::StatusCode::kAborted);
}

absl::StatusOr<int> Half(int n, int& calls) {
  ++calls;
  if (n % 2 != 0) return absl::InvalidArgumentError("odd number");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n, int& calls) {
  ASSIGN_OR_RETURN(const int half, Half(n, calls));
  ASSIGN_OR_RETURN(int quarter, Half(half, calls));
  return quarter;
}

TEST(StatusMacros, AssignOrReturnBindsTheValue) {
  int calls = 0;
  EXPECT_EQ(*Quarter(12, calls), 3);
  EXPECT_EQ(calls, 2);
}

TEST(StatusMacros, AssignOrReturnReturnsTheErrorAndStops) {
  int calls = 0;
  const absl::StatusOr<int> result = Quarter(7, calls);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "odd number");
  EXPECT_EQ(calls, 1);
}

TEST(StatusMacros, AssignOrReturnAssignsToAnExistingVariable) {
  auto run = [](int n, int& out) -> absl::Status {
    int calls = 0;
    ASSIGN_OR_RETURN(out, Half(n, calls));
    return absl::OkStatus();
  };
  int out = -1;
  EXPECT_TRUE(run(10, out).ok());
  EXPECT_EQ(out, 5);
  EXPECT_EQ(run(3, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out, 5);
}

TEST(StatusMacros, AssignOrReturnMovesMoveOnlyValues) {
  auto make = [](bool ok) -> absl::StatusOr<std::unique_ptr<std::string>> {
    if (!ok) return absl::UnavailableError("no store");
    return std::make_unique<std::string>("fund");
  };
  auto run = [&make](bool ok) -> absl::StatusOr<std::string> {
    ASSIGN_OR_RETURN(std::unique_ptr<std::string> value, make(ok));
    return *value;
  };
  EXPECT_EQ(*run(true), "fund");
  EXPECT_EQ(run(false).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace riskcap
