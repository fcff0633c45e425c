// SubmitMargin load and read-back for end-to-end tests.
#include "tests/testing/submission_load.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace riskcap::testing {

std::unique_ptr<v1::MarginService::Stub> OwnMarginStub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // Reconnect quickly after riskcapd restarts (the default backoff grows to minutes).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  return v1::MarginService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

void AuthorizeCall(grpc::ClientContext& ctx, const std::string& secret, absl::Duration timeout) {
  ctx.AddMetadata("authorization", "Bearer " + secret);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

v1::SubmitMarginRequest LoadRequest(const std::string& prefix, int thread, int n) {
  v1::SubmitMarginRequest r;
  r.set_request_id(absl::StrCat(prefix, "-", thread, "-", n));
  r.set_fund_id(n % 2 == 0 ? 101 : 201);
  r.set_reference_date("2025-06-30");
  r.set_local_margin(absl::StrCat(1000 + n, ".", thread));
  r.set_offshore_margin("0");
  r.set_methodology("test load");
  return r;
}

SubmissionLoad::SubmissionLoad(std::string address, std::string secret, std::string prefix,
                               int threads, absl::Duration call_timeout, absl::Duration backoff)
    : address_(std::move(address)),
      secret_(std::move(secret)),
      prefix_(std::move(prefix)),
      call_timeout_(call_timeout),
      backoff_(backoff) {
  for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Fire(t); });
}

SubmissionLoad::~SubmissionLoad() { Stop(); }

void SubmissionLoad::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void SubmissionLoad::Fire(int thread) {
  auto stub = OwnMarginStub(address_);
  int n = 0;
  bool retrying = false;  // request n has failed at least once
  while (!stop_) {
    v1::SubmitMarginRequest request = LoadRequest(prefix_, thread, n);
    grpc::ClientContext ctx;
    AuthorizeCall(ctx, secret_, call_timeout_);
    v1::SubmissionReceipt receipt;
    ++in_flight_;
    grpc::Status status = stub->SubmitMargin(&ctx, request, &receipt);
    --in_flight_;
    const absl::Time now = absl::Now();
    {
      std::lock_guard lock(mu_);
      if (status.ok()) {
        acked_.push_back({request, receipt});
        acked_at_.push_back(now);
      } else {
        failures_.push_back({status.error_code(), status.error_message(), now});
      }
    }
    retrying = !status.ok();
    if (status.ok()) {
      ++n;
    } else if (!stop_) {
      absl::SleepFor(backoff_);  // then the same request again
    }
  }
  if (retrying) {
    std::lock_guard lock(mu_);
    pending_.push_back(LoadRequest(prefix_, thread, n));
  }
}

std::vector<SubmissionLoad::Acked> SubmissionLoad::acked() const {
  std::lock_guard lock(mu_);
  return acked_;
}

size_t SubmissionLoad::acked_count() const {
  std::lock_guard lock(mu_);
  return acked_.size();
}

std::vector<SubmissionLoad::Failure> SubmissionLoad::failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

std::optional<absl::Time> SubmissionLoad::FirstAckAfter(absl::Time t) const {
  std::lock_guard lock(mu_);
  for (absl::Time at : acked_at_) {
    if (at > t) return at;
  }
  return std::nullopt;
}

std::vector<v1::SubmitMarginRequest> SubmissionLoad::unacked() const {
  std::lock_guard lock(mu_);
  return pending_;
}

absl::StatusOr<std::vector<v1::MarginSubmission>> ListAllSubmissions(const std::string& address,
                                                                     const std::string& secret) {
  auto stub = OwnMarginStub(address);
  std::vector<v1::MarginSubmission> all;
  v1::ListSubmissionsRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext ctx;
    AuthorizeCall(ctx, secret);
    v1::ListSubmissionsResponse page;
    grpc::Status status = stub->ListSubmissions(&ctx, request, &page);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    all.insert(all.end(), page.submissions().begin(), page.submissions().end());
    if (page.next_page_token().empty()) return all;
    request.set_page_token(page.next_page_token());
  }
}

void ExpectAllAckedStored(const std::vector<SubmissionLoad::Acked>& acked,
                          const std::vector<v1::MarginSubmission>& stored) {
  std::map<std::string, const v1::MarginSubmission*> by_request_id;
  for (const v1::MarginSubmission& s : stored) by_request_id[s.request_id()] = &s;
  int missing = 0;
  for (const SubmissionLoad::Acked& a : acked) {
    auto it = by_request_id.find(a.request.request_id());
    if (it == by_request_id.end()) {
      ADD_FAILURE() << "acknowledged submission " << a.receipt.submission_id() << " ("
                    << a.request.request_id() << ") is not stored";
      if (++missing >= 10) return;
      continue;
    }
    EXPECT_EQ(it->second->submission_id(), a.receipt.submission_id()) << a.request.request_id();
    EXPECT_EQ(it->second->content_hash(), a.receipt.content_hash()) << a.request.request_id();
    EXPECT_EQ(it->second->fund_id(), a.request.fund_id()) << a.request.request_id();
  }
}

}  // namespace riskcap::testing
