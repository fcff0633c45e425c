// Feed payloads through the rows library: the first bad row stops the parse, and every error is
// told as "<origin>: <where>: <why>; nothing applied".
#include "server/sources/row_parser.h"

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/field_errors.h"

namespace riskcap::server::sources {
namespace {

// "rows[3].fund_id: must be an integer, got 'x'" for a row's field violations; the message
// otherwise.
std::string Describe(const absl::Status& status) {
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) return std::string(StdView(status.message()));
  std::string out;
  for (const FieldViolation& v : violations) {
    absl::StrAppend(&out, out.empty() ? "" : "; ", v.field, ": ", v.description);
  }
  return out;
}

absl::Status WithOrigin(const std::string& origin, const absl::Status& status) {
  const std::string message = absl::StrCat(origin, ": ", Describe(status), "; nothing applied");
  if (std::optional<std::string> code = rows::LimitCode(status)) {
    return rows::LimitError(*code, message);
  }
  return absl::Status(status.code(), message);
}

}  // namespace

absl::Status ParseFeedRows(std::string_view text, FeedFormat format, const std::string& origin,
                           const google::protobuf::Descriptor& type,
                           const std::function<google::protobuf::Message*()>& next_row,
                           const FeedLimits& limits) {
  rows::RowSink sink{next_row,
                     [](int64_t, const absl::Status& row_status, google::protobuf::Message&) {
                       return row_status;
                     },
                     &type};
  absl::Status status = rows::ReadRows(text, format, limits, sink);
  if (status.ok()) return status;
  return WithOrigin(origin, status);
}

}  // namespace riskcap::server::sources
