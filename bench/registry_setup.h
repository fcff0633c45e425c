// What a scenario creates on the server before it measures: one manager and its funds, named
// after the run so that re-running against the same server never collides.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "bench/load_options.h"

namespace riskcap::bench {

// A run's identity: an 8-digit number, random per run. The manager's id is the number, fund i
// (1-based) is number * 10'000 + i, tax ids are CNPJs rooted at the number, and request ids
// start with "bench-<number>-".
struct RunId {
  int64_t number = 0;
};

RunId NewRunId();

// "bench-<number>-<kind>-<seq>": unique per run, kind and seq; 1..64 characters of
// [A-Za-z0-9._:-] as the API requires for small `kind`.
std::string RequestId(const RunId& run, std::string_view kind, int64_t seq);

// Most funds one run can create (the CNPJ branch has 4 digits; branch 1 is the manager's).
inline constexpr int kMaxRunFunds = 9'998;

// Creates the run's manager and `count` (1..kMaxRunFunds) active MULTIMERCADO funds through
// FundService, with blocking calls on `channel`; returns the fund ids. Needs an ADMIN key.
absl::StatusOr<std::vector<int64_t>> CreateRunFunds(
    const std::shared_ptr<grpc::Channel>& channel, const LoadOptions& options, const RunId& run,
    int count);

// Any number of funds (1..100 * kMaxRunFunds): CreateRunFunds for runs number, number + 1, ...
// (a manager each), kMaxRunFunds funds per manager, the last one taking the rest.
absl::StatusOr<std::vector<int64_t>> CreateManyRunFunds(
    const std::shared_ptr<grpc::Channel>& channel, const LoadOptions& options, const RunId& run,
    int count);

// The server's store backend from AdminService.GetServerInfo: "sqlite" or "postgresql".
absl::StatusOr<std::string> StoreBackendName(const std::shared_ptr<grpc::Channel>& channel,
                                             const LoadOptions& options);

}  // namespace riskcap::bench
