// A fund manager's margin ("risk capital") report and the analyst's exemptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"
#include "core/money.h"

namespace riskcap {

// One report for one fund and reference date. Never erased: a later submission for the same fund
// supersedes it for status purposes only.
struct MarginSubmission {
  int64_t id = 0;  // store-assigned
  int64_t fund_id = 0;
  Date reference_date;
  Money local_margin;     // margin for OTC derivatives without a CCP, fund currency
  Money offshore_margin;  // margin of offshore funds, fund currency
  std::string methodology;
  absl::Time submitted_at;
  std::string submitted_by;     // principal (API key id/label) that submitted it
  std::string idempotency_key;  // the client's request_id; unique
  std::string content_hash;     // hex SHA-256 of the canonical request content
  SubmissionState state = SubmissionState::kReceived;
  std::string decision_reason;       // why validated/rejected
  std::string decided_by;            // analyst principal
  std::optional<absl::Time> decided_at;
};

// An analyst's decision that a fund counts as validated for a period.
struct Exemption {
  int64_t id = 0;
  int64_t fund_id = 0;
  std::string reason;
  Date valid_from;
  Date valid_to;  // inclusive
  std::string granted_by;
  absl::Time granted_at;
  std::optional<absl::Time> revoked_at;
  std::string revoked_by;
};

}  // namespace riskcap

namespace riskcap {

// The canonical text a submission's content hash is taken over (docs/api.md): one "key=value"
// line per field, amounts in canonical form, no trailing newline. Two requests with the same
// meaning ("1000" and "1000.00") have the same canonical content.
std::string CanonicalSubmissionContent(int64_t fund_id, Date reference_date, Money local_margin,
                                       Money offshore_margin, const std::string& methodology);

}  // namespace riskcap
