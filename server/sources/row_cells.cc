// Field values from text, through protobuf reflection.
#include "server/sources/row_cells.h"

#include <google/protobuf/wrappers.pb.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/utf8.h"

namespace riskcap::server::sources {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// An enum value by its full proto name ("POSITION_CLASSIFICATION_OTC_SWAP"), its short name
// without the enum's common prefix ("OTC_SWAP"), or its number (protobuf's JSON mapping allows it).
const google::protobuf::EnumValueDescriptor* FindEnumValue(
    const google::protobuf::EnumDescriptor* e, const std::string& text) {
  if (const auto* v = e->FindValueByName(text)) return v;
  const std::string& first = e->value(0)->name();  // "<PREFIX>_UNSPECIFIED"
  const size_t cut = first.rfind("UNSPECIFIED");
  if (cut != std::string::npos && !text.empty() && text != "UNSPECIFIED") {
    if (const auto* v = e->FindValueByName(first.substr(0, cut) + text)) return v;
  }
  int number = 0;
  if (absl::SimpleAtoi(text, &number)) return e->FindValueByNumber(number);
  return nullptr;
}

}  // namespace

absl::Status SetCell(Message* msg, const FieldDescriptor* f, const std::string& cell) {
  if (cell.empty()) return absl::OkStatus();
  const Reflection* r = msg->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      r->SetString(msg, f, cell);
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(cell, &v)) break;
      r->SetInt64(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(cell, &v)) break;
      r->SetInt32(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(cell, &v)) break;
      r->SetDouble(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (cell != "true" && cell != "false") break;
      r->SetBool(msg, f, cell == "true");
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* value = FindEnumValue(f->enum_type(), cell);
      if (value == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("unknown value ", QuoteForMessage(cell)));
      }
      r->SetEnum(msg, f, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (f->message_type()->full_name() == "google.protobuf.DoubleValue") {
        double v;
        if (!absl::SimpleAtod(cell, &v)) break;
        static_cast<google::protobuf::DoubleValue*>(r->MutableMessage(msg, f))->set_value(v);
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError("nested fields are not supported in CSV");
    default:
      return absl::InvalidArgumentError("this field type is not supported in CSV");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("not a valid ", f->type_name(), ": ", QuoteForMessage(cell)));
}

}  // namespace riskcap::server::sources
