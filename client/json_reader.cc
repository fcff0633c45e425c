// JsonObjectReader: member reads with field-level error reporting.
#include "client/json_reader.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/utf8.h"

namespace riskcap::client {
namespace {

constexpr size_t kMaxShownValue = 40;

// A short rendering of a bad value for messages, cut at a character boundary: the message stays
// valid UTF-8 (the parser accepted only well-formed strings).
std::string Shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() <= kMaxShownValue) return text;
  return absl::StrCat(AbslView(Utf8Prefix(text, kMaxShownValue)), "...");
}

}  // namespace

JsonObjectReader::JsonObjectReader(const Json& object, std::string path, std::string who,
                                   FieldErrors& errors, std::string label_prefix)
    : object_(object),
      path_(std::move(path)),
      who_(std::move(who)),
      errors_(errors),
      label_prefix_(std::move(label_prefix)) {
  if (!object_.is_object()) {
    Violation("", absl::StrCat("must be a JSON object, got ", Shown(object_)));
  }
}

bool JsonObjectReader::Has(std::string_view key) const {
  return is_object() && object_.contains(key) && !object_.at(std::string(key)).is_null();
}

std::string JsonObjectReader::PathOf(std::string_view key) const {
  if (key.empty()) return path_;
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", AbslView(key));
}

void JsonObjectReader::Violation(std::string_view key, std::string_view message) {
  std::string label = key.empty() ? "" : absl::StrCat(label_prefix_, AbslView(key), " ");
  errors_.Add(PathOf(key), absl::StrCat(who_, ": ", label, AbslView(message)));
}

void JsonObjectReader::Mistyped(std::string_view key, std::string_view expected,
                                const Json& value) {
  Violation(key, absl::StrCat("must be ", AbslView(expected), ", got ", Shown(value)));
}

const Json* JsonObjectReader::Get(std::string_view key, bool required) {
  if (!is_object()) return nullptr;
  if (!Has(key)) {
    if (required) Violation(key, "is required");
    return nullptr;
  }
  return &object_.at(std::string(key));
}

std::string JsonObjectReader::String(std::string_view key, bool required) {
  const Json* value = Get(key, required);
  if (value == nullptr) return "";
  if (!value->is_string()) {
    Mistyped(key, "a string", *value);
    return "";
  }
  return value->get<std::string>();
}

double JsonObjectReader::Number(std::string_view key, bool required) {
  const Json* value = Get(key, required);
  if (value == nullptr) return 0;
  if (!value->is_number()) {
    Mistyped(key, "a number", *value);
    return 0;
  }
  return value->get<double>();
}

bool JsonObjectReader::Bool(std::string_view key, bool required) {
  const Json* value = Get(key, required);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    Mistyped(key, "true or false", *value);
    return false;
  }
  return value->get<bool>();
}

int JsonObjectReader::Int(std::string_view key, int fallback) {
  const Json* value = Get(key, false);
  if (value == nullptr) return fallback;
  bool fits = value->is_number_integer() &&
              value->get<int64_t>() >= std::numeric_limits<int>::min() &&
              value->get<int64_t>() <= std::numeric_limits<int>::max();
  if (!fits) {
    Mistyped(key, "a whole number", *value);
    return fallback;
  }
  return static_cast<int>(value->get<int64_t>());
}

const Json* JsonObjectReader::Array(std::string_view key, bool required) {
  const Json* value = Get(key, required);
  if (value != nullptr && !value->is_array()) {
    Mistyped(key, "an array", *value);
    return nullptr;
  }
  return value;
}

const Json* JsonObjectReader::Object(std::string_view key, bool required) {
  const Json* value = Get(key, required);
  if (value != nullptr && !value->is_object()) {
    Mistyped(key, "an object", *value);
    return nullptr;
  }
  return value;
}

void JsonObjectReader::RejectUnknownKeys(std::initializer_list<std::string_view> known) {
  if (!is_object()) return;
  for (const auto& [key, value] : object_.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      Violation(key, "is not a known member (a typo?)");
    }
  }
}

}  // namespace riskcap::client
