// Where a data job's input comes from (docs/jobs.md): an upstream HTTP(S) JSON API, a directory of
// CSV/JSON files, or "push" (the data arrives through the IngestService uploads).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/date.h"
#include "server/sources/feed_limits.h"
#include "server/sources/http_fetcher.h"
#include "server/sources/row_parser.h"

namespace riskcap::server::sources {

enum class SourceKind { kHttp, kFile, kPush };

// One job's source, from configuration (server/daemon/config.h: RISKCAP_SOURCE, RISKCAP_SOURCE_<JOB>).
struct SourceConfig {
  // "http://host:port[/prefix]", "https://...", "file:/dir" (or "file:dir") or "push".
  std::string location = "push";
  HttpOptions http;
  // Feed guard: a load with fewer rows than this fraction of the previous load is quarantined.
  double min_feed_fraction = 0.5;
  // Size, row and field limits of one payload (a payload breaking one is quarantined).
  FeedLimits limits;
};

// A fetched payload, not yet parsed.
struct FeedPayload {
  std::string text;
  FeedFormat format = FeedFormat::kJson;
  std::string origin;  // the URL or file path it came from, for messages and version sources
};

// Fetches datasets ("managers", "funds", "nav_snapshot", "nav_history", "positions", "swaps",
// "margin_reports") for a date. Safe for concurrent use.
class FeedSource {
 public:
  // InvalidArgument for a location that is none of the accepted forms.
  static absl::StatusOr<FeedSource> Create(const SourceConfig& config);

  SourceKind kind() const { return kind_; }
  // Short text for snapshot versions' `source`: the base URL, "file:<dir>" or "push".
  const std::string& description() const { return description_; }

  // HTTP: GET <base>/v1/<dataset>?date=YYYY-MM-DD (JSON). File: <dir>/<dataset>-<date>.json, else
  // .csv; NotFound when neither exists. Push: FailedPrecondition (push data is never fetched).
  // A body or file larger than limits().max_bytes is a rows::LimitError (kTooLarge), refused before
  // it is read whole.
  absl::StatusOr<FeedPayload> Fetch(const std::string& dataset, Date date) const;

  const FeedLimits& limits() const { return limits_; }

 private:
  FeedSource(SourceKind kind, std::string base, std::string description, HttpOptions http,
             FeedLimits limits)
      : kind_(kind), base_(std::move(base)), description_(std::move(description)),
        fetcher_(WithBodyLimit(std::move(http), limits.max_bytes)), limits_(limits) {}
  static HttpOptions WithBodyLimit(HttpOptions http, int64_t max_bytes) {
    http.max_body_bytes = max_bytes;
    return http;
  }
  SourceKind kind_;
  std::string base_;  // URL without trailing '/', or the directory
  std::string description_;
  HttpFetcher fetcher_;
  FeedLimits limits_;
};

}  // namespace riskcap::server::sources
