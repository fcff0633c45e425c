// Sets one field of a row (a riskcap.v1 message) from text, through protobuf reflection: what a
// CSV cell or a scalar JSON member holds. The rules are docs/sources.md "Data files".
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace riskcap::rows {

// A field that one cell or JSON scalar sets: not repeated, and a scalar, an enum or a
// google.protobuf wrapper (DoubleValue, Int64Value, ...).
bool IsScalarField(const google::protobuf::FieldDescriptor& field);

// The field of `type` named `name` (snake_case) or, failing that, its JSON (lowerCamel) name.
const google::protobuf::FieldDescriptor* FindRowField(const google::protobuf::Descriptor& type,
                                                      const std::string& name);

// A member or column name as it stands in an error's path ("rows[3].<name>"): as it is when it is
// a plain identifier of at most 64 characters, else quoted and cut short (QuoteForMessage).
std::string NameInPath(std::string_view name);

// Sets scalar field `field` of `row` from `text` (an empty text leaves it unset): integers,
// finite numbers, booleans (true/false, t/f, yes/no, y/n, 1/0, any case), strings as they are,
// enums by full name, name without the enum's prefix (any case) or number, and wrappers as their
// value. InvalidArgument saying what was expected and what came (quoted, cut short); the caller
// names the row and the field.
absl::Status SetFieldFromText(google::protobuf::Message& row,
                              const google::protobuf::FieldDescriptor& field,
                              std::string_view text);

// One row type's fields and enum names, looked up once: a reader sets thousands of values of one
// type, and searching the descriptor by name for each (and upper-casing each enum text into a new
// string) cost more than parsing the JSON. Immutable once built: safe for concurrent use.
class RowFields {
 public:
  explicit RowFields(const google::protobuf::Descriptor& type);

  const google::protobuf::Descriptor& type() const { return type_; }

  // As FindRowField(type(), name).
  const google::protobuf::FieldDescriptor* Find(std::string_view name) const;

  // As SetFieldFromText, for a field of type().
  absl::Status Set(google::protobuf::Message& row, const google::protobuf::FieldDescriptor& field,
                   std::string_view text) const;

  // The value an enum's text names, as SetFieldFromText reads it; nullptr when none.
  const google::protobuf::EnumValueDescriptor* FindEnum(
      const google::protobuf::EnumDescriptor& type, std::string_view text) const;

 private:
  using EnumNames = absl::flat_hash_map<std::string, const google::protobuf::EnumValueDescriptor*>;

  const google::protobuf::Descriptor& type_;
  absl::flat_hash_map<std::string, const google::protobuf::FieldDescriptor*> by_name_;
  // Per enum of type(): its values by upper-case full name and by name without the prefix.
  absl::flat_hash_map<const google::protobuf::EnumDescriptor*, EnumNames> enums_;
};

}  // namespace riskcap::rows
