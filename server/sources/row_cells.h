// Sets one field of a feed row (a riskcap.v1 message) from its text, through protobuf reflection:
// what a CSV cell or a scalar JSON member holds. Shared by the CSV and JSON feed readers.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace riskcap::server::sources {

// Sets scalar (or google.protobuf.DoubleValue) field `f` of `msg` from `cell`; an empty cell
// leaves it unset. InvalidArgument saying why (the value quoted, cut short) otherwise; the
// caller names the row and field.
absl::Status SetCell(google::protobuf::Message* msg, const google::protobuf::FieldDescriptor* f,
                     const std::string& cell);

}  // namespace riskcap::server::sources
