// SnapshotService: point-in-time reads of NAV snapshots, NAV history, positions and exposures.
#pragma once

#include <grpcpp/grpcpp.h>

#include "riskcap/v1/snapshot.grpc.pb.h"
#include "server/rpc/rpc.h"

namespace riskcap::server {

// All roles may read; MANAGER keys only their own funds (another manager's fund and a fund that
// does not exist both give PERMISSION_DENIED), and ListExposures shows them only their funds.
//
// Selecting a snapshot (snapshot.proto): `as_of_date` alone reads the current version of the
// latest reference date on or before it (empty = the latest reference date); `as_of_date` with
// `version` reads exactly that version of that date. List pages pin the snapshot they started on.
//
// Thread safety: safe for concurrent use.
class SnapshotServiceImpl final : public v1::SnapshotService::Service {
 public:
  explicit SnapshotServiceImpl(RpcEnv& env);

  grpc::Status GetNavSnapshot(grpc::ServerContext* context,
                              const v1::GetNavSnapshotRequest* request,
                              v1::NavSnapshot* response) override;
  grpc::Status ListNavHistory(grpc::ServerContext* context,
                              const v1::ListNavHistoryRequest* request,
                              v1::ListNavHistoryResponse* response) override;
  grpc::Status ListPositions(grpc::ServerContext* context, const v1::ListPositionsRequest* request,
                             v1::ListPositionsResponse* response) override;
  grpc::Status GetExposure(grpc::ServerContext* context, const v1::GetExposureRequest* request,
                           v1::FundExposure* response) override;
  grpc::Status ListExposures(grpc::ServerContext* context, const v1::ListExposuresRequest* request,
                             v1::ListExposuresResponse* response) override;

 private:
  RpcEnv& env_;
};

}  // namespace riskcap::server
