// Typed reads of the members of a JSON object from an input file, recording one field violation
// per missing, mistyped or unknown member instead of stopping at the first.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "client/output.h"
#include "core/enums.h"
#include "core/field_errors.h"

namespace riskcap::client {

// Violations are recorded at "<path>.<key>" and described as "<who>: <label> ...", e.g.
// "netting_sets[0].trades[1].mtm" / "netting set NS1 trade T2: mtm must be a number, got \"x\"".
// Not thread-safe; `object` and `errors` must outlive the reader.
class JsonObjectReader {
 public:
  // `label_prefix` names nested members in messages ("option." for "option.strike").
  JsonObjectReader(const Json& object, std::string path, std::string who, FieldErrors& errors,
                   std::string label_prefix = "");

  // False when the value is not an object (already recorded); reads then return defaults.
  bool is_object() const { return object_.is_object(); }
  bool Has(std::string_view key) const;

  // Absent or null optional members read as the zero value.
  std::string String(std::string_view key, bool required);
  double Number(std::string_view key, bool required);
  bool Bool(std::string_view key, bool required);
  int Int(std::string_view key, int fallback);
  // The member when it is an array or object, else nullptr (recorded when required or mistyped).
  const Json* Array(std::string_view key, bool required);
  const Json* Object(std::string_view key, bool required);

  // An enum member by its canonical name ("IR"), as the proto value (core value + 1); 0 when
  // absent or unknown (unknown names are recorded, listing the accepted ones).
  template <typename E>
  int Enum(std::string_view key, bool required) {
    std::string text = String(key, required);
    if (text.empty()) return 0;
    auto value = ParseEnum<E>(text);
    if (value.ok()) return static_cast<int>(*value) + 1;
    std::string names;
    for (std::string_view name : EnumNames<E>::kNames) {
      names += (names.empty() ? "one of " : ", ") + std::string(name);
    }
    Mistyped(key, names, Json(text));
    return 0;
  }

  // Records every member not in `known`.
  void RejectUnknownKeys(std::initializer_list<std::string_view> known);
  // Records a violation at `key` ("" for the object itself).
  void Violation(std::string_view key, std::string_view message);
  // "<path>.<key>" (or just key at the top level).
  std::string PathOf(std::string_view key) const;

 private:
  // The member, or nullptr when absent or null (recorded when required).
  const Json* Get(std::string_view key, bool required);
  // Records "<label> must be <expected>, got <value>".
  void Mistyped(std::string_view key, std::string_view expected, const Json& value);

  const Json& object_;
  std::string path_;
  std::string who_;
  FieldErrors& errors_;
  std::string label_prefix_;
};

}  // namespace riskcap::client
