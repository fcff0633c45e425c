// Field values from text, through protobuf reflection.
#include "protos/rows/field_text.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/utf8.h"

namespace riskcap::rows {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Expected(std::string_view what, std::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("must be ", AbslView(what), ", got ", QuoteForMessage(text)));
}

// An enum value by its full proto name ("POSITION_CLASSIFICATION_OTC_SWAP"), its name without
// the prefix the enum's first value carries ("OTC_SWAP"), in any case, or its number (protobuf's
// JSON mapping allows numbers).
const EnumValueDescriptor* FindEnumValue(const EnumDescriptor& type, std::string_view text) {
  const std::string upper = absl::AsciiStrToUpper(AbslView(text));
  if (const EnumValueDescriptor* v = type.FindValueByName(upper)) return v;
  const std::string& first = type.value(0)->name();  // "<PREFIX>_UNSPECIFIED"
  const size_t cut = first.rfind("UNSPECIFIED");
  if (cut != std::string::npos && cut > 0) {
    if (const EnumValueDescriptor* v = type.FindValueByName(first.substr(0, cut) + upper)) {
      return v;
    }
  }
  int number = 0;
  if (absl::SimpleAtoi(AbslView(text), &number)) return type.FindValueByNumber(number);
  return nullptr;
}

bool ParseBool(std::string_view text, bool* out) {
  return absl::SimpleAtob(AbslView(text), out);
}

// A finite double: "inf" and "nan" are not amounts anyone means.
bool ParseFinite(std::string_view text, double* out) {
  return absl::SimpleAtod(AbslView(text), out) && std::isfinite(*out);
}

// Enum texts longer than this are looked up the slow way (no enum name is near it).
constexpr size_t kMaxEnumText = 128;

// An enum's values by every upper-case text FindEnumValue resolves by name: the full name, then
// the name without the prefix of "<PREFIX>_UNSPECIFIED" (a full name wins).
absl::flat_hash_map<std::string, const EnumValueDescriptor*> EnumNamesOf(
    const EnumDescriptor& type) {
  absl::flat_hash_map<std::string, const EnumValueDescriptor*> names;
  for (int i = 0; i < type.value_count(); ++i) {
    const std::string& name = type.value(i)->name();
    if (name == absl::AsciiStrToUpper(name)) names.emplace(name, type.value(i));
  }
  const std::string& first = type.value(0)->name();
  const size_t cut = first.rfind("UNSPECIFIED");
  if (cut == std::string::npos || cut == 0) return names;
  const std::string prefix = first.substr(0, cut);
  for (int i = 0; i < type.value_count(); ++i) {
    const std::string& name = type.value(i)->name();
    if (absl::StartsWith(name, prefix) && name == absl::AsciiStrToUpper(name)) {
      names.emplace(name.substr(prefix.size()), type.value(i));  // keeps a full name's entry
    }
  }
  return names;
}

// The value rules; `fields`, when given, is the row type's table and resolves enums without a
// search by name.
absl::Status SetValue(Message& row, const FieldDescriptor& field, std::string_view text,
                      const RowFields* fields) {
  if (text.empty()) return absl::OkStatus();
  const Reflection& r = *row.GetReflection();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r.SetString(&row, &field, std::string(text));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(AbslView(text), &v)) return Expected("a 32-bit integer", text);
      r.SetInt32(&row, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(AbslView(text), &v)) return Expected("an integer", text);
      r.SetInt64(&row, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(AbslView(text), &v)) return Expected("a 32-bit integer >= 0", text);
      r.SetUInt32(&row, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(AbslView(text), &v)) return Expected("an integer >= 0", text);
      r.SetUInt64(&row, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!ParseFinite(text, &v)) return Expected("a number", text);
      r.SetDouble(&row, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double v;
      if (!ParseFinite(text, &v) || std::abs(v) > std::numeric_limits<float>::max()) {
        return Expected("a number within a float's range", text);
      }
      r.SetFloat(&row, &field, static_cast<float>(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (!ParseBool(text, &v)) return Expected("true or false", text);
      r.SetBool(&row, &field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumDescriptor& type = *field.enum_type();
      const EnumValueDescriptor* value =
          fields != nullptr ? fields->FindEnum(type, text) : FindEnumValue(type, text);
      if (value == nullptr) return Expected(absl::StrCat("a ", type.name()), text);
      r.SetEnum(&row, &field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!IsScalarField(field)) {
        return absl::InvalidArgumentError("is a nested message: use a JSON object");
      }
      Message& wrapper = *r.MutableMessage(&row, &field);
      return SetValue(wrapper, *field.message_type()->field(0), text, nullptr);  // its "value"
    }
  }
  return absl::InternalError("unknown field type");
}

}  // namespace

std::string NameInPath(std::string_view name) {
  const bool plain = !name.empty() && name.size() <= 64 &&
                     std::all_of(name.begin(), name.end(), [](char c) {
                       return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
                     });
  return plain ? std::string(name) : QuoteForMessage(name);
}

bool IsScalarField(const FieldDescriptor& field) {
  if (field.is_repeated()) return false;
  if (field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  return field.message_type()->file()->name() == "google/protobuf/wrappers.proto";
}

const FieldDescriptor* FindRowField(const google::protobuf::Descriptor& type,
                                    const std::string& name) {
  if (const FieldDescriptor* f = type.FindFieldByName(name)) return f;
  return type.FindFieldByCamelcaseName(name);
}

absl::Status SetFieldFromText(Message& row, const FieldDescriptor& field, std::string_view text) {
  return SetValue(row, field, text, nullptr);
}

RowFields::RowFields(const google::protobuf::Descriptor& type) : type_(type) {
  for (int i = 0; i < type.field_count(); ++i) {
    by_name_.emplace(type.field(i)->name(), type.field(i));
  }
  for (int i = 0; i < type.field_count(); ++i) {  // a snake_case name wins, as in FindRowField
    by_name_.emplace(type.field(i)->camelcase_name(), type.field(i));
  }
  for (int i = 0; i < type.field_count(); ++i) {
    const EnumDescriptor* e = type.field(i)->enum_type();
    if (e != nullptr && !enums_.contains(e)) enums_.emplace(e, EnumNamesOf(*e));
  }
}

const FieldDescriptor* RowFields::Find(std::string_view name) const {
  auto it = by_name_.find(AbslView(name));
  return it == by_name_.end() ? nullptr : it->second;
}

absl::Status RowFields::Set(Message& row, const FieldDescriptor& field,
                            std::string_view text) const {
  return SetValue(row, field, text, this);
}

const EnumValueDescriptor* RowFields::FindEnum(const EnumDescriptor& type,
                                               std::string_view text) const {
  auto names = enums_.find(&type);
  if (names == enums_.end() || text.size() > kMaxEnumText) return FindEnumValue(type, text);
  char upper[kMaxEnumText];
  for (size_t i = 0; i < text.size(); ++i) upper[i] = absl::ascii_toupper(text[i]);
  auto it = names->second.find(absl::string_view(upper, text.size()));
  if (it != names->second.end()) return it->second;
  return FindEnumValue(type, text);  // a number, or no value at all
}

}  // namespace riskcap::rows
