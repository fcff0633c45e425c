// Test support: reads the google.rpc.BadRequest field violations out of a grpc::Status.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace riskcap::testing {

// (field, description) pairs from the status's google.rpc.Status details; empty when none.
std::vector<std::pair<std::string, std::string>> FieldViolations(const grpc::Status& status);

// Just the field paths, in order.
std::vector<std::string> ViolatedFields(const grpc::Status& status);

}  // namespace riskcap::testing
