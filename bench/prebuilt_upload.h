// An IngestService upload whose messages were generated and serialized before the clock
// starts: the timed call only writes ready bytes through a generic stub and waits for the
// answer, so its wall time is the server's work and the transport, not the client's row
// generator or protobuf serializer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "bench/load_options.h"
#include "bench/row_generator.h"
#include "bench/upload_batch.h"
#include "riskcap/v1/ingest.pb.h"

namespace riskcap::bench {

struct PrebuiltUpload {
  std::string method;                      // "/riskcap.v1.IngestService/UploadPositions"
  UploadSpec spec;
  std::vector<grpc::ByteBuffer> messages;  // the header message, then the row messages
  int64_t bytes = 0;                       // their serialized size, all together
};

// Every message of a positions upload of spec.rows rows of `plan`, serialized once
// (SerializePositionsUpload) and held as ByteBuffers: about 170 bytes of memory per row.
PrebuiltUpload PrebuildPositionsUpload(const UploadSpec& spec, const RowPlan& plan);

// Sends `upload` in one client-streaming call carrying options' token and deadline, and
// returns the server's answer, which must be a new version of exactly spec.rows rows
// (CheckNewVersion). The messages are only written, never copied or re-encoded.
absl::StatusOr<v1::UploadResponse> SendPrebuiltUpload(const std::shared_ptr<grpc::Channel>& channel,
                                                      const LoadOptions& options,
                                                      const PrebuiltUpload& upload);

}  // namespace riskcap::bench
