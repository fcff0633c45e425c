// ErrorTally and status conversion.
#include "bench/call_errors.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap::bench {

std::string CodeName(grpc::StatusCode code) {
  // gRPC and Abseil share the canonical code numbering.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

absl::Status ToAbslStatus(const grpc::Status& status, std::string_view call) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(AbslView(call), ": ", status.error_message()));
}

void ErrorTally::Add(const grpc::Status& status) {
  std::string text = CodeName(status.error_code()) + ": " + status.error_message();
  std::lock_guard lock(mu_);
  ++total_;
  auto it = seen_.find(text);
  if (it != seen_.end()) {
    ++it->second.second;
  } else if (seen_.size() < max_distinct_) {
    seen_.emplace(std::move(text), std::make_pair(static_cast<int>(seen_.size()), int64_t{1}));
  } else {
    ++others_;
  }
}

int64_t ErrorTally::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

void ErrorTally::Print(std::ostream& out) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<int, const std::string*>> order;
  for (const auto& [text, entry] : seen_) order.emplace_back(entry.first, &text);
  std::sort(order.begin(), order.end());
  for (const auto& [rank, text] : order) {
    out << "  " << seen_.at(*text).second << " x " << *text << "\n";
  }
  if (others_ > 0) out << "  " << others_ << " x (other distinct errors)\n";
}

}  // namespace riskcap::bench
