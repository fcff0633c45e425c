// Decoding of rich error details in tests.
#include "tests/testing/grpc_errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace riskcap::testing {

std::vector<std::pair<std::string, std::string>> FieldViolations(const grpc::Status& status) {
  std::vector<std::pair<std::string, std::string>> out;
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return out;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (!any.UnpackTo(&bad_request)) continue;
    for (const auto& v : bad_request.field_violations()) out.emplace_back(v.field(), v.description());
  }
  return out;
}

std::vector<std::string> ViolatedFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : FieldViolations(status)) fields.push_back(field);
  return fields;
}

}  // namespace riskcap::testing
