// IngestService: client-streaming uploads of NAV snapshots, NAV history and positions, each
// applied all or nothing as a new snapshot version and recorded as a job run.
#pragma once

#include <grpcpp/grpcpp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "riskcap/v1/ingest.grpc.pb.h"
#include "server/rpc/rpc.h"
#include "server/ingest/upload_spool.h"

namespace riskcap::server {

struct IngestLimits {
  // Rows one upload may carry; beyond it the call fails with RESOURCE_EXHAUSTED.
  int64_t max_rows = 5'000'000;
  // Where validated rows are spooled until the upload is complete (TMPDIR, else /tmp, when
  // empty); the files are unlinked at once and need about 150 bytes per position row.
  std::string spool_dir;
  // Rows sorted in memory before they are spooled as one run (see UploadSpool); tests make it
  // small to exercise the merge.
  size_t spool_run_rows = UploadSpool<Position>::kDefaultRunRows;
};

// Roles SERVICE and ADMIN. An upload is never held in memory whole: each row is validated as it
// arrives and spooled to a temporary file (server/ingest/upload_spool.h) in sorted runs. When the client
// closes the stream and every row is valid, the spool yields the content hash (a merge of the
// runs) and then streams the rows into ONE store transaction (Store::Write*Stream). Peak memory
// is about one run of rows (64 Ki rows, ~27 MB of positions) plus gRPC's buffers, whatever the
// upload's size. A bad row anywhere means nothing is written and no job run is recorded.
// The write transaction is not held while the client streams, so a slow client never blocks
// other writers (e.g. SubmitMargin on SQLite); it spans only the final write of the rows.
//
// Idempotency. The store keeps no table of upload request ids, so each applied upload is
// recorded as a SUCCEEDED job run of its job ("nav_snapshot", "nav_history", "positions") whose
// params_json is {"request_id":"...","source":"..."} and whose output_hash is the content hash:
// - a request_id already recorded with the same reference date, source and content hash returns
//   that run's version with replayed = true; with anything different, ALREADY_EXISTS;
// - content whose hash equals the current version of its dataset and reference date writes no
//   new version: it is recorded as a run that wrote nothing and returns the current version with
//   replayed = true (so re-sending identical data is a no-op).
// Uploads of one dataset are serialised within this process; two replicas receiving the same
// request_id at the same moment may both apply it.
//
// Streams: the key is authenticated (and its role checked) from the call's metadata before any
// message is read, the upload takes a place under env.streams (server/rpc/stream_limits.h), and a
// client that sends nothing for the stream idle limit, before or between messages, has its call
// cancelled. The key is checked again before the rows are applied: a revoked key writes nothing.
//
// Thread safety: safe for concurrent use (gRPC calls the methods from many threads).
class IngestServiceImpl final : public v1::IngestService::Service {
 public:
  explicit IngestServiceImpl(RpcEnv& env, IngestLimits limits = {});

  grpc::Status UploadNavSnapshots(grpc::ServerContext* context,
                                  grpc::ServerReader<v1::UploadNavSnapshotsRequest>* reader,
                                  v1::UploadResponse* response) override;
  grpc::Status UploadNavHistory(grpc::ServerContext* context,
                                grpc::ServerReader<v1::UploadNavHistoryRequest>* reader,
                                v1::UploadResponse* response) override;
  grpc::Status UploadPositions(grpc::ServerContext* context,
                               grpc::ServerReader<v1::UploadPositionsRequest>* reader,
                               v1::UploadResponse* response) override;

 private:
  RpcEnv& env_;
  IngestLimits limits_;
  // One per dataset (NAV snapshots, NAV history, positions): held from the replay check to the
  // write, so identical concurrent uploads in this process never write two versions.
  std::array<absl::Mutex, 3> apply_mu_;
};

}  // namespace riskcap::server
