// What the bench does with failed calls: counts them by distinct status for the report, and
// turns a setup call's status into an absl::Status.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace riskcap::bench {

// Safe for concurrent use without external synchronization.
class ErrorTally {
 public:
  // Remembers up to `max_distinct` distinct "CODE: message" texts; later new ones are counted
  // under a catch-all line.
  explicit ErrorTally(size_t max_distinct = 5) : max_distinct_(max_distinct) {}

  void Add(const grpc::Status& status);
  int64_t total() const;
  // One line per distinct error, "  <count> x <CODE>: <message>", first seen first.
  void Print(std::ostream& out) const;

 private:
  const size_t max_distinct_;
  mutable std::mutex mu_;
  int64_t total_ = 0;
  int64_t others_ = 0;
  std::map<std::string, std::pair<int, int64_t>> seen_;  // text -> (first-seen order, count)
};

// The status code's name, e.g. "RESOURCE_EXHAUSTED".
std::string CodeName(grpc::StatusCode code);

// The same code, with the message prefixed by the call that failed ("CreateFund 12: ...").
absl::Status ToAbslStatus(const grpc::Status& status, std::string_view call);

}  // namespace riskcap::bench
