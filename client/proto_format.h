// Proto values as the CLI shows and reads them: timestamps as RFC 3339 UTC, enum values without
// their type prefix ("RECEIVED" for SUBMISSION_STATE_RECEIVED).
#pragma once

#include <google/protobuf/generated_enum_reflection.h>
#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>
#include <string_view>

#include "client/output.h"

namespace riskcap::client {

// "2026-11-24T12:00:00Z" (fractional seconds when present); null when `present` is false.
Json TimestampCell(const google::protobuf::Timestamp& time, bool present = true);

// The text after the enum's prefix, which is its zero value's name without "UNSPECIFIED".
std::string EnumText(const google::protobuf::EnumDescriptor& type, int value);
std::optional<int> EnumValue(const google::protobuf::EnumDescriptor& type, std::string_view text);

template <typename E>
std::string EnumText(E value) {
  return EnumText(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

// Parses "RECEIVED" (any case) as SUBMISSION_STATE_RECEIVED; nullopt when unknown.
template <typename E>
std::optional<E> ParseEnumText(std::string_view text) {
  std::optional<int> value = EnumValue(*google::protobuf::GetEnumDescriptor<E>(), text);
  if (!value) return std::nullopt;
  return static_cast<E>(*value);
}

// The accepted texts of an enum, e.g. {"RECEIVED", "VALIDATED", "REJECTED"}, for flag checks.
template <typename E>
std::vector<std::string> EnumTexts() {
  const google::protobuf::EnumDescriptor& type = *google::protobuf::GetEnumDescriptor<E>();
  std::vector<std::string> texts;
  for (int i = 0; i < type.value_count(); ++i) {
    if (type.value(i)->number() != 0) texts.push_back(EnumText(type, type.value(i)->number()));
  }
  return texts;
}

}  // namespace riskcap::client
