// exposure_snapshot: compute from one complete positions batch, write when changed.
#include "server/jobs/exposure_snapshot_job.h"

#include "absl/strings/match.h"
#include "core/exposure_calc.h"
#include "server/jobs/feed_job_support.h"
#include "server/jobs/positions_batch.h"

namespace riskcap::server::jobs {
namespace {

// Each fund's NAV from the current NAV snapshot of the latest date on or before `date` (empty
// when there is none); ApplyNavMeasures uses only NAVs of the exposure's own position date.
absl::StatusOr<std::map<int64_t, FundNav>> NavsOnOrBefore(db::Store& store, Date date) {
  std::map<int64_t, FundNav> navs;
  auto version = store.GetLatestSnapshotVersion(SnapshotKind::kNavSnapshot, date);
  if (absl::IsNotFound(version.status())) return navs;
  if (!version.ok()) return version.status();
  ASSIGN_OR_RETURN(std::vector<NavSnapshot> rows, store.ListNavSnapshots(version->id));
  for (const NavSnapshot& n : rows) navs[n.fund_id] = FundNav{n.position_date, n.nav};
  return navs;
}

class ExposureSnapshotJob final : public Job {
 public:
  std::string_view name() const override { return kExposureSnapshot; }

  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    db::Store& store = context.store();
    const Date date = context.reference_date();
    ASSIGN_OR_RETURN(std::optional<SnapshotVersion> batch,
                     CurrentVersion(store, SnapshotKind::kPositions, date));
    if (!batch) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no positions batch for ", FormatDate(date), ": run positions and swaps first"));
    }
    if (absl::StrContains(batch->source, kSwapsPending)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "positions batch v", batch->version, " of ", FormatDate(date),
          " has no swap rows yet (", kSwapsPending, "): run swaps first"));
    }
    context.Progress("reading positions", 0, batch->row_count);
    ASSIGN_OR_RETURN(std::vector<Position> positions, ReadAllPositions(store, batch->id));
    RETURN_IF_ERROR(context.CheckCancelled("computing"));
    context.Progress("computing", 0, static_cast<int64_t>(positions.size()));
    ASSIGN_OR_RETURN(std::vector<FundExposure> rows, ComputeExposures(positions));
    ASSIGN_OR_RETURN(auto navs, NavsOnOrBefore(store, date));
    ApplyNavMeasures(navs, rows);
    ASSIGN_OR_RETURN(
        JobOutput out,
        ApplyVersion<FundExposure>(
            context, SnapshotKind::kExposure, rows,
            absl::StrCat("positions v", batch->version, " (load ", batch->id, ")"),
            [&](const db::NewVersion& v) { return store.WriteExposure(v, rows); }, batch->id));
    out.rows_read = static_cast<int64_t>(positions.size());
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> MakeExposureSnapshotJob() { return std::make_unique<ExposureSnapshotJob>(); }

}  // namespace riskcap::server::jobs
