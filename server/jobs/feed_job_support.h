// What the data jobs (nav_snapshot, nav_history, positions, swaps, margin_ingest,
// exposure_snapshot) share: fetching and validating a feed's rows, the feed-guard quarantine, and
// writing a snapshot version only when its content hash differs from the current one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/canonical.h"
#include "core/feed_guard.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "server/jobs/job.h"
#include "server/sources/feed_source.h"

namespace riskcap::server::jobs {

// Lower-case hex SHA-256 over the rows' canonical batch text (core/canonical.h).
template <typename Row>
std::string ContentHash(const std::vector<Row>& rows) {
  db::Sha256 hash;
  ForEachCanonicalLine(rows, [&hash](std::string_view line) { hash.Update(line); });
  return hash.FinishHex();
}

// The current version of (kind, date), or nullopt when there is none.
absl::StatusOr<std::optional<SnapshotVersion>> CurrentVersion(db::Store& store, SnapshotKind kind,
                                                              Date date);

// Raises the QUARANTINED_FEED finding (dedup key "QUARANTINED_FEED|<job>|<date>|<code>") and
// returns the FailedPrecondition the job fails with. Nothing is written.
absl::Status QuarantineFeed(const JobContext& context, const Quarantine& why);

// A payload that broke a feed limit (too large, too deep, too many rows, a field too long, not
// UTF-8) is quarantined like an empty or partial one: QuarantineFeed with the limit's code.
// Any other error is returned as it is.
absl::Status QuarantineIfOverLimit(const JobContext& context, const absl::Status& error);

// Fetches `dataset` for `date` and parses it into proto rows within the source's limits. Errors
// name the origin; a payload over a limit is quarantined (QuarantineIfOverLimit).
template <typename Msg>
absl::StatusOr<std::vector<Msg>> FetchProtoRows(const JobContext& context,
                                                const sources::FeedSource& source,
                                                const std::string& dataset, Date date) {
  absl::StatusOr<sources::FeedPayload> payload = source.Fetch(dataset, date);
  if (!payload.ok()) return QuarantineIfOverLimit(context, payload.status());
  auto rows = sources::ParseRows<Msg>(payload->text, payload->format, payload->origin,
                                      source.limits());
  if (!rows.ok()) return QuarantineIfOverLimit(context, rows.status());
  return rows;
}

// Converts proto rows with the ingest converters (`convert(msg, path, errors)`), so a bad row gets
// the same field path and reason as through the ingest RPC, prefixed by the dataset:
// "<dataset>.rows[12].nav". InvalidArgument with every violation; nothing is applied.
template <typename Msg, typename Convert>
auto ConvertRows(const std::vector<Msg>& in, const std::string& dataset, Convert convert)
    -> absl::StatusOr<std::vector<decltype(convert(in[0], std::string_view(), std::declval<FieldErrors&>()))>> {
  using Row = decltype(convert(in[0], std::string_view(), std::declval<FieldErrors&>()));
  std::vector<Row> out;
  out.reserve(in.size());
  FieldErrors errors;
  for (size_t i = 0; i < in.size(); ++i) {
    out.push_back(convert(in[i], absl::StrCat(dataset, ".rows[", i, "]"), errors));
    if (errors.violations().size() >= 100) break;
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return out;
}

// Every fund in the store (active or not), by id.
absl::StatusOr<std::vector<Fund>> AllFunds(db::Store& store);
// The ids of every fund in the store.
absl::StatusOr<absl::flat_hash_set<int64_t>> KnownFundIds(db::Store& store);

// Rows must be dated on or before the reference date and name known funds; violations as
// "<dataset>.rows[i].<date_field>" / ".fund_id".
template <typename Row, typename DateOf>
absl::Status CheckRowsAgainstStore(const std::vector<Row>& rows, const std::string& dataset,
                                   const char* date_field, DateOf date_of, Date reference_date,
                                   const absl::flat_hash_set<int64_t>& funds) {
  FieldErrors errors;
  for (size_t i = 0; i < rows.size() && errors.violations().size() < 100; ++i) {
    if (date_of(rows[i]) > reference_date) {
      errors.Add(absl::StrCat(dataset, ".rows[", i, "].", date_field),
                 absl::StrCat("must be on or before the reference date (",
                              FormatDate(reference_date), ")"));
    }
    if (!funds.contains(rows[i].fund_id)) {
      errors.Add(absl::StrCat(dataset, ".rows[", i, "].fund_id"),
                 absl::StrCat("names no known fund (", rows[i].fund_id, ")"));
    }
  }
  return errors.ToStatus();
}

// Writes `rows` as a new version of `kind` for the context's reference date through `write`,
// unless their content hash equals the current version's: then nothing is written and the
// current version is reported (rows_written 0). Checks for cancellation right before writing.
template <typename Row>
absl::StatusOr<JobOutput> ApplyVersion(
    JobContext& context, SnapshotKind kind, const std::vector<Row>& rows, std::string source,
    const std::function<absl::StatusOr<SnapshotVersion>(const db::NewVersion&)>& write,
    std::optional<int64_t> source_version_id = std::nullopt) {
  context.Progress("hashing", 0, static_cast<int64_t>(rows.size()));
  const std::string hash = ContentHash(rows);
  ASSIGN_OR_RETURN(std::optional<SnapshotVersion> current,
                   CurrentVersion(context.store(), kind, context.reference_date()));
  JobOutput out;
  out.rows_read = static_cast<int64_t>(rows.size());
  out.content_hash = hash;
  if (current && current->content_hash == hash) {
    out.output_version_id = current->id;
    out.summary = absl::StrCat("unchanged: ", rows.size(), " rows equal the current version (v",
                               current->version, ")");
    return out;
  }
  RETURN_IF_ERROR(context.CheckCancelled("writing"));
  context.Progress("writing", 0, static_cast<int64_t>(rows.size()));
  db::NewVersion v{context.reference_date(), hash,
                   context.run_id() > 0 ? std::optional<int64_t>(context.run_id()) : std::nullopt,
                   source_version_id, std::move(source)};
  ASSIGN_OR_RETURN(SnapshotVersion written, write(v));
  out.rows_written = written.row_count;
  out.output_version_id = written.id;
  out.summary = absl::StrCat("wrote ", written.row_count, " rows (v", written.version, ")");
  context.Progress("done", written.row_count, written.row_count);
  return out;
}

// A backfill's dates: the job parameters `from` and `to` (YYYY-MM-DD, both optional), by default
// the reference date alone. InvalidArgument naming params.from / params.to when a date does not
// parse, `to` is after the reference date, `from` is after `to`, or the range spans 3660 days
// or more.
struct DateRange {
  Date from, to;
};
absl::StatusOr<DateRange> BackfillRange(const JobContext& context);

// "<the source's description>" for a version's `source` column.
std::string VersionSource(const sources::FeedSource& source, const std::string& dataset);

}  // namespace riskcap::server::jobs
