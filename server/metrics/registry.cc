// The metrics registry: families, their series and the text exposition.
#include "server/metrics/registry.h"

#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/logger.h"
#include "server/metrics/exposition.h"

namespace riskcap::server::metrics {
namespace {

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A registration that breaks the format is a programming error: stop at once, loudly.
void Require(bool ok, std::string_view name, std::string_view why) {
  if (ok) return;
  Log(LogLevel::kError, "invalid metric registration", {{"metric", name}, {"error", why}});
  std::abort();
}

void CheckLabels(std::string_view name, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    Require(IsValidLabelName(labels[i]), name, absl::StrCat("bad label name ", labels[i]));
    Require(labels[i] != "le" && labels[i] != "quantile", name, "reserved label name");
    for (size_t j = 0; j < i; ++j) Require(labels[i] != labels[j], name, "duplicate label");
  }
}

}  // namespace

GaugeHold& GaugeHold::operator=(GaugeHold&& other) noexcept {
  if (this != &other) {
    if (gauge_ != nullptr) gauge_->Add(-1);
    gauge_ = other.gauge_;
    other.gauge_ = nullptr;
  }
  return *this;
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // A value equal to a bound belongs to that bound's bucket ("le": less than or equal).
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

Family::Family(std::string name, std::string help, MetricType type,
               std::vector<std::string> labels)
    : name_(std::move(name)), help_(std::move(help)), type_(type), labels_(std::move(labels)) {
  Require(IsValidMetricName(name_), name_, "bad metric name");
  CheckLabels(name_, labels_);
}

void Family::WriteText(std::string& out) const {
  absl::StrAppend(&out, "# HELP ", name_, " ", EscapeHelp(help_), "\n");
  absl::StrAppend(&out, "# TYPE ", name_, " ", TypeName(type_), "\n");
  WriteSamples(out);
}

void CounterFamily::WriteSamples(std::string& out) const {
  for (const Series* s : Sorted()) {
    AppendSample(out, name(), label_names(), s->values, s->metric->value());
  }
}

void GaugeFamily::WriteSamples(std::string& out) const {
  for (const Series* s : Sorted()) {
    AppendSample(out, name(), label_names(), s->values, s->metric->value());
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> labels, std::vector<double> bounds)
    : SeriesFamily(std::move(name), std::move(help), MetricType::kHistogram, std::move(labels)),
      bounds_(std::move(bounds)) {
  Require(!bounds_.empty(), this->name(), "a histogram needs buckets");
  for (size_t i = 0; i < bounds_.size(); ++i) {
    Require(bounds_[i] < std::numeric_limits<double>::infinity(), this->name(),
            "+Inf is implied, not a bound");
    Require(i == 0 || bounds_[i - 1] < bounds_[i], this->name(), "bounds must ascend");
  }
}

std::unique_ptr<Histogram> HistogramFamily::NewMetric() const {
  return std::make_unique<Histogram>(bounds_);
}

void HistogramFamily::WriteSamples(std::string& out) const {
  const std::string bucket = absl::StrCat(name(), "_bucket");
  for (const Series* s : Sorted()) {
    Histogram::Snapshot snap = s->metric->Read();
    for (size_t i = 0; i < bounds_.size(); ++i) {
      AppendSample(out, bucket, label_names(), s->values,
                   static_cast<double>(snap.cumulative[i]), "le", FormatValue(bounds_[i]));
    }
    const double count = static_cast<double>(snap.cumulative.back());
    AppendSample(out, bucket, label_names(), s->values, count, "le", "+Inf");
    AppendSample(out, absl::StrCat(name(), "_sum"), label_names(), s->values, snap.sum);
    AppendSample(out, absl::StrCat(name(), "_count"), label_names(), s->values, count);
  }
}

CallbackFamily::CallbackFamily(std::string name, std::string help, MetricType type,
                               std::vector<std::string> labels, SampleReader read)
    : Family(std::move(name), std::move(help), type, std::move(labels)), read_(std::move(read)) {
  Require(type != MetricType::kHistogram, this->name(), "a callback family cannot be a histogram");
}

void CallbackFamily::WriteSamples(std::string& out) const {
  for (const Sample& s : read_()) AppendSample(out, name(), label_names(), s.values, s.value);
}

template <typename F>
F& Registry::Add(std::unique_ptr<F> family) {
  absl::MutexLock lock(&mu_);
  for (const auto& f : families_) {
    Require(f->name() != family->name(), family->name(), "registered twice");
  }
  F& added = *family;
  families_.push_back(std::move(family));
  return added;
}

CounterFamily& Registry::AddCounter(std::string name, std::string help,
                                    std::vector<std::string> labels) {
  return Add(std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(labels)));
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help,
                                std::vector<std::string> labels) {
  return Add(std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(labels)));
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help,
                                        std::vector<std::string> labels,
                                        std::vector<double> bounds) {
  return Add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(labels), std::move(bounds)));
}

void Registry::AddCallback(std::string name, std::string help, MetricType type,
                           std::vector<std::string> labels, SampleReader read) {
  Add(std::make_unique<CallbackFamily>(std::move(name), std::move(help), type, std::move(labels),
                                       std::move(read)));
}

std::string Registry::Expose() const {
  std::string out;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& family : families_) family->WriteText(out);
  return out;
}

}  // namespace riskcap::server::metrics
