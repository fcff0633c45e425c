// Loading one part of a positions batch.
#include "server/jobs/positions_batch.h"

#include "absl/strings/match.h"
#include "server/convert_snapshot.h"
#include "server/jobs/feed_job_support.h"
#include "server/jobs/push_confirm.h"

namespace riskcap::server::jobs {
namespace {

bool InPart(const Position& p, BatchPart part) {
  return (p.classification == PositionClassification::kOtcSwap) == (part == BatchPart::kSwaps);
}

const char* DatasetOf(BatchPart part) { return part == BatchPart::kSwaps ? "swaps" : "positions"; }

absl::Status CheckPart(const std::vector<Position>& rows, BatchPart part) {
  FieldErrors errors;
  for (size_t i = 0; i < rows.size() && errors.violations().size() < 100; ++i) {
    if (!InPart(rows[i], part)) {
      errors.Add(absl::StrCat(DatasetOf(part), ".rows[", i, "].classification"),
                 part == BatchPart::kSwaps ? "must be POSITION_CLASSIFICATION_OTC_SWAP in the swaps feed"
                                           : "OTC swaps belong to the swaps feed");
    }
  }
  return errors.ToStatus();
}

FeedCounts CountPart(const std::vector<Position>& rows, BatchPart part) {
  FeedCounts counts;
  for (const Position& p : rows) {
    if (!InPart(p, part)) continue;
    ++counts.total;
    ++counts.by_subfeed[std::string(EnumName(p.classification))];
  }
  return counts;
}

// The guard's view of the previous load: the current version of the date, else the latest
// earlier one.
absl::StatusOr<std::optional<FeedCounts>> PreviousCounts(db::Store& store, Date date,
                                                         BatchPart part) {
  auto previous = store.GetLatestSnapshotVersion(SnapshotKind::kPositions, date);
  if (absl::IsNotFound(previous.status())) return std::nullopt;
  if (!previous.ok()) return previous.status();
  ASSIGN_OR_RETURN(std::vector<Position> rows, ReadAllPositions(store, previous->id));
  FeedCounts counts = CountPart(rows, part);
  // A version whose swap part was never loaded says nothing about the swaps feed.
  if (part == BatchPart::kSwaps && absl::StrContains(previous->source, kSwapsPending)) {
    return std::nullopt;
  }
  return counts;
}

absl::StatusOr<std::vector<Position>> FetchPart(const JobContext& context,
                                                const sources::FeedSource& source,
                                                BatchPart part) {
  const std::string dataset = DatasetOf(part);
  context.Progress(absl::StrCat("fetching ", dataset));
  ASSIGN_OR_RETURN(auto protos,
                   FetchProtoRows<v1::Position>(source, dataset, context.reference_date()));
  RETURN_IF_ERROR(context.CheckCancelled("validating"));
  context.Progress("validating", 0, static_cast<int64_t>(protos.size()));
  ASSIGN_OR_RETURN(std::vector<Position> rows, ConvertRows(protos, dataset, &PositionFromProto));
  ASSIGN_OR_RETURN(auto funds, KnownFundIds(context.store()));
  RETURN_IF_ERROR(CheckRowsAgainstStore(
      rows, dataset, "position_date", [](const Position& r) { return r.position_date; },
      context.reference_date(), funds));
  RETURN_IF_ERROR(CheckPart(rows, part));
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<Position>> ReadAllPositions(db::Store& store, int64_t version_id) {
  std::vector<Position> all;
  std::vector<int64_t> numbers;
  for (db::Page page{0, 50000};;) {
    ASSIGN_OR_RETURN(std::vector<Position> rows,
                     store.ListPositions(version_id, std::nullopt, page, &numbers));
    const size_t n = rows.size();
    for (Position& p : rows) all.push_back(std::move(p));
    if (n < static_cast<size_t>(page.limit)) break;
    page.after_id = numbers.back();
  }
  return all;
}

absl::StatusOr<JobOutput> LoadBatchPart(JobContext& context, const sources::SourceConfig& config,
                                        BatchPart part) {
  ASSIGN_OR_RETURN(sources::FeedSource source, sources::FeedSource::Create(config));
  if (source.kind() == sources::SourceKind::kPush) {
    return ConfirmPushedVersion(context, SnapshotKind::kPositions, "UploadPositions");
  }
  db::Store& store = context.store();
  const Date date = context.reference_date();
  ASSIGN_OR_RETURN(std::vector<Position> fresh, FetchPart(context, source, part));
  FeedGuardInput guard{DatasetOf(part), CountPart(fresh, part), std::nullopt, {},
                       config.min_feed_fraction};
  if (part == BatchPart::kPositions) guard.guarded_subfeeds = {"OTC_OPTION", "OFFSHORE_FUND"};
  ASSIGN_OR_RETURN(guard.previous, PreviousCounts(store, date, part));
  if (auto q = CheckFeed(guard)) return QuarantineFeed(context, *q);

  // The other part, carried from the current version of this date.
  ASSIGN_OR_RETURN(std::optional<SnapshotVersion> current,
                   CurrentVersion(store, SnapshotKind::kPositions, date));
  std::vector<Position> batch = std::move(fresh);
  const size_t fresh_rows = batch.size();
  bool swaps_loaded = part == BatchPart::kSwaps;
  if (current) {
    ASSIGN_OR_RETURN(std::vector<Position> rows, ReadAllPositions(store, current->id));
    for (Position& p : rows) {
      if (!InPart(p, part)) batch.push_back(std::move(p));
    }
    swaps_loaded = swaps_loaded || !absl::StrContains(current->source, kSwapsPending);
  }
  std::string description = VersionSource(source, DatasetOf(part));
  if (!swaps_loaded) absl::StrAppend(&description, "; ", kSwapsPending);
  else if (current) absl::StrAppend(&description, "; other part carried from v", current->version);
  ASSIGN_OR_RETURN(JobOutput out,
                   ApplyVersion<Position>(context, SnapshotKind::kPositions, batch, description,
                                          [&](const db::NewVersion& v) {
                                            return store.WritePositions(v, batch);
                                          }));
  out.rows_read = static_cast<int64_t>(fresh_rows);
  return out;
}

}  // namespace riskcap::server::jobs
