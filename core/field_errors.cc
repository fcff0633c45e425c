// FieldErrors: violations travel in a Status payload as "field\x1fdescription\x1e" records.
#include "core/field_errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/absl_compat.h"

namespace riskcap {
namespace {

constexpr char kPayloadUrl[] = "type.riskcap.dev/riskcap.FieldViolations";
constexpr char kFieldSep = '\x1f';
constexpr char kRecordSep = '\x1e';

}  // namespace

void FieldErrors::Add(std::string_view field, std::string_view description) {
  violations_.push_back({std::string(field), std::string(description)});
}

void FieldErrors::AddStatus(std::string_view field, const absl::Status& status) {
  if (!status.ok()) Add(field, StdView(status.message()));
}

void FieldErrors::AddViolationsOf(const absl::Status& status) {
  for (FieldViolation& v : FieldViolationsOf(status)) violations_.push_back(std::move(v));
}

absl::Status FieldErrors::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  std::string message = "invalid request: ";
  std::string payload;
  for (size_t i = 0; i < violations_.size(); ++i) {
    const FieldViolation& v = violations_[i];
    absl::StrAppend(&message, i == 0 ? "" : "; ", v.field, ": ", v.description);
    absl::StrAppend(&payload, v.field, std::string(1, kFieldSep), v.description,
                    std::string(1, kRecordSep));
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kPayloadUrl, absl::Cord(payload));
  return status;
}

absl::Status FieldError(std::string_view field, std::string_view description) {
  FieldErrors errors;
  errors.Add(field, description);
  return errors.ToStatus();
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kPayloadUrl);
  if (!payload) return out;
  std::string text(*payload);
  for (absl::string_view record : absl::StrSplit(text, kRecordSep, absl::SkipEmpty())) {
    size_t sep = record.find(kFieldSep);
    if (sep == absl::string_view::npos) continue;
    out.push_back({std::string(record.substr(0, sep)), std::string(record.substr(sep + 1))});
  }
  return out;
}

}  // namespace riskcap
