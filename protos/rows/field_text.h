// Sets one field of a row (a riskcap.v1 message) from text, through protobuf reflection: what a
// CSV cell or a scalar JSON member holds. The rules are docs/sources.md "Data files".
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

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

}  // namespace riskcap::rows
