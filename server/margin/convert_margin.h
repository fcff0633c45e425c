// Margin submissions: request validation and proto <-> core mapping.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/date.h"
#include "core/margin_submission.h"
#include "riskcap/v1/common.pb.h"
#include "riskcap/v1/margin.pb.h"

namespace riskcap::server {

// A SubmitMarginRequest whose fields passed validation.
struct SubmissionInput {
  std::string request_id;
  int64_t fund_id = 0;
  Date reference_date;
  Money local_margin;
  Money offshore_margin;
  std::string methodology;
};

constexpr size_t kMaxMethodologyLength = 4000;

// Checks every field (request_id, fund_id > 0, reference date not after `today`, amounts exact
// with <= 6 decimals and >= 0, methodology 1..4000 characters) and reports all violations at once.
absl::StatusOr<SubmissionInput> ParseSubmitRequest(const v1::SubmitMarginRequest& request,
                                                   Date today);

// The stored submission as the API shows it; `manager_id` is the fund's manager.
void ToProto(const MarginSubmission& submission, int64_t manager_id, v1::MarginSubmission* out);

// The client's request_id from a stored, caller-scoped idempotency key ("scope/request_id").
std::string RequestIdOf(const std::string& idempotency_key);

}  // namespace riskcap::server
