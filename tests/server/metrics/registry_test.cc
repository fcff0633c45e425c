// Tests server/metrics/registry.cc: series per label set, histogram buckets (cumulative, "le"
// inclusive, +Inf equal to the count), the series cap, callbacks and the whole exposition.
#include "server/metrics/registry.h"

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace riskcap::server::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistry, CounterFamilyKeepsOneSeriesPerLabelSet) {
  Registry registry;
  CounterFamily& calls = registry.AddCounter("t_calls_total", "Calls.", {"method", "code"});
  calls.With({"A/B", "OK"}).Increment();
  calls.With({"A/B", "OK"}).Increment(2);
  calls.With({"A/B", "NOT_FOUND"}).Increment();
  EXPECT_EQ(&calls.With({"A/B", "OK"}), &calls.With({"A/B", "OK"}));
  EXPECT_EQ(registry.Expose(),
            "# HELP t_calls_total Calls.\n"
            "# TYPE t_calls_total counter\n"
            "t_calls_total{method=\"A/B\",code=\"NOT_FOUND\"} 1\n"
            "t_calls_total{method=\"A/B\",code=\"OK\"} 3\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInfEqualToCount) {
  Registry registry;
  HistogramFamily& h = registry.AddHistogram("t_seconds", "Latency.", {"method"}, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 50.0}) h.With({"M"}).Observe(v);
  EXPECT_EQ(registry.Expose(),
            "# HELP t_seconds Latency.\n"
            "# TYPE t_seconds histogram\n"
            "t_seconds_bucket{method=\"M\",le=\"0.1\"} 2\n"  // 0.05 and 0.1 (le: inclusive)
            "t_seconds_bucket{method=\"M\",le=\"1\"} 4\n"
            "t_seconds_bucket{method=\"M\",le=\"10\"} 5\n"
            "t_seconds_bucket{method=\"M\",le=\"+Inf\"} 6\n"
            "t_seconds_sum{method=\"M\"} 56.65\n"
            "t_seconds_count{method=\"M\"} 6\n");
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  CounterFamily& calls = registry.AddCounter("t_total", "Calls.", {"method"});
  Histogram& h = registry.AddHistogram("t_size", "Sizes.", {}, {1, 2}).With({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        calls.With({t % 2 == 0 ? "even" : "odd"}).Increment();
        h.Observe(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.With({"even"}).value(), 20000);
  EXPECT_EQ(calls.With({"odd"}).value(), 20000);
  EXPECT_EQ(h.Read().cumulative.back(), 40000u);
}

TEST(MetricsRegistry, SeriesBeyondTheCapShareTheOtherSeries) {
  Registry registry;
  CounterFamily& f = registry.AddCounter("t_total", "Capped.", {"id"});
  for (size_t i = 0; i < kMaxSeriesPerFamily + 50; ++i) {
    f.With({std::to_string(i)}).Increment();
  }
  EXPECT_EQ(f.With({"other"}).value(), 50);
  EXPECT_EQ(f.With({"another-new-value"}).value(), 50);  // the same "other" series
  EXPECT_THAT(registry.Expose(), HasSubstr("t_total{id=\"other\"} 50\n"));
}

TEST(MetricsRegistry, CallbackFamiliesAreReadAtEachExposition) {
  Registry registry;
  int depth = 3;
  registry.AddCallback("t_depth", "Depth.", MetricType::kGauge, {"queue"},
                       [&depth] { return std::vector<Sample>{{{"main"}, double(depth)}}; });
  EXPECT_THAT(registry.Expose(), HasSubstr("t_depth{queue=\"main\"} 3\n"));
  depth = 7;
  EXPECT_THAT(registry.Expose(), HasSubstr("t_depth{queue=\"main\"} 7\n"));
}

TEST(MetricsRegistry, UnlabelledGaugeAndEscapedHelp) {
  Registry registry;
  registry.AddGauge("t_up", "Line one\nline two \\ end.").With({}).Set(1);
  EXPECT_EQ(registry.Expose(),
            "# HELP t_up Line one\\nline two \\\\ end.\n"
            "# TYPE t_up gauge\n"
            "t_up 1\n");
}

TEST(MetricsRegistry, GaugeHoldCountsWhileAlive) {
  Gauge g;
  {
    GaugeHold a(&g);
    GaugeHold b = std::move(a);
    EXPECT_EQ(g.value(), 1);
  }
  EXPECT_EQ(g.value(), 0);
}

TEST(MetricsRegistryDeathTest, InvalidRegistrationsAbort) {
  EXPECT_DEATH(Registry().AddCounter("bad-name", "x"), "invalid metric registration");
  EXPECT_DEATH(Registry().AddCounter("t_total", "x", {"le"}), "reserved label name");
  EXPECT_DEATH(Registry().AddHistogram("t_h", "x", {}, {2, 1}), "bounds must ascend");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddGauge("t_g", "x");
        r.AddGauge("t_g", "y");
      },
      "registered twice");
}

}  // namespace
}  // namespace riskcap::server::metrics
