// The webhook signature matches what docs/operations.md tells a receiver to compute, and the
// delivery worker's back-off doubles up to its cap.
#include "server/delivery/webhook_sender.h"

#include "gtest/gtest.h"
#include "server/delivery/delivery_worker.h"

namespace riskcap::server {
namespace {

TEST(WebhookSignature, IsHmacSha256OfTimestampDotBody) {
  // Python: hmac.new(b"key-0123456789abcdef", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
  EXPECT_EQ(WebhookSignature("key-0123456789abcdef", "1700000000", "{\"a\":1}"),
            "sha256=8a091117e0b1ccf5034d0d8c06ab42b29a4451a72f95b56f22afaf6bfb7af0d3");
}

TEST(WebhookSender, RefusesAPlainHttpUrlOffLoopbackWithoutSending) {
  Delivery d;
  d.address = "http://hooks.example.com/x";
  d.body = "{}";
  SendOutcome out = WebhookSender(absl::Seconds(1)).Send(d, "0123456789abcdef", absl::Now());
  EXPECT_EQ(out.kind, SendOutcome::Kind::kPermanent);
  EXPECT_NE(out.error.find("https://"), std::string::npos) << out.error;
}

TEST(DeliveryBackoff, DoublesAfterEachFailureUpToTheCap) {
  DeliveryConfig c;
  c.backoff_ms = 100;
  c.max_backoff_ms = 350;
  EXPECT_EQ(DeliveryWorker::Backoff(c, 1), absl::Milliseconds(100));
  EXPECT_EQ(DeliveryWorker::Backoff(c, 2), absl::Milliseconds(200));
  EXPECT_EQ(DeliveryWorker::Backoff(c, 3), absl::Milliseconds(350));
  EXPECT_EQ(DeliveryWorker::Backoff(c, 60), absl::Milliseconds(350));
}

}  // namespace
}  // namespace riskcap::server
