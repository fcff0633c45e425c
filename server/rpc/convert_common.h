// Proto <-> core conversions shared by every service: timestamps, exact decimals, dates, enums.
// Domain-specific mappings live in convert_<domain>.{h,cc}; each mapping exists once.
#pragma once

#include <cstdint>
#include <string>

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/date.h"
#include "core/enums.h"
#include "core/field_errors.h"
#include "core/money.h"

namespace riskcap::server {

void ToProtoTime(absl::Time t, google::protobuf::Timestamp* out);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);

// Parses an exact decimal field, recording a violation against `field` on failure.
Money ParseMoneyField(const std::string& text, const std::string& field, FieldErrors& errors);
// Parses a "YYYY-MM-DD" field; an empty string is "required".
Date ParseDateField(const std::string& text, const std::string& field, FieldErrors& errors);

// Proto enums number their values as the core enum + 1, with 0 = *_UNSPECIFIED.
template <typename CoreEnum, typename ProtoEnum>
ProtoEnum ToProtoEnum(CoreEnum value) {
  return static_cast<ProtoEnum>(static_cast<int>(value) + 1);
}

// The core value of a proto enum; UNSPECIFIED or out of range records a violation.
template <typename CoreEnum, typename ProtoEnum>
CoreEnum FromProtoEnum(ProtoEnum value, const std::string& field, FieldErrors& errors) {
  int index = static_cast<int>(value) - 1;
  if (index < 0 || index >= static_cast<int>(EnumNames<CoreEnum>::kNames.size())) {
    errors.Add(field, "is required (one of the enum's named values)");
    return CoreEnum{};
  }
  return static_cast<CoreEnum>(index);
}

}  // namespace riskcap::server
