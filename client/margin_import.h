// riskcap margin import: a file of margin reports through MarginService.SubmitMargins, with
// stable per-row request ids so that importing the same file again is idempotent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/output.h"
#include "riskcap/v1/margin.pb.h"

namespace riskcap::client {

// The request id of data row `index` (0-based) of file `path` when the file gives none:
// "<file name>:<row number>" with the file name's characters outside [A-Za-z0-9._-] replaced by
// '_' and cut to 50 characters, e.g. "margins-2026-11.csv:1" — the same on every import of a file
// of that name, wherever it lives.
std::string DerivedRequestId(const std::string& path, int64_t index);

// What happened to one row.
struct ImportedRow {
  std::string request_id;
  absl::Status status;  // the row's error (read locally or returned by the server)
  v1::SubmissionReceipt receipt;
};

// One line per row: row (1-based), request_id, submission_id, replayed, next_due_date,
// receive_time, content_hash, error (empty when accepted).
Table ImportTable(const std::vector<ImportedRow>& rows);

// A server's per-item error as a status (code, message and field violations).
absl::Status BatchItemStatus(const v1::BatchItemError& error);

}  // namespace riskcap::client
