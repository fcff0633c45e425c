// One IngestService upload of generated rows, without the network: its messages (the header,
// then the rows in messages of a fixed size) and the answer the bench demands. Streaming as
// rows are made (upload_stream.h) and serializing ahead of a timed call (prebuilt_upload.h)
// both build their messages here, so both send the same rows in the same order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/row_generator.h"
#include "riskcap/v1/ingest.pb.h"

namespace riskcap::bench {

struct UploadSpec {
  std::string request_id;
  std::string reference_date;  // "YYYY-MM-DD"
  std::string source = "riskcap_bench";
  int64_t rows = 0;
  int64_t rows_per_message = 5'000;  // > 0
};

// Calls `emit(message)` with the header message, then with one message per
// spec.rows_per_message rows (the last one shorter) made by `fill(index, row)` in index order.
// Stops as soon as `emit` returns false; returns whether every message was emitted. The
// message passed to `emit` is reused for the next one.
template <typename Request, typename Fill, typename Emit>
bool ForEachUploadMessage(const UploadSpec& spec, Fill fill, Emit emit) {
  Request message;
  v1::UploadHeader* header = message.mutable_header();
  header->set_request_id(spec.request_id);
  header->set_reference_date(spec.reference_date);
  header->set_source(spec.source);
  if (!emit(message)) return false;
  for (int64_t i = 0; i < spec.rows; i += spec.rows_per_message) {
    message.Clear();
    auto* rows = message.mutable_rows();
    const int64_t end = std::min(spec.rows, i + spec.rows_per_message);
    for (int64_t j = i; j < end; ++j) fill(j, rows->add_rows());
    if (!emit(message)) return false;
  }
  return true;
}

// Every message of a positions upload of spec.rows rows of `plan` (GeneratePosition), each
// serialized once: element 0 is the header message, then the row messages in order.
std::vector<std::string> SerializePositionsUpload(const UploadSpec& spec, const RowPlan& plan);

// OK when `answer` is a new version of exactly spec.rows rows; otherwise INTERNAL, because
// the bench must measure real writes (a replay or a no-op measures nothing).
absl::Status CheckNewVersion(const UploadSpec& spec, const v1::UploadResponse& answer);

}  // namespace riskcap::bench
