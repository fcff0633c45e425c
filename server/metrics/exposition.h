// The pieces of the Prometheus text exposition format, version 0.0.4: escaping, number
// formatting and sample lines (https://prometheus.io/docs/instrumenting/exposition_formats/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace riskcap::server::metrics {

// The Content-Type of a scrape's reply.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A sample value: integers without a fraction or exponent, "+Inf", "-Inf", "NaN", else the
// shortest text that reads back as the same double.
std::string FormatValue(double value);

// A label value as written between double quotes: '\\', '"' and newline escaped.
std::string EscapeLabelValue(std::string_view value);

// A HELP text: '\\' and newline escaped.
std::string EscapeHelp(std::string_view help);

// Appends `name{l1="v1",...,extra="extra_value"} value\n`; the braces only when there is a
// label. `extra` (e.g. a histogram bucket's "le") is left out when empty.
void AppendSample(std::string& out, std::string_view name, const std::vector<std::string>& labels,
                  const std::vector<std::string>& values, double value,
                  std::string_view extra = {}, std::string_view extra_value = {});

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) and label name ([a-zA-Z_][a-zA-Z0-9_]*,
// not starting with "__", which Prometheus reserves).
bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);

}  // namespace riskcap::server::metrics
