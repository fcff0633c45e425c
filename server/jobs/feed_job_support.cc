// Shared data-job helpers.
#include "server/jobs/feed_job_support.h"

#include "server/rpc/convert_common.h"

namespace riskcap::server::jobs {
namespace {

constexpr int kMaxBackfillDays = 3660;

}  // namespace

absl::StatusOr<DateRange> BackfillRange(const JobContext& context) {
  const Date ref = context.reference_date();
  DateRange range{ref, ref};
  FieldErrors errors;
  const std::string from = context.Param("from"), to = context.Param("to");
  if (!from.empty()) range.from = ParseDateField(from, "params.from", errors);
  if (!to.empty()) range.to = ParseDateField(to, "params.to", errors);
  RETURN_IF_ERROR(errors.ToStatus());
  if (from.empty() && !to.empty()) range.from = range.to;
  if (range.to > ref) return FieldError("params.to", "must be on or before the reference date");
  if (range.from > range.to) return FieldError("params.from", "must be on or before `to`");
  if (range.to - range.from >= kMaxBackfillDays) {
    return FieldError("params.from", "a backfill covers at most 3660 days; split it");
  }
  return range;
}

absl::StatusOr<std::optional<SnapshotVersion>> CurrentVersion(db::Store& store, SnapshotKind kind,
                                                              Date date) {
  auto current = store.GetSnapshotVersion(kind, date, std::nullopt);
  if (absl::IsNotFound(current.status())) return std::nullopt;
  if (!current.ok()) return current.status();
  return *current;
}

absl::Status QuarantineFeed(const JobContext& context, const Quarantine& why) {
  Finding finding;
  finding.rule = "QUARANTINED_FEED";
  finding.severity = FindingSeverity::kWarning;
  finding.message = absl::StrCat(context.job(), " ", FormatDate(context.reference_date()),
                                 ": ", why.message, "; quarantined, current data unchanged");
  finding.dedup_key = absl::StrCat("QUARANTINED_FEED|", context.job(), "|",
                                   FormatDate(context.reference_date()), "|", why.code);
  RETURN_IF_ERROR(context.RaiseFinding(finding).status());
  return absl::FailedPreconditionError(
      absl::StrCat("quarantined feed (", why.code, "): ", why.message, "; current data unchanged"));
}

absl::Status QuarantineIfOverLimit(const JobContext& context, const absl::Status& error) {
  std::optional<std::string> code = rows::LimitCode(error);
  if (!code) return error;
  return QuarantineFeed(context, Quarantine{*code, std::string(error.message())});
}

absl::StatusOr<std::vector<Fund>> AllFunds(db::Store& store) {
  std::vector<Fund> all;
  for (db::Page page{0, 1000};;) {
    ASSIGN_OR_RETURN(std::vector<Fund> funds, store.ListFunds(std::nullopt, page));
    for (Fund& f : funds) all.push_back(std::move(f));
    if (funds.size() < static_cast<size_t>(page.limit)) return all;
    page.after_id = all.back().id;
  }
}

absl::StatusOr<absl::flat_hash_set<int64_t>> KnownFundIds(db::Store& store) {
  ASSIGN_OR_RETURN(std::vector<Fund> funds, AllFunds(store));
  absl::flat_hash_set<int64_t> known;
  for (const Fund& f : funds) known.insert(f.id);
  return known;
}

std::string VersionSource(const sources::FeedSource& source, const std::string& dataset) {
  return absl::StrCat(source.description(), " ", dataset);
}

}  // namespace riskcap::server::jobs
