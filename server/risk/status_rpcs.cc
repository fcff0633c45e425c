// RiskService's status reads: ListFundStatus and GetRiskCapitalSummary over a stored
// MARGIN_STATUS snapshot, selected as in SnapshotService (as_of_date, version; NOT_FOUND when
// there is none). MANAGER keys see only their own manager's funds. ExplainFundStatus selects a
// fund's row the same way and hands it to status_explain.h.
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/field_errors.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/risk/convert_status.h"
#include "server/rpc/page_token.h"
#include "server/risk/risk_service.h"
#include "server/risk/status_explain.h"

namespace riskcap::server {
namespace {

constexpr Date kFirstDate(1900, 1, 1);
constexpr Date kLastDate(9999, 12, 31);

struct Selector {
  std::optional<Date> as_of;
  std::optional<int32_t> version;
};

Selector ParseSelector(const std::string& as_of_date, const google::protobuf::Int32Value* version,
                       FieldErrors& errors) {
  Selector s;
  if (!as_of_date.empty()) s.as_of = ParseDateField(as_of_date, "as_of_date", errors);
  if (version != nullptr) {
    if (version->value() < 1) errors.Add("version", "must be >= 1");
    if (as_of_date.empty()) errors.Add("as_of_date", "is required when version is set");
    s.version = version->value();
  }
  return s;
}

absl::StatusOr<SnapshotVersion> Resolve(db::Store& store, const Selector& s) {
  if (s.version) return store.GetSnapshotVersion(SnapshotKind::kMarginStatus, *s.as_of, s.version);
  return store.GetLatestSnapshotVersion(SnapshotKind::kMarginStatus, s.as_of.value_or(kLastDate));
}

// The manager whose funds `p` may read, given the request's manager_id (0 = any).
absl::StatusOr<std::optional<int64_t>> ManagerScope(const Principal& p, int64_t requested) {
  if (requested < 0) return FieldError("manager_id", "must be >= 0 (0 = any manager)");
  if (p.role == Role::kManager) {
    if (requested > 0 && requested != p.manager_id) {
      return absl::PermissionDeniedError("a MANAGER key reads only its own manager's funds");
    }
    return p.manager_id;
  }
  return requested > 0 ? std::optional<int64_t>(requested) : std::nullopt;
}

// A page token pins the snapshot: its key packs the snapshot's reference date (22 bits of days
// since 1900-01-01), its version (12 bits) and the last fund id returned (29 bits).
constexpr int kVersionBits = 12;
constexpr int kFundBits = 29;

struct Cursor {
  Date reference_date;
  int32_t version = 0;
  int64_t after_fund = 0;
};

absl::StatusOr<int64_t> Pack(const Cursor& c) {
  if (c.version >= (1 << kVersionBits) || c.after_fund >= (int64_t{1} << kFundBits)) {
    return absl::ResourceExhaustedError("listing too long to page through; narrow the request");
  }
  return ((((c.reference_date - kFirstDate) << kVersionBits) | c.version) << kFundBits) |
         c.after_fund;
}

Cursor Unpack(int64_t key) {
  Cursor c;
  c.after_fund = key & ((int64_t{1} << kFundBits) - 1);
  c.version = static_cast<int32_t>((key >> kFundBits) & ((1 << kVersionBits) - 1));
  c.reference_date = kFirstDate + (key >> (kFundBits + kVersionBits));
  return c;
}

absl::StatusOr<std::pair<SnapshotVersion, int64_t>> PageSnapshot(db::Store& store,
                                                                  const Selector& s,
                                                                  const db::Page& page) {
  if (page.after_id == 0) {
    ASSIGN_OR_RETURN(SnapshotVersion v, Resolve(store, s));
    return std::make_pair(v, int64_t{0});
  }
  const Cursor c = Unpack(page.after_id);
  absl::Status bad = FieldError("page_token", "does not belong to this listing; start again without it");
  if (c.version < 1 || (s.as_of && c.reference_date > *s.as_of) ||
      (s.version && (c.reference_date != *s.as_of || c.version != *s.version))) {
    return bad;
  }
  auto pinned = store.GetSnapshotVersion(SnapshotKind::kMarginStatus, c.reference_date, c.version);
  if (absl::IsNotFound(pinned.status())) return bad;
  RETURN_IF_ERROR(pinned.status());
  return std::make_pair(*pinned, c.after_fund);
}

template <typename CoreEnum, typename ProtoEnum, typename Setter>
void OptionalEnum(ProtoEnum value, const char* field, FieldErrors& errors, Setter set) {
  if (static_cast<int>(value) == 0) return;
  set(FromProtoEnum<CoreEnum>(value, field, errors));
}

db::FundStatusFilter FilterOf(const v1::ListFundStatusRequest& r, FieldErrors& errors) {
  db::FundStatusFilter f;
  if (r.fund_id() < 0) errors.Add("fund_id", "must be >= 0 (0 = any fund)");
  if (r.fund_id() > 0) f.fund_id = r.fund_id();
  OptionalEnum<rules::DeadlineStatus>(r.deadline_status(), "deadline_status", errors,
                                      [&](auto v) { f.deadline_status = v; });
  OptionalEnum<rules::ValidationStatus>(r.validation_status(), "validation_status", errors,
                                        [&](auto v) { f.validation_status = v; });
  OptionalEnum<rules::LimitStatus>(r.limit_status(), "limit_status", errors,
                                   [&](auto v) { f.limit_status = v; });
  OptionalEnum<RegulatoryClass>(r.regulatory_class(), "regulatory_class", errors,
                                [&](auto v) { f.regulatory_class = v; });
  OptionalEnum<rules::ConsolidatedExposure>(r.consolidated_exposure(), "consolidated_exposure",
                                            errors, [&](auto v) { f.exposure = v; });
  f.include_not_monitored =
      r.include_not_monitored() || f.exposure == rules::ConsolidatedExposure::kNone;
  return f;
}

// The names of the page's funds (a query for the page, not the registry).
absl::StatusOr<absl::flat_hash_map<int64_t, std::string>> FundNames(
    db::Store& store, const std::vector<rules::FundStatusRow>& rows) {
  std::vector<int64_t> ids;
  for (const rules::FundStatusRow& row : rows) ids.push_back(row.fund_id());
  ASSIGN_OR_RETURN(auto named, store.GetFundNames(ids));
  return absl::flat_hash_map<int64_t, std::string>(named.begin(), named.end());
}

absl::Status ListBody(const RpcEnv& env, const Principal& p, const v1::ListFundStatusRequest& r,
                      v1::ListFundStatusResponse* out) {
  FieldErrors errors;
  Selector selector = ParseSelector(r.as_of_date(), r.has_version() ? &r.version() : nullptr, errors);
  db::FundStatusFilter filter = FilterOf(r, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(filter.manager_id, ManagerScope(p, r.manager_id()));
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "RiskService/ListFundStatus", r));
  db::Page page = pager.page;
  ASSIGN_OR_RETURN(auto pinned, PageSnapshot(env.store, selector, page));
  const auto& [version, after_fund] = pinned;
  ASSIGN_OR_RETURN(auto rows,
                   env.store.ListFundStatus(version.id, filter, db::Page{after_fund, page.limit}));
  ASSIGN_OR_RETURN(auto names, FundNames(env.store, rows));
  for (const rules::FundStatusRow& row : rows) ToProto(row, names[row.fund_id()], out->add_statuses());
  ToProto(version, out->mutable_snapshot());
  if (rows.size() == static_cast<size_t>(page.limit)) {
    ASSIGN_OR_RETURN(int64_t key, Pack({version.reference_date, version.version, rows.back().fund_id()}));
    out->set_next_page_token(pager.NextToken(key, rows.size(), page.limit));
  }
  return absl::OkStatus();
}

absl::Status SummaryBody(const RpcEnv& env, const Principal& p,
                         const v1::GetRiskCapitalSummaryRequest& r, v1::RiskCapitalSummary* out) {
  FieldErrors errors;
  Selector selector = ParseSelector(r.as_of_date(), r.has_version() ? &r.version() : nullptr, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  ASSIGN_OR_RETURN(std::optional<int64_t> manager, ManagerScope(p, r.manager_id()));
  ASSIGN_OR_RETURN(SnapshotVersion version, Resolve(env.store, selector));
  // From the counts stored with the version (db/internal/fund_status_summary.h): no fund's row is read.
  ASSIGN_OR_RETURN(db::FundStatusSummary summary,
                   env.store.SummarizeFundStatus(version.id, manager));
  Summarize(summary, out);
  ToProto(version, out->mutable_snapshot());
  return absl::OkStatus();
}

// The fund's row of the selected snapshot, then its explanation. A MANAGER key naming another
// manager's fund, or a fund that does not exist, is refused alike (GetAccessibleFund).
absl::Status ExplainBody(const RpcEnv& env, const Principal& p,
                         const v1::ExplainFundStatusRequest& r, v1::FundStatusExplanation* out) {
  RETURN_IF_ERROR(RequireRole(p, {Role::kAnalyst, Role::kManager}));
  FieldErrors errors;
  if (r.fund_id() <= 0) errors.Add("fund_id", "is required and must be > 0");
  Selector selector =
      ParseSelector(r.as_of_date(), r.has_version() ? &r.version() : nullptr, errors);
  RETURN_IF_ERROR(errors.ToStatus());
  RETURN_IF_ERROR(GetAccessibleFund(env.store, p, r.fund_id(), FundRead::kFresh).status());
  ASSIGN_OR_RETURN(SnapshotVersion version, Resolve(env.store, selector));
  db::FundStatusFilter filter;
  filter.fund_id = r.fund_id();
  filter.include_not_monitored = true;
  ASSIGN_OR_RETURN(auto rows, env.store.ListFundStatus(version.id, filter, db::Page{0, 1}));
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat("status snapshot version ", version.version, " of ",
                                            FormatDate(version.reference_date),
                                            " has no row for fund ", r.fund_id()));
  }
  return ExplainStatusRow(env.store, env.rules, version, rows.front(), r.recompute(), out);
}

}  // namespace

grpc::Status RiskServiceImpl::ListFundStatus(grpc::ServerContext* context,
                                             const v1::ListFundStatusRequest* request,
                                             v1::ListFundStatusResponse* response) {
  return HandleRpc(env_, *context, "RiskService/ListFundStatus", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListBody(env_, p, *request, response);
                   });
}

grpc::Status RiskServiceImpl::GetRiskCapitalSummary(grpc::ServerContext* context,
                                                    const v1::GetRiskCapitalSummaryRequest* request,
                                                    v1::RiskCapitalSummary* response) {
  return HandleRpc(env_, *context, "RiskService/GetRiskCapitalSummary", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return SummaryBody(env_, p, *request, response);
                   });
}

}  // namespace riskcap::server

namespace riskcap::server {

grpc::Status RiskServiceImpl::ExplainFundStatus(grpc::ServerContext* context,
                                                const v1::ExplainFundStatusRequest* request,
                                                v1::FundStatusExplanation* response) {
  return HandleRpc(env_, *context, "RiskService/ExplainFundStatus", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ExplainBody(env_, p, *request, response);
                   });
}

}  // namespace riskcap::server
