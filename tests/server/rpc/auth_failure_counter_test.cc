// Tests for server/rpc/auth_failure_counter: failed authentication aggregated in memory, bounded,
// and written to the store as one row per (peer, minute, method) with its count.
#include "server/rpc/auth_failure_counter.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::server {
namespace {

const absl::Time kNoon = absl::FromUnixSeconds(1'795'000'000) - absl::Seconds(30);

AuthFailure Failure(std::string peer, absl::Time at, std::string reason = "unknown API key") {
  AuthFailure f;
  f.peer = std::move(peer);
  f.method = "MarginService/SubmitMargin";
  f.last_reason = std::move(reason);
  f.last_at = at;
  return f;
}

class AuthFailureCounterTest : public testing::StoreTest {};

TEST_P(AuthFailureCounterTest, ManyFailuresBecomeOneRowPerPeerAndMinuteWithTheirCount) {
  // A long interval: only the explicit Flush writes, so the test sees exactly one write.
  AuthFailureCounter counter(store(), absl::Hours(1));
  for (int i = 0; i < 500; ++i) counter.Count(Failure("ipv4:10.0.0.1", kNoon + absl::Seconds(i % 20)));
  counter.Count(Failure("ipv4:10.0.0.2", kNoon, "revoked API key"));
  auto before = store().ListAuthFailures(absl::InfinitePast());
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->empty()) << "nothing is written on the caller's thread";

  ASSERT_TRUE(counter.Flush().ok());
  counter.Count(Failure("ipv4:10.0.0.1", kNoon + absl::Seconds(25)));
  ASSERT_TRUE(counter.Flush().ok());
  auto rows = store().ListAuthFailures(absl::InfinitePast());
  ASSERT_TRUE(rows.ok()) << rows.status();
  int64_t first = 0, second = 0;
  for (const AuthFailure& f : *rows) {
    if (f.peer == "ipv4:10.0.0.1") first += f.failures;
    if (f.peer == "ipv4:10.0.0.2") second += f.failures;
  }
  EXPECT_EQ(first, 501);
  EXPECT_EQ(second, 1);
  EXPECT_LE(rows->size(), 4u);  // two peers, the calls spanning at most two minutes
}

TEST_P(AuthFailureCounterTest, PendingCountsStayBoundedWhateverTheCallersAddresses) {
  AuthFailureCounter counter(store(), absl::Hours(1));
  const int peers = static_cast<int>(AuthFailureCounter::kMaxPending) + 500;
  for (int i = 0; i < peers; ++i) counter.Count(Failure(absl::StrCat("ipv4:10.1.", i), kNoon));
  ASSERT_TRUE(counter.Flush().ok());
  auto rows = store().ListAuthFailures(absl::InfinitePast(), 10'000);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), AuthFailureCounter::kMaxPending + 1);  // + the "other" row
  int64_t total = 0, other = 0;
  for (const AuthFailure& f : *rows) {
    total += f.failures;
    if (f.peer == "other") other = f.failures;
  }
  EXPECT_EQ(total, peers);
  EXPECT_EQ(other, 500);
}

TEST_P(AuthFailureCounterTest, TheBackgroundWriterAndTheDestructorWriteWhatIsPending) {
  {
    AuthFailureCounter counter(store(), absl::Milliseconds(20));
    counter.Count(Failure("ipv4:10.0.0.3", kNoon));
    int64_t seen = 0;
    for (absl::Time deadline = absl::Now() + absl::Seconds(10); absl::Now() < deadline && !seen;) {
      auto rows = store().ListAuthFailures(absl::InfinitePast());
      ASSERT_TRUE(rows.ok()) << rows.status();
      for (const AuthFailure& f : *rows) seen += f.failures;
      if (!seen) absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(seen, 1);
  }
  {
    AuthFailureCounter counter(store(), absl::Hours(1));
    counter.Count(Failure("ipv4:10.0.0.4", kNoon));
  }
  auto rows = store().ListAuthFailures(absl::InfinitePast());
  ASSERT_TRUE(rows.ok()) << rows.status();
  int64_t total = 0;
  for (const AuthFailure& f : *rows) total += f.failures;
  EXPECT_EQ(total, 2);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(AuthFailureCounterTest);

}  // namespace
}  // namespace riskcap::server
