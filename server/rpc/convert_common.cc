// Shared proto <-> core conversions.
#include "server/rpc/convert_common.h"

namespace riskcap::server {

void ToProtoTime(absl::Time t, google::protobuf::Timestamp* out) {
  int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1'000'000;
  int64_t rem = micros % 1'000'000;
  if (rem < 0) {
    rem += 1'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

Money ParseMoneyField(const std::string& text, const std::string& field, FieldErrors& errors) {
  if (text.empty()) {
    errors.Add(field, "is required (an exact decimal string such as \"1234.56\")");
    return Money();
  }
  auto parsed = Money::Parse(text);
  if (!parsed.ok()) {
    errors.AddStatus(field, parsed.status());
    return Money();
  }
  return *parsed;
}

Date ParseDateField(const std::string& text, const std::string& field, FieldErrors& errors) {
  if (text.empty()) {
    errors.Add(field, "is required (\"YYYY-MM-DD\")");
    return Date();
  }
  auto parsed = ParseDate(text);
  if (!parsed.ok()) {
    errors.AddStatus(field, parsed.status());
    return Date();
  }
  return *parsed;
}

}  // namespace riskcap::server
