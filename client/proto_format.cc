// Timestamp and enum formatting shared by every command.
#include "client/proto_format.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace riskcap::client {
namespace {

std::string PrefixOf(const google::protobuf::EnumDescriptor& type) {
  const google::protobuf::EnumValueDescriptor* zero = type.FindValueByNumber(0);
  if (zero == nullptr) return "";
  return std::string(absl::StripSuffix(zero->name(), "UNSPECIFIED"));
}

}  // namespace

Json TimestampCell(const google::protobuf::Timestamp& time, bool present) {
  if (!present) return Json();
  absl::Time t = absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

std::string EnumText(const google::protobuf::EnumDescriptor& type, int value) {
  const google::protobuf::EnumValueDescriptor* v = type.FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  return std::string(absl::StripPrefix(v->name(), PrefixOf(type)));
}

std::optional<int> EnumValue(const google::protobuf::EnumDescriptor& type, std::string_view text) {
  std::string name = absl::StrCat(PrefixOf(type), absl::AsciiStrToUpper(std::string(text)));
  const google::protobuf::EnumValueDescriptor* v = type.FindValueByName(name);
  if (v == nullptr || v->number() == 0) return std::nullopt;
  return v->number();
}

}  // namespace riskcap::client
