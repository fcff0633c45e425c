// Latency histogram for load generators: fixed memory, lock-free recording, percentiles within
// 1% relative error (log-linear buckets, as HdrHistogram does with 2 significant digits).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace riskcap::bench {

// Records latencies in microseconds from 0 to about 2^40 µs (12 days); larger ones are clamped.
// Record and the readers are safe for concurrent use without external synchronization; a read
// during recording sees some consistent-enough subset of the samples.
class LatencyHistogram {
 public:
  void Record(std::chrono::nanoseconds latency);

  // Number of samples recorded.
  int64_t count() const;
  // The smallest latency, in milliseconds, that at least `fraction` (0..1] of the samples do not
  // exceed, reported as the upper edge of its bucket; 0 when there are no samples.
  double PercentileMs(double fraction) const;
  // The largest sample's bucket upper edge, in milliseconds; 0 when there are no samples.
  double MaxMs() const { return PercentileMs(1.0); }

 private:
  static constexpr int kSubBucketBits = 7;  // 128 sub-buckets per power of two: < 0.8% error
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kMaxExponent = 40;
  static constexpr int kBucketCount = kSubBuckets * (kMaxExponent - kSubBucketBits + 2);

  static int BucketOf(uint64_t micros);
  static uint64_t UpperEdgeMicros(int bucket);

  std::array<std::atomic<int64_t>, kBucketCount> counts_{};
};

}  // namespace riskcap::bench
