// JobContext's findings: stamped with the run, stored with their deliveries, watchers told.
#include "server/jobs/job.h"

#include <utility>

#include "core/status_macros.h"

namespace riskcap::server::jobs {

Finding JobContext::Stamped(Finding finding) const {
  finding.job_run_id = run_id_ > 0 ? std::optional<int64_t>(run_id_) : std::nullopt;
  if (finding.reference_date == Date()) finding.reference_date = reference_date_;
  if (finding.raised_at == absl::Time()) finding.raised_at = clock_.Now();
  return finding;
}

absl::StatusOr<Finding> JobContext::RaiseFinding(Finding finding) const {
  bool created = false;
  absl::StatusOr<Finding> stored = server::RaiseFinding(store_, Stamped(std::move(finding)),
                                                        finding_delivery_, clock_.Now(), &created);
  if (stored.ok() && hooks_.finding_raised) hooks_.finding_raised(*stored, created);
  return stored;
}

absl::Status JobContext::RaiseFindings(std::vector<Finding> findings) const {
  for (Finding& f : findings) f = Stamped(std::move(f));
  for (size_t begin = 0; begin < findings.size(); begin += kFindingsPerTransaction) {
    const absl::Span<const Finding> chunk =
        absl::MakeConstSpan(findings).subspan(begin, kFindingsPerTransaction);
    ASSIGN_OR_RETURN(auto stored,
                     server::RaiseFindings(store_, chunk, finding_delivery_, clock_.Now()));
    if (!hooks_.finding_raised) continue;
    for (const auto& [finding, created] : stored) hooks_.finding_raised(finding, created);
  }
  return absl::OkStatus();
}

}  // namespace riskcap::server::jobs
