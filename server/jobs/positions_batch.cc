// Loading one part of a positions batch.
#include "server/jobs/positions_batch.h"

#include <map>

#include "absl/strings/match.h"
#include "server/snapshots/convert_snapshot.h"
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

// The load a new part is guarded against and merged with. `previous` is the current version of
// the date, else the latest earlier one (the guard's "previous load"); `rows` are its rows.
struct Previous {
  std::optional<SnapshotVersion> version;
  std::vector<Position> rows;
  bool same_date = false;  // the version is of the reference date: its other part is carried
};

absl::StatusOr<Previous> ReadPrevious(db::Store& store, Date date) {
  Previous out;
  auto version = store.GetLatestSnapshotVersion(SnapshotKind::kPositions, date);
  if (absl::IsNotFound(version.status())) return out;
  if (!version.ok()) return version.status();
  out.version = *version;
  out.same_date = version->reference_date == date;
  ASSIGN_OR_RETURN(out.rows, ReadAllPositions(store, version->id));
  return out;
}

// The guard's counts of the previous load; none on a first load, and none for the swaps feed
// when the previous version never had its swap part loaded.
std::optional<FeedCounts> PreviousCounts(const Previous& previous, BatchPart part) {
  if (!previous.version) return std::nullopt;
  if (part == BatchPart::kSwaps && absl::StrContains(previous.version->source, kSwapsPending)) {
    return std::nullopt;
  }
  return CountPart(previous.rows, part);
}

// The asset type descriptions the feed carries (Position.asset_type_description) fill the
// asset_types dimension table, so positions read back with their descriptions. A code's latest
// description wins. InvalidArgument naming the row when a description is longer than 200
// characters.
absl::Status UpsertAssetTypes(const JobContext& context, const std::vector<v1::Position>& rows,
                              const std::string& dataset) {
  constexpr size_t kMaxDescription = 200;
  std::map<std::string, std::string> types;
  FieldErrors errors;
  for (size_t i = 0; i < rows.size(); ++i) {
    const v1::Position& p = rows[i];
    if (p.asset_type_description().empty() || p.asset_type_code().empty()) continue;
    if (p.asset_type_description().size() > kMaxDescription) {
      errors.Add(absl::StrCat(dataset, ".rows[", i, "].asset_type_description"),
                 "must be at most 200 bytes");
      continue;
    }
    types[p.asset_type_code()] = p.asset_type_description();
  }
  RETURN_IF_ERROR(errors.ToStatus());
  if (types.empty()) return absl::OkStatus();
  std::vector<AssetType> list;
  for (const auto& [code, description] : types) list.push_back({code, description});
  return context.store().UpsertAssetTypes(list);
}

absl::StatusOr<std::vector<Position>> FetchPart(const JobContext& context,
                                                const sources::FeedSource& source,
                                                BatchPart part) {
  const std::string dataset = DatasetOf(part);
  context.Progress(absl::StrCat("fetching ", dataset));
  ASSIGN_OR_RETURN(auto protos, FetchProtoRows<v1::Position>(context, source, dataset,
                                                             context.reference_date()));
  RETURN_IF_ERROR(context.CheckCancelled("validating"));
  context.Progress("validating", 0, static_cast<int64_t>(protos.size()));
  ASSIGN_OR_RETURN(std::vector<Position> rows, ConvertRows(protos, dataset, &PositionFromProto));
  ASSIGN_OR_RETURN(auto funds, KnownFundIds(context.store()));
  RETURN_IF_ERROR(CheckRowsAgainstStore(
      rows, dataset, "position_date", [](const Position& r) { return r.position_date; },
      context.reference_date(), funds));
  RETURN_IF_ERROR(CheckPart(rows, part));
  RETURN_IF_ERROR(UpsertAssetTypes(context, protos, dataset));
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
  ASSIGN_OR_RETURN(Previous previous, ReadPrevious(store, date));
  FeedGuardInput guard{DatasetOf(part), CountPart(fresh, part), PreviousCounts(previous, part),
                       {}, config.min_feed_fraction};
  if (part == BatchPart::kPositions) guard.guarded_subfeeds = {"OTC_OPTION", "OFFSHORE_FUND"};
  if (auto q = CheckFeed(guard)) return QuarantineFeed(context, *q);

  // The other part, carried from the current version of this date.
  std::vector<Position> batch = std::move(fresh);
  const size_t fresh_rows = batch.size();
  bool swaps_loaded = part == BatchPart::kSwaps;
  const std::optional<SnapshotVersion> current =
      previous.same_date ? previous.version : std::nullopt;
  if (current) {
    for (Position& p : previous.rows) {
      if (!InPart(p, part)) batch.push_back(std::move(p));
    }
    std::vector<Position>().swap(previous.rows);
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
