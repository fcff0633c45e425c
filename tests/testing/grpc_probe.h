// Test support: probes of the standard gRPC health and reflection services through the generic
// stub (Debian ships neither service's client stubs).
#pragma once

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace riskcap::testing {

// grpc.health.v1.Health/Check for `service` ("" = the whole server): true when SERVING.
absl::StatusOr<bool> HealthServing(const std::shared_ptr<grpc::Channel>& channel,
                                   const std::string& service = "");

// The raw ServerReflectionResponse of a list_services request (service names appear verbatim).
absl::StatusOr<std::string> ReflectionListServices(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace riskcap::testing
