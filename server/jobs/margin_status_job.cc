// margin_status: gathers each fund's inputs through the store, computes its row with
// core/rules/margin_status, writes the snapshot and raises / clears findings.
#include "server/jobs/margin_status_job.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/rules/margin_status.h"
#include "core/status_macros.h"
#include "db/positions_of_funds.h"
#include "db/sha256.h"
#include "db/status_inputs.h"
#include "server/jobs/feed_job_support.h"

namespace riskcap::server::jobs {
namespace {

constexpr int kPageSize = 1000;

// Every row of a keyset-paged listing.
template <typename T, typename List, typename Key>
absl::StatusOr<std::vector<T>> ReadAll(List list, Key key) {
  std::vector<T> all;
  db::Page page{0, kPageSize};
  while (true) {
    ASSIGN_OR_RETURN(std::vector<T> rows, list(page));
    for (T& row : rows) all.push_back(std::move(row));
    if (rows.size() < static_cast<size_t>(kPageSize)) return all;
    page.after_id = key(all.back());
  }
}

// What the job read for the date, for all funds.
struct Inputs {
  std::vector<Fund> funds;
  std::map<int64_t, FundExposure> exposures;
  std::optional<int64_t> positions_version;
  // Which versions were read, recorded with the output (docs/rules.md, "Explaining a status
  // figure").
  std::optional<int64_t> exposure_version;
  std::optional<int64_t> nav_version;
  std::map<int64_t, NavSnapshot> navs;
  std::map<int64_t, std::vector<MarginSubmission>> submissions;
  std::map<int64_t, std::vector<Exemption>> exemptions;
  // Rows of the current status snapshot of the latest date before the reference date, by fund:
  // each is that fund's previous result (its latest earlier date). Funds absent from it are
  // looked up one by one.
  std::map<int64_t, rules::FundStatusRow> previous;
  bool has_earlier_status = false;  // false: no fund has a previous result, nothing to look up
  int64_t rows_read = 0;
  // Positions of the OTC funds of the batch being computed (ReadBatchPositions), by fund.
  std::map<int64_t, std::vector<Position>> positions;
};

// Funds computed per positions query: one query per batch of funds, not one per fund (per-fund
// queries cost a round trip each on PostgreSQL); a batch's positions stay a small part of memory.
constexpr size_t kFundsPerPositionsRead = 500;

// Reads into `in.positions` the positions of the OTC funds among funds[first, first + batch).
absl::Status ReadBatchPositions(db::Store& store, size_t first, Inputs& in) {
  in.positions.clear();
  if (!in.positions_version) return absl::OkStatus();
  std::vector<int64_t> otc;
  for (size_t i = first; i < std::min(in.funds.size(), first + kFundsPerPositionsRead); ++i) {
    auto it = in.exposures.find(in.funds[i].id);
    if (it != in.exposures.end() && it->second.otc) otc.push_back(in.funds[i].id);
  }
  ASSIGN_OR_RETURN(std::vector<Position> rows,
                   db::ListPositionsOfFunds(store, *in.positions_version, otc));
  for (Position& p : rows) in.positions[p.fund_id].push_back(std::move(p));
  for (int64_t fund : otc) in.positions[fund];  // a fund without rows has none, not unknown
  return absl::OkStatus();
}

absl::Status ReadExposures(db::Store& store, Date date, Inputs& in) {
  auto version = store.GetLatestSnapshotVersion(SnapshotKind::kExposure, date);
  if (absl::IsNotFound(version.status())) return absl::OkStatus();  // nobody is exposed
  RETURN_IF_ERROR(version.status());
  ASSIGN_OR_RETURN(std::vector<FundExposure> rows, store.ListExposures(version->id));
  for (FundExposure& e : rows) in.exposures[e.fund_id] = e;
  in.exposure_version = version->id;
  ASSIGN_OR_RETURN(in.positions_version, store.GetSourceVersionId(version->id));
  in.rows_read += static_cast<int64_t>(rows.size());
  return absl::OkStatus();
}

absl::Status ReadNavs(db::Store& store, Date date, Inputs& in) {
  auto version = store.GetSnapshotVersion(SnapshotKind::kNavSnapshot, date, std::nullopt);
  if (absl::IsNotFound(version.status())) return absl::OkStatus();
  RETURN_IF_ERROR(version.status());
  ASSIGN_OR_RETURN(std::vector<NavSnapshot> rows, store.ListNavSnapshots(version->id));
  for (NavSnapshot& n : rows) in.navs[n.fund_id] = n;
  in.nav_version = version->id;
  in.rows_read += static_cast<int64_t>(rows.size());
  return absl::OkStatus();
}

absl::Status ReadPreviousStatus(db::Store& store, Date date, Inputs& in) {
  auto version = store.GetLatestSnapshotVersion(SnapshotKind::kMarginStatus, date - 1);
  if (absl::IsNotFound(version.status())) return absl::OkStatus();  // no earlier status at all
  RETURN_IF_ERROR(version.status());
  in.has_earlier_status = true;
  ASSIGN_OR_RETURN(std::vector<rules::FundStatusRow> rows,
                   ReadAll<rules::FundStatusRow>(
                       [&](const db::Page& p) { return store.ListFundStatus(version->id, {}, p); },
                       [](const rules::FundStatusRow& r) { return r.status.fund_id; }));
  for (rules::FundStatusRow& r : rows) in.previous.emplace(r.status.fund_id, std::move(r));
  in.rows_read += static_cast<int64_t>(rows.size());
  return absl::OkStatus();
}

absl::StatusOr<Inputs> ReadInputs(const JobContext& ctx) {
  db::Store& store = ctx.store();
  Inputs in;
  ASSIGN_OR_RETURN(std::vector<Fund> funds, AllFunds(store));
  for (Fund& f : funds) {
    if (f.active) in.funds.push_back(std::move(f));
  }
  RETURN_IF_ERROR(ReadExposures(store, ctx.reference_date(), in));
  RETURN_IF_ERROR(ReadNavs(store, ctx.reference_date(), in));
  RETURN_IF_ERROR(ReadPreviousStatus(store, ctx.reference_date(), in));
  ASSIGN_OR_RETURN(auto submissions,
                   ReadAll<MarginSubmission>(
                       [&](const db::Page& p) { return store.ListSubmissions({}, p); },
                       [](const MarginSubmission& m) { return m.id; }));
  for (MarginSubmission& m : submissions) in.submissions[m.fund_id].push_back(std::move(m));
  ASSIGN_OR_RETURN(auto exemptions,
                   ReadAll<Exemption>(
                       [&](const db::Page& p) { return store.ListExemptions(std::nullopt, p); },
                       [](const Exemption& e) { return e.id; }));
  for (Exemption& e : exemptions) in.exemptions[e.fund_id].push_back(std::move(e));
  in.rows_read += static_cast<int64_t>(in.funds.size() + submissions.size() + exemptions.size());
  return in;
}

absl::StatusOr<rules::MarginStatusInput> FundInput(const JobContext& ctx, const Inputs& in,
                                                   const Fund& fund) {
  rules::MarginStatusInput input;
  input.fund = fund;
  input.reference_date = ctx.reference_date();
  if (auto it = in.exposures.find(fund.id); it != in.exposures.end()) {
    input.exposure = it->second;
    if (it->second.otc && in.positions_version) {
      input.positions_date = it->second.position_date;
      if (auto read = in.positions.find(fund.id); read != in.positions.end()) {
        input.positions = read->second;
      } else {
        ASSIGN_OR_RETURN(input.positions, db::ListPositionsOfFunds(
                                              ctx.store(), *in.positions_version, {fund.id}));
      }
    }
  }
  if (auto it = in.navs.find(fund.id); it != in.navs.end()) input.nav = it->second;
  if (auto it = in.submissions.find(fund.id); it != in.submissions.end()) {
    input.submissions = it->second;
  }
  if (auto it = in.exemptions.find(fund.id); it != in.exemptions.end()) {
    input.exemptions = it->second;
  }
  if (auto it = in.previous.find(fund.id); it != in.previous.end()) {
    input.previous = it->second;
  } else if (in.has_earlier_status) {
    ASSIGN_OR_RETURN(input.previous,
                     ctx.store().LatestFundStatusBefore(fund.id, ctx.reference_date()));
  }
  return input;
}

// Writes the rows unless the current version of the date has the same content.
absl::StatusOr<JobOutput> WriteSnapshot(const JobContext& ctx,
                                        const std::vector<rules::FundStatusRow>& rows,
                                        const rules::StatusInputIds& ids) {
  db::Sha256 hasher;
  for (const rules::FundStatusRow& row : rows) hasher.Update(rules::CanonicalLine(row));
  JobOutput out;
  out.content_hash = hasher.FinishHex();
  auto current = ctx.store().GetSnapshotVersion(SnapshotKind::kMarginStatus,
                                                ctx.reference_date(), std::nullopt);
  if (current.ok() && current->content_hash == out.content_hash) {
    out.output_version_id = current->id;
    out.summary = absl::StrCat("status of ", rows.size(), " funds unchanged (v",
                               current->version, ")");
    return out;
  }
  if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
  RETURN_IF_ERROR(ctx.CheckCancelled("writing the status snapshot"));
  db::NewVersion v;
  v.reference_date = ctx.reference_date();
  v.content_hash = out.content_hash;
  if (ctx.run_id() > 0) v.job_run_id = ctx.run_id();
  v.source = "margin_status";
  SnapshotVersion written;
  RETURN_IF_ERROR(ctx.store().InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(written, ctx.store().WriteFundStatus(v, rows));
    return db::RecordStatusInputs(ctx.store(), written.id, ids);
  }));
  out.output_version_id = written.id;
  out.rows_written = static_cast<int64_t>(rows.size());
  out.summary = absl::StrCat("wrote the status of ", rows.size(), " funds (v", written.version, ")");
  return out;
}

// Open or acknowledged findings of margin_status's rules for `funds` of `date` only: a run never
// touches another date's findings (an older date re-run after a newer one leaves it alone).
absl::StatusOr<std::vector<Finding>> UnresolvedFindings(db::Store& store, Date date,
                                                        const std::set<int64_t>& funds) {
  std::vector<Finding> out;
  for (const std::string& rule : rules::MarginStatusRules()) {
    for (FindingState state : {FindingState::kOpen, FindingState::kAcknowledged}) {
      db::FindingFilter filter;
      filter.rule = rule;
      filter.state = state;
      filter.reference_date = date;
      ASSIGN_OR_RETURN(std::vector<Finding> found,
                       ReadAll<Finding>(
                           [&](const db::Page& p) { return store.ListFindings(filter, p); },
                           [](const Finding& f) { return f.id; }));
      for (Finding& f : found) {
        if (f.reference_date == date && f.fund_id && funds.count(*f.fund_id)) {
          out.push_back(std::move(f));
        }
      }
    }
  }
  return out;
}

// Raises the rows' findings for the date, then resolves the date's findings (of earlier runs for
// it) that no longer hold.
absl::StatusOr<int> ApplyFindings(const JobContext& ctx,
                                  const std::vector<rules::FundStatusRow>& rows) {
  std::set<std::string> keys;
  std::set<int64_t> funds;
  std::vector<Finding> raised;
  for (const rules::FundStatusRow& row : rows) {
    funds.insert(row.fund_id());
    for (Finding& f : rules::FindingsForRow(row, ctx.rules())) {
      keys.insert(f.dedup_key);
      raised.push_back(std::move(f));
    }
  }
  RETURN_IF_ERROR(ctx.RaiseFindings(std::move(raised)));
  ASSIGN_OR_RETURN(std::vector<Finding> unresolved,
                   UnresolvedFindings(ctx.store(), ctx.reference_date(), funds));
  int cleared = 0;
  for (const Finding& f : unresolved) {
    if (keys.count(f.dedup_key)) continue;
    std::string why = absl::StrCat("cleared by run ", ctx.run_id(), " for ",
                                   FormatDate(ctx.reference_date()));
    auto resolved = ctx.store().ResolveFinding(f.id, "system", why, ctx.clock().Now());
    if (!resolved.ok() && !absl::IsFailedPrecondition(resolved.status())) {
      return resolved.status();  // FailedPrecondition: someone resolved it meanwhile
    }
    cleared += resolved.ok() ? 1 : 0;
  }
  return cleared;
}

class MarginStatusJob final : public Job {
 public:
  std::string_view name() const override { return kMarginStatus; }

  absl::StatusOr<JobOutput> Run(JobContext& ctx) override {
    ctx.Progress("reading inputs");
    ASSIGN_OR_RETURN(Inputs in, ReadInputs(ctx));
    std::vector<rules::FundStatusRow> rows;
    for (const Fund& fund : in.funds) {
      RETURN_IF_ERROR(ctx.CheckCancelled("computing fund status"));
      if (rows.size() % kFundsPerPositionsRead == 0) {
        RETURN_IF_ERROR(ReadBatchPositions(ctx.store(), rows.size(), in));
      }
      ASSIGN_OR_RETURN(rules::MarginStatusInput input, FundInput(ctx, in, fund));
      in.rows_read += static_cast<int64_t>(input.positions.size());
      ASSIGN_OR_RETURN(rules::FundStatusRow row, rules::ComputeFundStatusRow(input, ctx.rules()));
      rows.push_back(std::move(row));
      ctx.Progress("computing fund status", static_cast<int64_t>(rows.size()),
                   static_cast<int64_t>(in.funds.size()));
    }
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.fund_id() < b.fund_id(); });
    const rules::StatusInputIds ids{in.nav_version, in.exposure_version, in.positions_version,
                                    rules::FormatRulesConfig(ctx.rules())};
    ASSIGN_OR_RETURN(JobOutput out, WriteSnapshot(ctx, rows, ids));
    out.rows_read = in.rows_read;
    ASSIGN_OR_RETURN(int cleared, ApplyFindings(ctx, rows));
    if (cleared > 0) absl::StrAppend(&out.summary, "; ", cleared, " findings cleared");
    return out;
  }
};

}  // namespace

std::unique_ptr<Job> MakeMarginStatusJob() { return std::make_unique<MarginStatusJob>(); }

}  // namespace riskcap::server::jobs
