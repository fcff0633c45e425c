// Test support: SubmitMargin load on a running riskcapd from client threads that retry what
// failed (as a client must), and reading every stored submission back, for the durability and
// outage tests.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "riskcap/v1/margin.grpc.pb.h"

namespace riskcap::testing {

// A channel with its own connection (no subchannel shared with other channels).
std::unique_ptr<v1::MarginService::Stub> OwnMarginStub(const std::string& address);
// Adds the bearer `secret` and a deadline of `timeout` from now.
void AuthorizeCall(grpc::ClientContext& ctx, const std::string& secret,
                   absl::Duration timeout = absl::Seconds(20));

// A distinct valid submission per (prefix, thread, n); its request_id is "<prefix>-<thread>-<n>".
v1::SubmitMarginRequest LoadRequest(const std::string& prefix, int thread, int n);

// `threads` client threads submitting back to back to `address`, each retrying its failed
// request (same request_id) after `backoff` until it is acknowledged or Stop(). Thread-safe.
class SubmissionLoad {
 public:
  struct Acked {
    v1::SubmitMarginRequest request;
    v1::SubmissionReceipt receipt;
  };
  struct Failure {
    grpc::StatusCode code;
    std::string message;
    absl::Time at;  // when the call returned
  };

  SubmissionLoad(std::string address, std::string secret, std::string prefix, int threads,
                 absl::Duration call_timeout = absl::Seconds(20),
                 absl::Duration backoff = absl::Milliseconds(20));
  ~SubmissionLoad();  // Stop()s

  void Stop();  // lets calls in flight return, then joins the threads
  std::vector<Acked> acked() const;
  size_t acked_count() const;
  std::vector<Failure> failures() const;
  int in_flight() const { return in_flight_.load(); }
  // The first acknowledgement returned after `t`, if any.
  std::optional<absl::Time> FirstAckAfter(absl::Time t) const;
  // Requests that failed and were not acknowledged since (valid after Stop()).
  std::vector<v1::SubmitMarginRequest> unacked() const;

 private:
  void Fire(int thread);

  const std::string address_, secret_, prefix_;
  const absl::Duration call_timeout_, backoff_;
  mutable std::mutex mu_;
  std::vector<Acked> acked_;              // guarded by mu_
  std::vector<absl::Time> acked_at_;      // guarded by mu_, parallel to acked_
  std::vector<Failure> failures_;         // guarded by mu_
  std::vector<v1::SubmitMarginRequest> pending_;  // guarded by mu_; each thread's failed one
  std::atomic<int> in_flight_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Every stored submission, through ListSubmissions.
absl::StatusOr<std::vector<v1::MarginSubmission>> ListAllSubmissions(const std::string& address,
                                                                     const std::string& secret);

// Non-fatal test failures for each acknowledged submission not in `stored` under its
// request_id with its receipt's id and content hash.
void ExpectAllAckedStored(const std::vector<SubmissionLoad::Acked>& acked,
                          const std::vector<v1::MarginSubmission>& stored);

}  // namespace riskcap::testing
