// Margin submission intake.
#include "server/margin/submission_intake.h"

#include "absl/strings/str_cat.h"
#include "core/rules/submission_status.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "server/rpc/convert_common.h"
#include "server/margin/convert_margin.h"

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
  ASSIGN_OR_RETURN(PreparedSubmission prepared, Prepare(principal, request, info, audit_method));
  auto id = Insert(prepared.submission, prepared.audit);
  // A concurrent call with the same request_id won the race: answer as a replay of it.
  if (absl::IsAlreadyExists(id.status())) return Replay(prepared);
  if (!id.ok()) return id.status();
  return Accepted(prepared, *id, info);
}

absl::StatusOr<PreparedSubmission> SubmissionIntake::Prepare(
    const Principal& principal, const v1::SubmitMarginRequest& request, CallInfo& info,
    const char* audit_method) const {
  RETURN_IF_ERROR(RequireRole(principal, {Role::kManager, Role::kService}));
  ASSIGN_OR_RETURN(SubmissionInput in, ParseSubmitRequest(request, env_.clock.Today()));
  PreparedSubmission p;
  ASSIGN_OR_RETURN(p.fund,
                   GetAccessibleFund(env_.store, principal, in.fund_id, FundRead::kCached));
  if (!p.fund.active) {
    return absl::FailedPreconditionError(absl::StrCat("fund ", p.fund.id, " is not active"));
  }
  MarginSubmission& s = p.submission;
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
  p.next_due_date = NextDueDate(p.fund, UtcDate(s.submitted_at));
  // No look-up first: the insert itself detects a used request_id (ON CONFLICT), and only then
  // is the original read, which keeps the common path to one write.
  if (audit_method != nullptr) {
    // The new id is not known before the insert, so the record names the content hash instead.
    p.audit = AuditRecord{0, s.submitted_at, principal.Name(), audit_method, in.request_id, "OK",
                          absl::StrCat(info.audit_detail, " hash=", s.content_hash.substr(0, 16))};
  }
  return p;
}

v1::SubmissionReceipt SubmissionIntake::Accepted(const PreparedSubmission& prepared, int64_t id,
                                                 CallInfo& info) {
  info.audited = prepared.audit.has_value();
  absl::StrAppend(&info.audit_detail, " submission=", id);
  MarginSubmission s = prepared.submission;
  s.id = id;
  v1::SubmissionReceipt receipt;
  FillReceipt(s, /*replayed=*/false, &receipt);
  receipt.set_next_due_date(prepared.next_due_date);
  return receipt;
}

// This submission becomes the fund's latest, so the next one is due a periodicity after it; the
// periodicity follows the fund's exposure in the latest exposure snapshot. Empty when the fund is
// not exposed (nothing is due).
std::string SubmissionIntake::NextDueDate(const Fund& fund, Date submitted_on) const {
  // A failed read counts as "not exposed", as a missing row does: the receipt's due date is
  // advice, and the submission itself has already committed.
  auto latest = env_.store.GetLatestExposureCached(fund.id, submitted_on);
  std::optional<FundExposure> exposure = latest.ok() ? *latest : std::nullopt;
  std::optional<int32_t> days = rules::PeriodicityDays(exposure, fund.target_audience, env_.rules);
  return days ? FormatDate(submitted_on + *days) : "";
}

absl::StatusOr<int64_t> SubmissionIntake::Insert(const MarginSubmission& s,
                                                 std::optional<AuditRecord> audit) const {
  if (env_.batcher != nullptr) return env_.batcher->InsertSubmission(s, std::move(audit));
  if (!audit) {
    ASSIGN_OR_RETURN(MarginSubmission stored, env_.store.InsertSubmission(s));
    return stored.id;
  }
  // One transaction for the submission and its audit record, as the batcher would.
  ASSIGN_OR_RETURN(auto slots, env_.store.WriteBatch({{s, std::move(audit)}}, {}));
  return slots.at(0);
}

// The original receipt when the content matches; ALREADY_EXISTS when it differs; NOT_FOUND when
// the key is unused.
absl::StatusOr<v1::SubmissionReceipt> SubmissionIntake::Replay(
    const PreparedSubmission& prepared) const {
  const std::string& key = prepared.submission.idempotency_key;
  ASSIGN_OR_RETURN(MarginSubmission existing, env_.store.FindSubmissionByKey(key));
  if (existing.content_hash != prepared.submission.content_hash) {
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id '", RequestIdOf(key), "' was already used for different content (submission ",
        existing.id, ")"));
  }
  v1::SubmissionReceipt receipt;
  FillReceipt(existing, /*replayed=*/true, &receipt);
  receipt.set_next_due_date(NextDueDate(prepared.fund, UtcDate(existing.submitted_at)));
  return receipt;
}

}  // namespace riskcap::server
