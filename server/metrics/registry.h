// A small metrics registry: counters, gauges and fixed-bucket histograms in labelled families,
// exposed in the Prometheus text format (version 0.0.4). Label values must come from bounded
// sets (RPC methods, status codes, job names) — never ids, keys or free text.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace riskcap::server::metrics {

// A value that only goes up. Thread-safe and lock-free.
class Counter {
 public:
  void Increment(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down. Thread-safe and lock-free.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Adds 1 to a gauge for its lifetime (e.g. an open stream); a null gauge does nothing.
class GaugeHold {
 public:
  GaugeHold() = default;
  explicit GaugeHold(Gauge* gauge) : gauge_(gauge) {
    if (gauge_ != nullptr) gauge_->Add(1);
  }
  GaugeHold(GaugeHold&& other) noexcept : gauge_(other.gauge_) { other.gauge_ = nullptr; }
  GaugeHold& operator=(GaugeHold&& other) noexcept;
  GaugeHold(const GaugeHold&) = delete;
  GaugeHold& operator=(const GaugeHold&) = delete;
  ~GaugeHold() {
    if (gauge_ != nullptr) gauge_->Add(-1);
  }

 private:
  Gauge* gauge_ = nullptr;
};

// Counts observations into fixed buckets (upper bounds, ascending; +Inf is implied) and sums
// them. Thread-safe and lock-free.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (= the count); non-decreasing
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  const std::vector<double>& bounds_;  // owned by the family
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket, not cumulative; +Inf last
  std::atomic<double> sum_{0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

// A named metric with a fixed list of label names; writes its samples in the text format.
class Family {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> labels);
  virtual ~Family() = default;
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  const std::string& name() const { return name_; }
  // Appends "# HELP", "# TYPE" and every sample line.
  void WriteText(std::string& out) const;

 protected:
  virtual void WriteSamples(std::string& out) const = 0;
  const std::vector<std::string>& label_names() const { return labels_; }

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> labels_;
};

// Series beyond this many in one family share the series whose every label is "other": a
// defence against a label fed from an unbounded set by mistake.
inline constexpr size_t kMaxSeriesPerFamily = 1000;

// The series of a family, one per combination of label values, created on first use and never
// removed, so the references With returns stay valid for the family's lifetime.
template <typename M>
class SeriesFamily : public Family {
 public:
  using Family::Family;
  // The series for `values`, one per label name in order. The lookup takes a shared lock; only
  // the first use of a combination takes it exclusively.
  M& With(std::initializer_list<std::string_view> values);

 protected:
  struct Series {
    std::vector<std::string> values;
    std::unique_ptr<M> metric;
  };
  virtual std::unique_ptr<M> NewMetric() const = 0;
  // The series sorted by label values, for a stable exposition.
  std::vector<const Series*> Sorted() const;

 private:
  M& Insert(const std::string& key, std::initializer_list<std::string_view> values);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Series>> series_ ABSL_GUARDED_BY(mu_);
};

class CounterFamily : public SeriesFamily<Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
      : SeriesFamily(std::move(name), std::move(help), MetricType::kCounter, std::move(labels)) {}

 private:
  std::unique_ptr<Counter> NewMetric() const override { return std::make_unique<Counter>(); }
  void WriteSamples(std::string& out) const override;
};

class GaugeFamily : public SeriesFamily<Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> labels)
      : SeriesFamily(std::move(name), std::move(help), MetricType::kGauge, std::move(labels)) {}

 private:
  std::unique_ptr<Gauge> NewMetric() const override { return std::make_unique<Gauge>(); }
  void WriteSamples(std::string& out) const override;
};

class HistogramFamily : public SeriesFamily<Histogram> {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                  std::vector<double> bounds);
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::unique_ptr<Histogram> NewMetric() const override;
  void WriteSamples(std::string& out) const override;
  std::vector<double> bounds_;
};

// One sample of a callback family: label values (one per label name) and the value.
struct Sample {
  std::vector<std::string> values;
  double value = 0;
};
// Read at each scrape, e.g. a count another component keeps (a pool's sessions in use).
using SampleReader = std::function<std::vector<Sample>()>;

// A counter or gauge family whose samples a callback supplies at each scrape.
class CallbackFamily : public Family {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type,
                 std::vector<std::string> labels, SampleReader read);

 private:
  void WriteSamples(std::string& out) const override;
  SampleReader read_;
};

// The families riskcapd exposes. Registration checks names (Prometheus syntax, no duplicates,
// no reserved label) and aborts on a violation: a programming error, found by any test that
// builds the registry. Thread-safe; families live as long as the registry.
class Registry {
 public:
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> labels = {});
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> labels, std::vector<double> bounds);
  // `type` is kCounter or kGauge. `read` runs on the scraping thread and must not block for
  // long; whatever it reads must outlive every later Expose().
  void AddCallback(std::string name, std::string help, MetricType type,
                   std::vector<std::string> labels, SampleReader read);

  // Every family in registration order, in the text format, version 0.0.4.
  std::string Expose() const;

 private:
  template <typename F>
  F& Add(std::unique_ptr<F> family);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
};

// ---- implementation of the template ----

// The key of a combination of label values: the values joined by a byte no value holds in
// practice (a value containing it only risks sharing a series).
inline void AppendSeriesKey(std::initializer_list<std::string_view> values, std::string& key) {
  for (std::string_view v : values) {
    key.append(v);
    key.push_back('\x1f');
  }
}

template <typename M>
M& SeriesFamily<M>::With(std::initializer_list<std::string_view> values) {
  thread_local std::string key;  // reused: no allocation per call once warm
  key.clear();
  AppendSeriesKey(values, key);
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = series_.find(key);
    if (it != series_.end()) return *it->second->metric;
  }
  return Insert(key, values);
}

template <typename M>
M& SeriesFamily<M>::Insert(const std::string& key,
                           std::initializer_list<std::string_view> values) {
  absl::MutexLock lock(&mu_);
  if (auto it = series_.find(key); it != series_.end()) return *it->second->metric;
  auto series = std::make_unique<Series>();
  std::string stored_key = key;
  if (series_.size() >= kMaxSeriesPerFamily) {
    series->values.assign(label_names().size(), "other");
    stored_key.clear();
    for (size_t i = 0; i < label_names().size(); ++i) stored_key.append("other\x1f");
    if (auto it = series_.find(stored_key); it != series_.end()) return *it->second->metric;
  } else {
    series->values.assign(values.begin(), values.end());
  }
  series->values.resize(label_names().size());
  series->metric = NewMetric();
  M& metric = *series->metric;
  series_.emplace(std::move(stored_key), std::move(series));
  return metric;
}

template <typename M>
std::vector<const typename SeriesFamily<M>::Series*> SeriesFamily<M>::Sorted() const {
  std::vector<const Series*> sorted;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [key, series] : series_) sorted.push_back(series.get());
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Series* a, const Series* b) { return a->values < b->values; });
  return sorted;
}

}  // namespace riskcap::server::metrics
