// Every riskcap gRPC service over one store: what riskcapd serves, built in one place.
#pragma once

#include <memory>
#include <vector>

#include <grpcpp/impl/service_type.h>

#include "server/rpc/rpc.h"

namespace riskcap::server {

// Owns the services; `env` must outlive them.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env);

// Fully-qualified names of the services MakeServices builds, for health checking.
std::vector<std::string> ServiceNames();

}  // namespace riskcap::server
