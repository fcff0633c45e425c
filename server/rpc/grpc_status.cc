// absl::Status -> grpc::Status.
#include "server/rpc/grpc_status.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/field_errors.h"
#include "core/log_throttle.h"
#include "core/logger.h"
#include "db/store_error.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace riskcap::server {
namespace {

// The driver's text of a store failure goes to the log (at most once a second: an outage fails
// every call), never to the client, who gets the status's generic message.
void LogStoreErrorDetail(const absl::Status& status) {
  std::optional<std::string> detail = db::StoreErrorDetail(status);
  if (!detail.has_value()) return;
  static LogThrottle throttle(absl::Seconds(1));
  if (int64_t suppressed = 0; throttle.Allow(absl::Now(), suppressed)) {
    Log(LogLevel::kWarning, "store error answered to a client",
        {{"code", absl::StatusCodeToString(status.code())},
         {"detail", *detail},
         {"suppressed", suppressed}});
  }
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  LogStoreErrorDetail(status);
  // absl and gRPC share the canonical code numbering.
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) return grpc::Status(code, message);
  // The violations travel in the details; repeating all of them in the message would double the
  // trailer size (clients refuse trailers over 8 KiB by default), so the message names the first.
  if (violations.size() > 1) {
    message = absl::StrCat("invalid request: ", violations[0].field, ": ",
                           violations[0].description, " (and ", violations.size() - 1,
                           " more field violations in the details)");
  }
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  details.add_details()->PackFrom(bad_request);
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace riskcap::server
