// Serialized positions uploads and the answer check.
#include "bench/upload_batch.h"

#include "absl/strings/str_cat.h"

namespace riskcap::bench {

std::vector<std::string> SerializePositionsUpload(const UploadSpec& spec, const RowPlan& plan) {
  std::vector<std::string> messages;
  messages.reserve(static_cast<size_t>(1 + (spec.rows + spec.rows_per_message - 1) /
                                               spec.rows_per_message));
  ForEachUploadMessage<v1::UploadPositionsRequest>(
      spec, [&plan](int64_t i, v1::Position* row) { GeneratePosition(plan, i, row); },
      [&messages](const v1::UploadPositionsRequest& message) {
        return message.SerializeToString(&messages.emplace_back());
      });
  return messages;
}

absl::Status CheckNewVersion(const UploadSpec& spec, const v1::UploadResponse& answer) {
  if (!answer.replayed() && answer.row_count() == spec.rows) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("upload ", spec.request_id, ": the server answered ",
                                          answer.row_count(), " rows, replayed=",
                                          answer.replayed(), "; expected a new version of ",
                                          spec.rows, " rows"));
}

}  // namespace riskcap::bench
