// Any API message as a table row, by reflection: one column per scalar field named as the field
// (nested messages flattened as "<field>_<inner>"), so every command prints resources the same way
// and column names match the data-file conventions of docs (formats: snake_case field names).
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <vector>

#include "client/output.h"

namespace riskcap::client {

// The columns of `type`: scalar fields by name; google.protobuf wrappers and Timestamps as one
// column; other nested messages flattened with their field name as prefix; maps and repeated
// scalars as one column.
std::vector<std::string> ProtoColumns(const google::protobuf::Descriptor& type);

// The cells of `message` in ProtoColumns order: integers as numbers, money and other strings
// verbatim, enums without their type prefix, wrappers as their value (null when unset),
// timestamps as RFC 3339 (null when unset), maps as "k=v;k=v", repeated messages as an array of
// objects like ProtoObject's.
std::vector<Json> ProtoCells(const google::protobuf::Message& message);

// An empty table with ProtoColumns(type).
Table ProtoTable(const google::protobuf::Descriptor& type, Table::Layout layout);

// A table of one message (kRecord layout).
Table ProtoRecord(const google::protobuf::Message& message);

// `message` as one JSON object of its cells (ProtoColumns keys), e.g. for JSON lines.
Json ProtoObject(const google::protobuf::Message& message);

}  // namespace riskcap::client
