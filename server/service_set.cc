// The list of services riskcapd serves.
#include "server/service_set.h"

#include "server/margin_service.h"

namespace riskcap::server {

std::vector<std::unique_ptr<grpc::Service>> MakeServices(RpcEnv& env) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<MarginServiceImpl>(env));
  return services;
}

std::vector<std::string> ServiceNames() {
  return {v1::MarginService::service_full_name()};
}

}  // namespace riskcap::server
