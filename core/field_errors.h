// Field-level input errors: collected per request, carried inside an InvalidArgument status so
// the wire layer can turn them into google.rpc.BadRequest field violations.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace riskcap {

struct FieldViolation {
  std::string field;        // e.g. "local_margin" or "submissions[3].fund_id"
  std::string description;  // why it is wrong, e.g. "must be >= 0, got \"-1\""
  bool operator==(const FieldViolation&) const = default;
};

// Collects violations for one request. Not thread-safe.
class FieldErrors {
 public:
  void Add(std::string_view field, std::string_view description);
  // Adds the message of a failed `status` (e.g. from Money::Parse) against `field`; no-op on OK.
  void AddStatus(std::string_view field, const absl::Status& status);
  // Adds the violations `status` carries (see FieldViolationsOf); no-op when it carries none.
  void AddViolationsOf(const absl::Status& status);
  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // OK when empty; else InvalidArgument whose message lists every violation and whose payload
  // carries them for FieldViolationsOf.
  absl::Status ToStatus() const;

 private:
  std::vector<FieldViolation> violations_;
};

// InvalidArgument for a single bad field.
absl::Status FieldError(std::string_view field, std::string_view description);

// The violations carried by `status` (empty when it carries none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

}  // namespace riskcap
