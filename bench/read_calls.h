// The read calls riskcap_bench reads times: every List RPC (unfiltered and with a selective
// filter) and GetRiskCapitalSummary, each as a function of (page token, page size).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace riskcap::bench {

struct ReadCall {
  std::string name;    // e.g. "ListFindings"
  std::string filter;  // e.g. "rule=OVERDUE", "none"
  // One call: returns the next page token ("" on the last page, and for the summary).
  std::function<absl::StatusOr<std::string>(const std::string& token, int page_size)> call;
};

// The calls, over `channel` with bearer `analyst` (reads) and `admin` (ListApiKeys) keys. Their
// filter values exist in what db/synthetic_rows.h seeds.
std::vector<ReadCall> ReadCalls(std::shared_ptr<grpc::Channel> channel, const std::string& analyst,
                                const std::string& admin);

}  // namespace riskcap::bench
