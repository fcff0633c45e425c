// Margin submission intake.
#include "server/submission_intake.h"

#include "absl/strings/str_cat.h"
#include "core/rules/submission_status.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "server/convert_common.h"
#include "server/convert_margin.h"

namespace riskcap::server {
namespace {

void FillReceipt(const MarginSubmission& s, bool replayed, v1::SubmissionReceipt* out) {
  out->set_submission_id(s.id);
  ToProtoTime(s.submitted_at, out->mutable_receive_time());
  out->set_content_hash(s.content_hash);
  out->set_replayed(replayed);
}

}  // namespace

std::string IdempotencyScope(const Principal& p) {
  return p.manager_id ? absl::StrCat("m", *p.manager_id) : absl::StrCat("k", p.key_id);
}

absl::StatusOr<v1::SubmissionReceipt> SubmissionIntake::Submit(
    const Principal& principal, const v1::SubmitMarginRequest& request, CallInfo& info,
    const char* audit_method) const {
  RETURN_IF_ERROR(RequireRole(principal, {Role::kManager, Role::kService}));
  ASSIGN_OR_RETURN(SubmissionInput in, ParseSubmitRequest(request, env_.clock.Today()));
  ASSIGN_OR_RETURN(Fund fund, GetAccessibleFund(env_.store, principal, in.fund_id));
  if (!fund.active) {
    return absl::FailedPreconditionError(absl::StrCat("fund ", fund.id, " is not active"));
  }
  MarginSubmission s;
  s.fund_id = in.fund_id;
  s.reference_date = in.reference_date;
  s.local_margin = in.local_margin;
  s.offshore_margin = in.offshore_margin;
  s.methodology = in.methodology;
  s.submitted_at = env_.clock.Now();
  s.submitted_by = principal.Name();
  s.idempotency_key = absl::StrCat("submit/", IdempotencyScope(principal), "/", in.request_id);
  s.content_hash = db::Sha256Hex(CanonicalSubmissionContent(
      s.fund_id, s.reference_date, s.local_margin, s.offshore_margin, s.methodology));
  info.audit_detail = absl::StrCat("fund=", s.fund_id);
  // No look-up first: the insert itself detects a used request_id (ON CONFLICT), and only then
  // is the original read, which keeps the common path to one write.
  std::optional<AuditRecord> audit;
  if (audit_method != nullptr && env_.batcher != nullptr) {
    // The new id is not known before the insert, so the record names the content hash instead.
    audit = AuditRecord{0, s.submitted_at, principal.Name(), audit_method, in.request_id, "OK",
                        absl::StrCat(info.audit_detail, " hash=", s.content_hash.substr(0, 16))};
  }
  auto id = Insert(s, audit);
  // A concurrent call with the same request_id won the race: answer as a replay of it.
  if (absl::IsAlreadyExists(id.status())) return Replay(fund, s.idempotency_key, s.content_hash);
  if (!id.ok()) return id.status();
  s.id = *id;
  info.audited = audit.has_value();
  absl::StrAppend(&info.audit_detail, " submission=", s.id);
  v1::SubmissionReceipt receipt;
  FillReceipt(s, /*replayed=*/false, &receipt);
  receipt.set_next_due_date(NextDueDate(fund, UtcDate(s.submitted_at)));
  return receipt;
}

// This submission becomes the fund's latest, so the next one is due a periodicity after it; the
// periodicity follows the fund's exposure in the latest exposure snapshot. Empty when the fund is
// not exposed (nothing is due).
std::string SubmissionIntake::NextDueDate(const Fund& fund, Date submitted_on) const {
  std::optional<FundExposure> exposure;
  auto version = env_.store.GetLatestSnapshotVersion(SnapshotKind::kExposure, submitted_on);
  if (version.ok()) {
    auto row = env_.store.GetExposure(version->id, fund.id);
    if (row.ok()) exposure = *row;
  }
  std::optional<int32_t> days = rules::PeriodicityDays(exposure, fund.target_audience, env_.rules);
  return days ? FormatDate(submitted_on + *days) : "";
}

absl::StatusOr<int64_t> SubmissionIntake::Insert(const MarginSubmission& s,
                                                 std::optional<AuditRecord> audit) const {
  if (env_.batcher != nullptr) return env_.batcher->InsertSubmission(s, std::move(audit));
  ASSIGN_OR_RETURN(MarginSubmission stored, env_.store.InsertSubmission(s));
  return stored.id;
}

// The original receipt for `key` when its content matches; ALREADY_EXISTS when it differs;
// NOT_FOUND when the key is unused.
absl::StatusOr<v1::SubmissionReceipt> SubmissionIntake::Replay(const Fund& fund,
                                                               const std::string& key,
                                                               const std::string& hash) const {
  ASSIGN_OR_RETURN(MarginSubmission existing, env_.store.FindSubmissionByKey(key));
  if (existing.content_hash != hash) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id '", RequestIdOf(key), "' was already used for different content (submission ",
        existing.id, ")"));
  }
  v1::SubmissionReceipt receipt;
  FillReceipt(existing, /*replayed=*/true, &receipt);
  receipt.set_next_due_date(NextDueDate(fund, UtcDate(existing.submitted_at)));
  return receipt;
}

}  // namespace riskcap::server
