// Limit errors: an absl::Status payload carries the code.
#include "protos/rows/row_limits.h"

#include "absl/strings/cord.h"
#include "core/absl_compat.h"

namespace riskcap::rows {
namespace {

constexpr char kPayloadUrl[] = "type.riskcap.dev/riskcap.FeedLimit";

}  // namespace

absl::Status LimitError(std::string_view code, std::string_view message) {
  absl::Status status = absl::InvalidArgumentError(AbslView(message));
  status.SetPayload(kPayloadUrl, absl::Cord(AbslView(code)));
  return status;
}

std::optional<std::string> LimitCode(const absl::Status& status) {
  auto code = status.GetPayload(kPayloadUrl);  // absl::optional<absl::Cord>
  if (!code) return std::nullopt;
  return std::string(*code);
}

}  // namespace riskcap::rows
