// Row ids and result rows of `riskcap margin import`.
#include "client/margin_import.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "client/errors.h"
#include "client/proto_format.h"
#include "core/field_errors.h"

namespace riskcap::client {
namespace {

constexpr size_t kMaxNameLength = 50;

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::string DerivedRequestId(const std::string& path, int64_t index) {
  std::string name = std::filesystem::path(path).filename().string();
  for (char& c : name) {
    if (!IdChar(c)) c = '_';
  }
  if (name.size() > kMaxNameLength) name.resize(kMaxNameLength);
  return absl::StrCat(name, ":", index + 1);
}

Table ImportTable(const std::vector<ImportedRow>& rows) {
  Table table({"row", "request_id", "submission_id", "replayed", "next_due_date", "receive_time",
               "content_hash", "error"});
  table.HideInTextRows("receive_time").HideInTextRows("content_hash");
  for (size_t i = 0; i < rows.size(); ++i) {
    const ImportedRow& row = rows[i];
    if (!row.status.ok()) {
      table.AddRow({static_cast<int64_t>(i + 1), row.request_id, Json(), Json(), Json(), Json(),
                    Json(), DescribeError(row.status)});
      continue;
    }
    const v1::SubmissionReceipt& r = row.receipt;
    table.AddRow({static_cast<int64_t>(i + 1), row.request_id, r.submission_id(), r.replayed(),
                  r.next_due_date(), TimestampCell(r.receive_time(), r.has_receive_time()),
                  r.content_hash(), ""});
  }
  return table;
}

absl::Status BatchItemStatus(const v1::BatchItemError& error) {
  auto code = static_cast<absl::StatusCode>(error.code());
  absl::Status status(code == absl::StatusCode::kOk ? absl::StatusCode::kUnknown : code,
                      error.message());
  FieldErrors errors;
  for (const v1::FieldViolation& v : error.field_violations())
    errors.Add(v.field(), v.description());
  // The violations ride as the payload FieldViolationsOf reads, under the server's code.
  errors.ToStatus().ForEachPayload([&status](absl::string_view url, const absl::Cord& payload) {
    status.SetPayload(url, payload);
  });
  return status;
}

}  // namespace riskcap::client
