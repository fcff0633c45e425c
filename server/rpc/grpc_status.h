// The one place where absl::Status becomes grpc::Status at the wire, with field violations as
// google.rpc.BadRequest details (grpc-status-details-bin). Only the code, the message and the
// violations cross: a store failure's driver detail (db/store_error.h) goes to the server log.
#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"

namespace riskcap::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace riskcap::server
