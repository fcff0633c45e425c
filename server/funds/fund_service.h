// FundService: the registry of managers and funds, and analysts' exemptions.
#pragma once

#include "riskcap/v1/fund.grpc.pb.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// Every RPC goes through HandleRpc (authentication, audit of mutating calls, status mapping).
// Creates and updates are ADMIN only; a MANAGER key sees only its own manager and funds, and is
// told PERMISSION_DENIED for anything else whether or not it exists.
// Safe for concurrent use: holds no state beyond the injected environment.
class FundServiceImpl final : public v1::FundService::Service {
 public:
  explicit FundServiceImpl(const RpcEnv& env) : env_(env) {}

  grpc::Status CreateManager(grpc::ServerContext* context, const v1::CreateManagerRequest* request,
                             v1::Manager* response) override;
  grpc::Status UpdateManager(grpc::ServerContext* context, const v1::UpdateManagerRequest* request,
                             v1::Manager* response) override;
  grpc::Status GetManager(grpc::ServerContext* context, const v1::GetManagerRequest* request,
                          v1::Manager* response) override;
  grpc::Status ListManagers(grpc::ServerContext* context, const v1::ListManagersRequest* request,
                            v1::ListManagersResponse* response) override;
  grpc::Status CreateFund(grpc::ServerContext* context, const v1::CreateFundRequest* request,
                          v1::Fund* response) override;
  grpc::Status UpdateFund(grpc::ServerContext* context, const v1::UpdateFundRequest* request,
                          v1::Fund* response) override;
  grpc::Status GetFund(grpc::ServerContext* context, const v1::GetFundRequest* request,
                       v1::Fund* response) override;
  grpc::Status ListFunds(grpc::ServerContext* context, const v1::ListFundsRequest* request,
                         v1::ListFundsResponse* response) override;
  grpc::Status GrantExemption(grpc::ServerContext* context,
                              const v1::GrantExemptionRequest* request,
                              v1::Exemption* response) override;
  grpc::Status RevokeExemption(grpc::ServerContext* context,
                               const v1::RevokeExemptionRequest* request,
                               v1::Exemption* response) override;
  grpc::Status ListExemptions(grpc::ServerContext* context,
                              const v1::ListExemptionsRequest* request,
                              v1::ListExemptionsResponse* response) override;

 private:
  const RpcEnv& env_;
};

}  // namespace riskcap::server
