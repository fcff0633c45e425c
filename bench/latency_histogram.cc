// LatencyHistogram: log-linear bucketing and percentile walk.
#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace riskcap::bench {

// Values below kSubBuckets get a bucket each; above, each power of two [2^e, 2^(e+1)) is split
// into kSubBuckets equal parts.
int LatencyHistogram::BucketOf(uint64_t micros) {
  micros = std::min<uint64_t>(micros, (uint64_t{1} << (kMaxExponent + 1)) - 1);
  if (micros < kSubBuckets) return static_cast<int>(micros);
  int exponent = std::bit_width(micros) - 1;  // >= kSubBucketBits
  int shift = exponent - kSubBucketBits;
  int sub = static_cast<int>((micros >> shift) & (kSubBuckets - 1));
  return kSubBuckets * (shift + 1) + sub;
}

uint64_t LatencyHistogram::UpperEdgeMicros(int bucket) {
  if (bucket < kSubBuckets) return static_cast<uint64_t>(bucket);
  int shift = bucket / kSubBuckets - 1;
  uint64_t sub = static_cast<uint64_t>(bucket % kSubBuckets);
  uint64_t lower = (kSubBuckets + sub) << shift;
  return lower + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::Record(std::chrono::nanoseconds latency) {
  int64_t micros = std::max<int64_t>(0, latency.count() / 1000);
  counts_[BucketOf(static_cast<uint64_t>(micros))].fetch_add(1, std::memory_order_relaxed);
}

int64_t LatencyHistogram::count() const {
  int64_t total = 0;
  for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
  return total;
}

double LatencyHistogram::PercentileMs(double fraction) const {
  int64_t total = count();
  if (total == 0) return 0;
  // The rank of the sample sought, 1-based: ceil(fraction * total), at least 1.
  auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(fraction * total)));
  int64_t seen = 0;
  for (int b = 0; b < kBucketCount; ++b) {
    seen += counts_[b].load(std::memory_order_relaxed);
    if (seen >= rank) return static_cast<double>(UpperEdgeMicros(b)) / 1000.0;
  }
  return static_cast<double>(UpperEdgeMicros(kBucketCount - 1)) / 1000.0;
}

}  // namespace riskcap::bench
