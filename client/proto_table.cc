// Reflection-driven rows of API messages.
#include "client/proto_table.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/proto_format.h"

namespace riskcap::client {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsWrapper(const Descriptor& type) {
  return type.file()->name() == "google/protobuf/wrappers.proto";
}

bool IsTimestamp(const Descriptor& type) { return type.full_name() == "google.protobuf.Timestamp"; }

// A field shown as a single column (as opposed to a flattened nested message).
bool IsSingleColumn(const FieldDescriptor& field) {
  if (field.is_repeated() || field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
  return IsWrapper(*field.message_type()) || IsTimestamp(*field.message_type());
}

void AddColumns(const Descriptor& type, const std::string& prefix,
                std::vector<std::string>& columns) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    std::string name = absl::StrCat(prefix, field.name());
    if (IsSingleColumn(field)) {
      columns.push_back(name);
    } else {
      AddColumns(*field.message_type(), absl::StrCat(name, "_"), columns);
    }
  }
}

// One value of a scalar (non-message) field; `index` < 0 for a singular field.
Json ScalarCell(const Message& m, const FieldDescriptor& f, int index) {
  const Reflection& r = *m.GetReflection();
  bool rep = index >= 0;
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return rep ? r.GetRepeatedInt32(m, &f, index) : r.GetInt32(m, &f);
    case FieldDescriptor::CPPTYPE_INT64:
      return rep ? r.GetRepeatedInt64(m, &f, index) : r.GetInt64(m, &f);
    case FieldDescriptor::CPPTYPE_UINT32:
      return rep ? r.GetRepeatedUInt32(m, &f, index) : r.GetUInt32(m, &f);
    case FieldDescriptor::CPPTYPE_UINT64:
      return rep ? r.GetRepeatedUInt64(m, &f, index) : r.GetUInt64(m, &f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return rep ? r.GetRepeatedDouble(m, &f, index) : r.GetDouble(m, &f);
    case FieldDescriptor::CPPTYPE_FLOAT:
      return rep ? r.GetRepeatedFloat(m, &f, index) : r.GetFloat(m, &f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return rep ? r.GetRepeatedBool(m, &f, index) : r.GetBool(m, &f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumText(*f.enum_type(),
                      rep ? r.GetRepeatedEnumValue(m, &f, index) : r.GetEnumValue(m, &f));
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r.GetRepeatedString(m, &f, index) : r.GetString(m, &f);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;
  }
  return Json();
}

Json MessageCell(const Message& value) {
  const Descriptor& type = *value.GetDescriptor();
  if (IsTimestamp(type)) {
    return TimestampCell(static_cast<const google::protobuf::Timestamp&>(value));
  }
  if (IsWrapper(type)) return ScalarCell(value, *type.FindFieldByName("value"), -1);
  return Json(value.ShortDebugString());
}

Json ProtoObjectOf(const Message& message);

// A map or repeated scalar field: "k=v;k=v" or "a;b" (CSV and table cells hold one value). A
// repeated message field: an array of objects like ProtoObject's (JSON output keeps the
// structure; CellText shows it to humans as "k=v k=v; k=v k=v").
Json RepeatedCell(const Message& m, const FieldDescriptor& f) {
  const Reflection& r = *m.GetReflection();
  if (!f.is_map() && f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    Json items = Json::array();
    for (int i = 0; i < r.FieldSize(m, &f); ++i) {
      items.push_back(ProtoObjectOf(r.GetRepeatedMessage(m, &f, i)));
    }
    return items;
  }
  std::vector<std::string> parts;
  for (int i = 0; i < r.FieldSize(m, &f); ++i) {
    if (f.is_map()) {
      const Message& entry = r.GetRepeatedMessage(m, &f, i);
      const Descriptor& e = *entry.GetDescriptor();
      parts.push_back(absl::StrCat(CellText(ScalarCell(entry, *e.map_key(), -1), false), "=",
                                   CellText(ScalarCell(entry, *e.map_value(), -1), false)));
    } else {
      parts.push_back(CellText(ScalarCell(m, f, i), false));
    }
  }
  // Maps iterate in no particular order; sorted text is stable.
  if (f.is_map()) std::sort(parts.begin(), parts.end());
  return absl::StrJoin(parts, ";");
}

void AddCells(const Message& m, std::vector<Json>& cells) {
  const Descriptor& type = *m.GetDescriptor();
  const Reflection& r = *m.GetReflection();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& f = *type.field(i);
    if (f.is_repeated()) {
      cells.push_back(RepeatedCell(m, f));
    } else if (f.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      cells.push_back(ScalarCell(m, f, -1));
    } else if (IsSingleColumn(f)) {
      cells.push_back(r.HasField(m, &f) ? MessageCell(r.GetMessage(m, &f)) : Json());
    } else {
      AddCells(r.GetMessage(m, &f), cells);  // the default instance when unset: zero values
    }
  }
}

Json ProtoObjectOf(const Message& message) {
  std::vector<std::string> columns;
  AddColumns(*message.GetDescriptor(), "", columns);
  std::vector<Json> cells;
  AddCells(message, cells);
  Json object = Json::object();
  for (size_t i = 0; i < columns.size(); ++i) object[columns[i]] = cells[i];
  return object;
}

}  // namespace

std::vector<std::string> ProtoColumns(const Descriptor& type) {
  std::vector<std::string> columns;
  AddColumns(type, "", columns);
  return columns;
}

std::vector<Json> ProtoCells(const Message& message) {
  std::vector<Json> cells;
  AddCells(message, cells);
  return cells;
}

Table ProtoTable(const Descriptor& type, Table::Layout layout) {
  return Table(ProtoColumns(type), layout);
}

Table ProtoRecord(const Message& message) {
  Table table = ProtoTable(*message.GetDescriptor(), Table::Layout::kRecord);
  table.AddRow(ProtoCells(message));
  return table;
}

Json ProtoObject(const Message& message) { return ProtoObjectOf(message); }

}  // namespace riskcap::client
