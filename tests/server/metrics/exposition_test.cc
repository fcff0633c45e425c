// Tests server/metrics/exposition.cc: escaping, number formatting and sample lines of the
// Prometheus text format 0.0.4.
#include "server/metrics/exposition.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace riskcap::server::metrics {
namespace {

TEST(MetricsExposition, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)"
                             "\nd"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(EscapeLabelValue("plain/Value_1"), "plain/Value_1");
}

TEST(MetricsExposition, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelp("say \"hi\"\\\nbye"), R"(say "hi"\\\nbye)");
}

TEST(MetricsExposition, ValuesAreIntegersInfinitiesNanOrShortestDoubles) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(1234567), "1234567");  // not 1.23457e+06
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.1), "0.1");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(MetricsExposition, SampleLineHasBracesOnlyWithLabels) {
  std::string out;
  AppendSample(out, "riskcap_up", {}, {}, 1);
  AppendSample(out, "riskcap_calls_total", {"method", "code"}, {"A/B", "OK"}, 3);
  AppendSample(out, "riskcap_seconds_bucket", {"method"}, {"x\"y"}, 7, "le", "0.5");
  AppendSample(out, "riskcap_seconds_bucket", {}, {}, 9, "le", "+Inf");
  EXPECT_EQ(out,
            "riskcap_up 1\n"
            "riskcap_calls_total{method=\"A/B\",code=\"OK\"} 3\n"
            "riskcap_seconds_bucket{method=\"x\\\"y\",le=\"0.5\"} 7\n"
            "riskcap_seconds_bucket{le=\"+Inf\"} 9\n");
}

TEST(MetricsExposition, NamesFollowPrometheusSyntax) {
  EXPECT_TRUE(IsValidMetricName("riskcap_rpc_requests_total"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_FALSE(IsValidMetricName("2xx_total"));
  EXPECT_FALSE(IsValidMetricName("riskcap-requests"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("method"));
  EXPECT_FALSE(IsValidLabelName("__name__"));  // reserved
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

}  // namespace
}  // namespace riskcap::server::metrics
