// nav_history: one date or a backfill range; every requested date must have rows.
#include "server/jobs/nav_history_job.h"

#include "absl/container/flat_hash_map.h"
#include "server/rpc/convert_common.h"
#include "server/snapshots/convert_snapshot.h"
#include "server/jobs/feed_job_support.h"
#include "server/jobs/push_confirm.h"

namespace riskcap::server::jobs {
namespace {

class NavHistoryJob final : public Job {
 public:
  explicit NavHistoryJob(sources::SourceConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return kNavHistory; }
  std::vector<std::string> parameter_keys() const override { return {"from", "to"}; }

  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    ASSIGN_OR_RETURN(DateRange range, BackfillRange(context));
    ASSIGN_OR_RETURN(sources::FeedSource source, sources::FeedSource::Create(config_));
    if (source.kind() == sources::SourceKind::kPush) {
      return ConfirmPushedVersion(context, SnapshotKind::kNavHistory, "UploadNavHistory");
    }
    std::vector<v1::NavHistoryEntry> protos;
    const int64_t days = range.to - range.from + 1;
    for (Date d = range.from; d <= range.to; ++d) {
      // NAVs are struck on business days: a weekend has none to fetch (and none to miss).
      if (!IsWeekday(d)) continue;
      RETURN_IF_ERROR(context.CheckCancelled("fetching"));
      context.Progress("fetching", d - range.from, days);
      ASSIGN_OR_RETURN(auto day_rows, FetchProtoRows<v1::NavHistoryEntry>(context, source,
                                                                        "nav_history", d));
      if (day_rows.empty()) {
        return QuarantineFeed(context, {absl::StrCat("EMPTY:", FormatDate(d)),
                                        absl::StrCat("the nav_history feed returned no rows for ",
                                                     FormatDate(d))});
      }
      for (auto& r : day_rows) protos.push_back(std::move(r));
    }
    ASSIGN_OR_RETURN(std::vector<NavHistoryEntry> rows,
                     ConvertRows(protos, "nav_history", &NavHistoryFromProto));
    ASSIGN_OR_RETURN(auto funds, KnownFundIds(context.store()));
    RETURN_IF_ERROR(CheckRowsAgainstStore(
        rows, "nav_history", "nav_date", [](const NavHistoryEntry& r) { return r.nav_date; },
        context.reference_date(), funds));
    RETURN_IF_ERROR(CheckUnique(rows));
    return ApplyVersion<NavHistoryEntry>(
        context, SnapshotKind::kNavHistory, rows,
        absl::StrCat(VersionSource(source, "nav_history"), " ", FormatDate(range.from), "..",
                     FormatDate(range.to)),
        [&](const db::NewVersion& v) { return context.store().WriteNavHistory(v, rows); });
  }

 private:
  static absl::Status CheckUnique(const std::vector<NavHistoryEntry>& rows) {
    absl::flat_hash_map<std::pair<int64_t, std::string>, size_t> first;
    FieldErrors errors;
    for (size_t i = 0; i < rows.size() && errors.violations().size() < 100; ++i) {
      auto [it, inserted] = first.try_emplace({rows[i].fund_id, FormatDate(rows[i].nav_date)}, i);
      if (!inserted) {
        errors.Add(absl::StrCat("nav_history.rows[", i, "].nav_date"),
                   absl::StrCat("duplicates rows[", it->second, "]: one row per (fund_id, nav_date)"));
      }
    }
    return errors.ToStatus();
  }

  sources::SourceConfig config_;
};

}  // namespace

std::unique_ptr<Job> MakeNavHistoryJob(const sources::SourceConfig& source) {
  return std::make_unique<NavHistoryJob>(source);
}

}  // namespace riskcap::server::jobs
