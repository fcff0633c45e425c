// margin_ingest: validate every report, skip those already ingested, insert the rest at once.
#include "server/jobs/margin_ingest_job.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "core/absl_compat.h"
#include "server/margin/convert_margin.h"
#include "server/jobs/feed_job_support.h"

namespace riskcap::server::jobs {
namespace {

constexpr char kDataset[] = "margin_reports";

// The reports of every date of the run's range, each with the date it was fetched for.
struct Fetched {
  std::vector<v1::SubmitMarginRequest> reports;
  std::vector<Date> dates;
};

// The feed of date D lists the reports managers filed on D: a report is recorded as submitted
// then — at the run's time for today, at the end of D (23:59:59 UTC) for a backfilled date —
// so deadlines of a backfilled history are those the managers met or missed.
absl::Time SubmittedAt(const JobContext& context, Date fetched) {
  const absl::Time end_of_day =
      absl::FromCivil(absl::CivilSecond(fetched + 1), absl::UTCTimeZone()) - absl::Seconds(1);
  return std::min(context.clock().Now(), end_of_day);
}

// Validates every report; violations are "margin_reports.rows[i].<field>" (i counts across the
// range's dates).
absl::StatusOr<std::vector<MarginSubmission>> ToSubmissions(const Fetched& fetched,
                                                            const JobContext& context,
                                                            const std::string& submitted_by) {
  const std::vector<v1::SubmitMarginRequest>& reports = fetched.reports;
  std::vector<MarginSubmission> out;
  FieldErrors errors;
  for (size_t i = 0; i < reports.size() && errors.violations().size() < 100; ++i) {
    const std::string path = absl::StrCat(kDataset, ".rows[", i, "]");
    auto in = ParseSubmitRequest(reports[i], context.clock().Today());
    if (!in.ok()) {
      std::vector<FieldViolation> violations = FieldViolationsOf(in.status());
      if (violations.empty()) errors.Add(path, StdView(in.status().message()));
      for (const FieldViolation& v : violations) errors.Add(path + "." + v.field, v.description);
      continue;
    }
    if (in->reference_date != fetched.dates[i]) {
      errors.Add(path + ".reference_date",
                 absl::StrCat(fetched.dates[i] == context.reference_date()
                                  ? "must be the run's reference date ("
                                  : "must be the date it was fetched for (",
                              FormatDate(fetched.dates[i]), ")"));
    }
    MarginSubmission s;
    s.fund_id = in->fund_id;
    s.reference_date = in->reference_date;
    s.local_margin = in->local_margin;
    s.offshore_margin = in->offshore_margin;
    s.methodology = in->methodology;
    s.submitted_at = SubmittedAt(context, fetched.dates[i]);
    s.submitted_by = submitted_by;
    s.idempotency_key = absl::StrCat(AbslView(kUpstreamKeyPrefix), in->request_id);
    s.content_hash = db::Sha256Hex(CanonicalSubmissionContent(
        s.fund_id, s.reference_date, s.local_margin, s.offshore_margin, s.methodology));
    out.push_back(std::move(s));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return out;
}

// Reports of unknown or inactive funds are rejected as SubmitMargin rejects them.
// The funds are read once (AllFunds), not once per report.
absl::Status CheckFunds(db::Store& store, const std::vector<MarginSubmission>& subs) {
  ASSIGN_OR_RETURN(std::vector<Fund> funds, AllFunds(store));
  absl::flat_hash_map<int64_t, bool> active;  // fund id -> active
  for (const Fund& f : funds) active.emplace(f.id, f.active);
  FieldErrors errors;
  for (size_t i = 0; i < subs.size(); ++i) {
    auto fund = active.find(subs[i].fund_id);
    const std::string field = absl::StrCat(kDataset, ".rows[", i, "].fund_id");
    if (fund == active.end()) {
      errors.Add(field, absl::StrCat("names no known fund (", subs[i].fund_id, ")"));
    } else if (!fund->second) {
      errors.Add(field, absl::StrCat("fund ", subs[i].fund_id, " is not active"));
    }
  }
  return errors.ToStatus();
}

// The reports not ingested yet. FailedPrecondition when a request_id was ingested with other
// content (an upstream that rewrites a report must give it a new id).
absl::StatusOr<std::vector<MarginSubmission>> NewOnly(db::Store& store,
                                                      std::vector<MarginSubmission> subs) {
  std::vector<MarginSubmission> fresh;
  for (MarginSubmission& s : subs) {
    auto existing = store.FindSubmissionByKey(s.idempotency_key);
    if (absl::IsNotFound(existing.status())) {
      fresh.push_back(std::move(s));
      continue;
    }
    if (!existing.ok()) return existing.status();
    if (existing->content_hash != s.content_hash) {
      return absl::FailedPreconditionError(absl::StrCat(
          "upstream report '", s.idempotency_key.substr(kUpstreamKeyPrefix.size()),
          "' was ingested before (submission ", existing->id,
          ") with different content; nothing applied"));
    }
  }
  return fresh;
}

std::string OutputHash(const std::vector<MarginSubmission>& subs) {
  std::vector<std::string> lines;
  for (const MarginSubmission& s : subs) {
    lines.push_back(absl::StrCat(s.idempotency_key, "|", s.content_hash, "\n"));
  }
  std::sort(lines.begin(), lines.end());
  db::Sha256 hash;
  for (const std::string& line : lines) hash.Update(line);
  return hash.FinishHex();
}

class MarginIngestJob final : public Job {
 public:
  explicit MarginIngestJob(sources::SourceConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return kMarginIngest; }
  // A backfill: the reports of each date from..to (docs/sources.md).
  std::vector<std::string> parameter_keys() const override { return {"from", "to"}; }

  absl::StatusOr<JobOutput> Run(JobContext& context) override {
    ASSIGN_OR_RETURN(DateRange range, BackfillRange(context));
    ASSIGN_OR_RETURN(sources::FeedSource source, sources::FeedSource::Create(config_));
    if (source.kind() == sources::SourceKind::kPush) return ConfirmPushed(context);
    ASSIGN_OR_RETURN(Fetched fetched, Fetch(context, source, range));
    // Managers report on their own schedules: one date may have no report, a whole range none
    // is a broken feed.
    FeedGuardInput guard{kDataset, {static_cast<int64_t>(fetched.reports.size()), {}},
                         std::nullopt, {}, 0};
    if (auto q = CheckFeed(guard)) return QuarantineFeed(context, *q);
    ASSIGN_OR_RETURN(std::vector<MarginSubmission> subs,
                     ToSubmissions(fetched, context,
                                   absl::StrCat("job:margin_ingest ", source.description())));
    RETURN_IF_ERROR(CheckFunds(context.store(), subs));
    JobOutput out;
    out.rows_read = static_cast<int64_t>(subs.size());
    out.content_hash = OutputHash(subs);
    ASSIGN_OR_RETURN(std::vector<MarginSubmission> fresh, NewOnly(context.store(), subs));
    RETURN_IF_ERROR(context.CheckCancelled("writing"));
    RETURN_IF_ERROR(Insert(context, fresh));
    out.rows_written = static_cast<int64_t>(fresh.size());
    out.summary = absl::StrCat("ingested ", fresh.size(), " new margin reports (",
                               subs.size() - fresh.size(), " already ingested)");
    return out;
  }

 private:
  static absl::StatusOr<Fetched> Fetch(const JobContext& context,
                                       const sources::FeedSource& source, DateRange range) {
    Fetched fetched;
    const int64_t days = range.to - range.from + 1;
    for (Date d = range.from; d <= range.to; ++d) {
      RETURN_IF_ERROR(context.CheckCancelled("fetching"));
      context.Progress("fetching margin reports", d - range.from, days);
      ASSIGN_OR_RETURN(auto reports,
                       FetchProtoRows<v1::SubmitMarginRequest>(context, source, kDataset, d));
      for (auto& r : reports) {
        fetched.reports.push_back(std::move(r));
        fetched.dates.push_back(d);
      }
    }
    return fetched;
  }

  // One transaction for all new submissions.
  static absl::Status Insert(const JobContext& context, const std::vector<MarginSubmission>& subs) {
    if (subs.empty()) return absl::OkStatus();
    context.Progress("writing", 0, static_cast<int64_t>(subs.size()));
    std::vector<db::Store::SubmissionWrite> writes;
    for (const MarginSubmission& s : subs) writes.push_back({s, std::nullopt});
    ASSIGN_OR_RETURN(auto slots, context.store().WriteBatch(writes, {}));
    for (size_t i = 0; i < slots.size(); ++i) {
      // A concurrent run inserted the same report first: it is ingested, as wanted.
      if (!slots[i].ok() && !absl::IsAlreadyExists(slots[i].status())) return slots[i].status();
    }
    return absl::OkStatus();
  }

  // Push: reports arrive through MarginService, so there is nothing to load; report what arrived
  // for the date. None is not an error: a missing report is what margin_status is there to flag.
  static absl::StatusOr<JobOutput> ConfirmPushed(const JobContext& context) {
    db::SubmissionFilter filter;
    filter.from_date = filter.to_date = context.reference_date();
    std::vector<MarginSubmission> subs;  // every one of the date: the hash covers them all
    for (db::Page page{0, 1000};;) {
      ASSIGN_OR_RETURN(auto batch, context.store().ListSubmissions(filter, page));
      for (MarginSubmission& m : batch) subs.push_back(std::move(m));
      if (batch.size() < static_cast<size_t>(page.limit)) break;
      page.after_id = subs.back().id;
    }
    JobOutput out;
    out.rows_read = static_cast<int64_t>(subs.size());
    out.content_hash = OutputHash(subs);
    out.summary = absl::StrCat("push: ", subs.size(), " submissions received for the date");
    return out;
  }

  sources::SourceConfig config_;
};

}  // namespace

std::unique_ptr<Job> MakeMarginIngestJob(const sources::SourceConfig& source) {
  return std::make_unique<MarginIngestJob>(source);
}

}  // namespace riskcap::server::jobs
