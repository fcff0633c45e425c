// nav_snapshot: registry sync, fetch, validate, guard, write when changed.
#include "server/jobs/nav_snapshot_job.h"

#include "absl/container/flat_hash_map.h"
#include "server/snapshots/convert_snapshot.h"
#include "server/jobs/feed_job_support.h"
#include "server/jobs/push_confirm.h"
#include "server/jobs/registry_sync.h"

namespace riskcap::server::jobs {
namespace {

absl::Status CheckOneRowPerFund(const std::vector<NavSnapshot>& rows) {
  absl::flat_hash_map<int64_t, size_t> first;
  FieldErrors errors;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = first.try_emplace(rows[i].fund_id, i);
    if (!inserted) {
      errors.Add(absl::StrCat("nav_snapshot.rows[", i, "].fund_id"),
                 absl::StrCat("duplicates rows[", it->second, "]: one row per fund"));
    }
  }
  return errors.ToStatus();
}

class NavSnapshotJob final : public Job {
 public:
  explicit NavSnapshotJob(sources::SourceConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return kNavSnapshot; }

  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    ASSIGN_OR_RETURN(sources::FeedSource source, sources::FeedSource::Create(config_));
    if (source.kind() == sources::SourceKind::kPush) {
      return ConfirmPushedVersion(context, SnapshotKind::kNavSnapshot, "UploadNavSnapshots");
    }
    const Date date = context.reference_date();
    context.Progress("fetching funds and managers");
    ASSIGN_OR_RETURN(RegistrySyncResult registry, SyncRegistry(context, source));
    RETURN_IF_ERROR(context.CheckCancelled("fetching"));
    context.Progress("fetching NAV snapshot");
    ASSIGN_OR_RETURN(auto protos, FetchProtoRows<v1::NavSnapshot>(context, source,
                                                                    "nav_snapshot", date));
    ASSIGN_OR_RETURN(std::vector<NavSnapshot> rows,
                     ConvertRows(protos, "nav_snapshot", &NavSnapshotFromProto));
    ASSIGN_OR_RETURN(auto funds, KnownFundIds(context.store()));
    RETURN_IF_ERROR(CheckRowsAgainstStore(
        rows, "nav_snapshot", "position_date",
        [](const NavSnapshot& r) { return r.position_date; }, date, funds));
    RETURN_IF_ERROR(CheckOneRowPerFund(rows));
    RETURN_IF_ERROR(Guard(context, rows));
    ASSIGN_OR_RETURN(JobOutput out,
                     ApplyVersion<NavSnapshot>(
                         context, SnapshotKind::kNavSnapshot, rows,
                         VersionSource(source, "nav_snapshot"),
                         [&](const db::NewVersion& v) {
                           return context.store().WriteNavSnapshot(v, rows);
                         }));
    out.rows_read += registry.rows_read;
    absl::StrAppend(&out.summary, "; registry: ", registry.managers_created, " managers and ",
                    registry.funds_created, " funds created, ", registry.funds_differing,
                    " known funds differ upstream (left unchanged)");
    return out;
  }

 private:
  absl::Status Guard(const JobContext& context, const std::vector<NavSnapshot>& rows) const {
    FeedGuardInput in;
    in.feed = "nav_snapshot";
    in.current.total = static_cast<int64_t>(rows.size());
    in.min_fraction = config_.min_feed_fraction;
    auto previous = context.store().GetLatestSnapshotVersion(SnapshotKind::kNavSnapshot,
                                                             context.reference_date());
    if (previous.ok()) in.previous = FeedCounts{previous->row_count, {}};
    else if (!absl::IsNotFound(previous.status())) return previous.status();
    if (auto q = CheckFeed(in)) return QuarantineFeed(context, *q);
    return absl::OkStatus();
  }

  sources::SourceConfig config_;
};

}  // namespace

std::unique_ptr<Job> MakeNavSnapshotJob(const sources::SourceConfig& source) {
  return std::make_unique<NavSnapshotJob>(source);
}

}  // namespace riskcap::server::jobs
