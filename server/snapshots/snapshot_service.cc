// SnapshotService: snapshot selection, pinned paging and the five reads.
#include "server/snapshots/snapshot_service.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/snapshots/convert_snapshot.h"
#include "server/rpc/page_token.h"

namespace riskcap::server {
namespace {

constexpr Date kFirstDate(1900, 1, 1);  // ParseDate's range
constexpr Date kLastDate(9999, 12, 31);

// Which snapshot a read names (snapshot.proto).
struct Selector {
  std::optional<Date> as_of;       // nullopt: the latest reference date
  std::optional<int32_t> version;  // set only with as_of
};

absl::StatusOr<Selector> ParseSelector(const std::string& as_of_date,
                                       const google::protobuf::Int32Value* version) {
  FieldErrors errors;
  Selector s;
  if (!as_of_date.empty()) s.as_of = ParseDateField(as_of_date, "as_of_date", errors);
  if (version != nullptr) {
    if (version->value() < 1) errors.Add("version", "must be >= 1");
    if (as_of_date.empty()) errors.Add("as_of_date", "is required when version is set");
    s.version = version->value();
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return s;
}

absl::StatusOr<SnapshotVersion> Resolve(db::Store& store, SnapshotKind kind, const Selector& s) {
  if (s.version) return store.GetSnapshotVersion(kind, *s.as_of, s.version);
  return store.GetLatestSnapshotVersion(kind, s.as_of.value_or(kLastDate));
}

// A page token over a versioned snapshot pins it: the token's one integer packs the snapshot's
// reference date (22 bits of days since 1900-01-01), its version (12 bits) and the key of the
// last row returned: a positions batch's row number (24 bits), an exposure row's fund id (29
// bits, as ListFundStatus's tokens).
struct Cursor {
  Date reference_date;
  int32_t version = 0;
  int64_t offset = 0;
};
constexpr int kVersionBits = 12;
constexpr int kOffsetBits = 24;
constexpr int kFundBits = 29;

absl::StatusOr<int64_t> PackCursor(const Cursor& c, int offset_bits = kOffsetBits) {
  if (c.version >= (1 << kVersionBits) || c.offset >= (int64_t{1} << offset_bits)) {
    return absl::ResourceExhaustedError("listing too long to page through; narrow the request");
  }
  const int64_t days = c.reference_date - kFirstDate;
  return (((days << kVersionBits) | c.version) << offset_bits) | c.offset;
}

Cursor UnpackCursor(int64_t key, int offset_bits) {
  Cursor c;
  c.offset = key & ((int64_t{1} << offset_bits) - 1);
  c.version = static_cast<int32_t>((key >> offset_bits) & ((1 << kVersionBits) - 1));
  c.reference_date = kFirstDate + (key >> (offset_bits + kVersionBits));
  return c;
}

int OffsetBits(SnapshotKind kind) {
  return kind == SnapshotKind::kExposure ? kFundBits : kOffsetBits;
}

absl::Status BadToken() {
  return FieldError("page_token", "does not belong to this listing; start again without it");
}

// The snapshot and first row offset of a listing page: resolved on the first page, then pinned.
absl::StatusOr<std::pair<SnapshotVersion, int64_t>> PageSnapshot(const RpcEnv& env,
                                                                 SnapshotKind kind,
                                                                 const Selector& s,
                                                                 const db::Page& page) {
  if (page.after_id == 0) {
    ASSIGN_OR_RETURN(SnapshotVersion v, Resolve(env.store, kind, s));
    return std::make_pair(v, int64_t{0});
  }
  const Cursor c = UnpackCursor(page.after_id, OffsetBits(kind));
  if (c.version < 1 || (s.as_of && c.reference_date > *s.as_of) ||
      (s.version && (c.reference_date != *s.as_of || c.version != *s.version))) {
    return BadToken();
  }
  auto pinned = env.store.GetSnapshotVersion(kind, c.reference_date, c.version);
  if (absl::IsNotFound(pinned.status())) return BadToken();
  RETURN_IF_ERROR(pinned.status());
  return std::make_pair(*pinned, c.offset);
}

absl::Status CheckFund(const RpcEnv& env, const Principal& principal, int64_t fund_id) {
  if (fund_id <= 0) return FieldError("fund_id", "must be a fund code > 0");
  return GetAccessibleFund(env.store, principal, fund_id).status();
}

// offshore market value / NAV; unset without a positive NAV.
std::optional<double> OffshoreShare(const FundExposure& e, std::optional<Money> nav) {
  if (!nav || *nav <= Money()) return std::nullopt;
  return e.offshore_market_value.ToDouble() / nav->ToDouble();
}

// The NAV of each of `funds` in the current NAV snapshot of `date`; empty when there is none.
absl::StatusOr<absl::flat_hash_map<int64_t, Money>> NavsOn(db::Store& store, Date date,
                                                          const std::vector<int64_t>& funds) {
  absl::flat_hash_map<int64_t, Money> navs;
  auto version = store.GetSnapshotVersion(SnapshotKind::kNavSnapshot, date, std::nullopt);
  if (absl::IsNotFound(version.status())) return navs;
  RETURN_IF_ERROR(version.status());
  ASSIGN_OR_RETURN(std::vector<NavSnapshot> rows, store.ListNavSnapshots(version->id, funds));
  for (const NavSnapshot& n : rows) navs[n.fund_id] = n.nav;
  return navs;
}

// The store filter of a ListExposures request: a MANAGER key sees its own funds only.
db::ExposureFilter ExposureFilterOf(const Principal& principal, v1::ExposureOrigin origin) {
  db::ExposureFilter filter;
  if (principal.role == Role::kManager) filter.manager_id = principal.manager_id.value_or(0);
  switch (origin) {
    case v1::EXPOSURE_ORIGIN_OTC: filter.consolidated = rules::ConsolidatedExposure::kOtc; break;
    case v1::EXPOSURE_ORIGIN_OFFSHORE:
      filter.consolidated = rules::ConsolidatedExposure::kOffshore;
      break;
    case v1::EXPOSURE_ORIGIN_NONE: filter.consolidated = rules::ConsolidatedExposure::kNone; break;
    default: break;
  }
  return filter;
}

// ListNavHistory's date range: [start, end] narrowed to after the page token's date.
absl::StatusOr<std::pair<Date, Date>> NavHistoryRange(const v1::ListNavHistoryRequest& r,
                                                      const db::Page& page) {
  FieldErrors errors;
  Date from =
      r.start_date().empty() ? kFirstDate : ParseDateField(r.start_date(), "start_date", errors);
  Date to = r.end_date().empty() ? kLastDate : ParseDateField(r.end_date(), "end_date", errors);
  if (errors.empty() && to < from) errors.Add("end_date", "must be on or after start_date");
  if (r.has_load_id() && r.load_id().value() <= 0) errors.Add("load_id", "must be > 0");
  RETURN_IF_ERROR(errors.ToStatus());
  if (page.after_id > 0) from = std::max(from, kFirstDate + page.after_id);  // key: days + 1
  return std::make_pair(from, to);
}

// ---- RPC bodies (HandleRpc has authenticated the caller).

// The selector of a Get/List request with as_of_date and an optional version.
template <typename Request>
absl::StatusOr<Selector> SelectorOf(const Request& r) {
  return ParseSelector(r.as_of_date(), r.has_version() ? &r.version() : nullptr);
}

absl::StatusOr<absl::flat_hash_map<std::string, std::string>> AssetTypeDescriptions(
    db::Store& store) {
  ASSIGN_OR_RETURN(std::vector<AssetType> types, store.ListAssetTypes());
  absl::flat_hash_map<std::string, std::string> descriptions;
  for (AssetType& t : types) descriptions[t.code] = std::move(t.description);
  return descriptions;
}

absl::Status GetNav(const RpcEnv& env, const Principal& principal,
                    const v1::GetNavSnapshotRequest& r, v1::NavSnapshot* out) {
  ASSIGN_OR_RETURN(Selector s, SelectorOf(r));
  RETURN_IF_ERROR(CheckFund(env, principal, r.fund_id()));
  ASSIGN_OR_RETURN(SnapshotVersion v, Resolve(env.store, SnapshotKind::kNavSnapshot, s));
  ASSIGN_OR_RETURN(NavSnapshot row,
                   env.store.GetNavSnapshot(r.fund_id(), v.reference_date, v.version));
  ToProto(row, v, out);
  return absl::OkStatus();
}

absl::Status ListHistory(const RpcEnv& env, const Principal& principal,
                         const v1::ListNavHistoryRequest& r, v1::ListNavHistoryResponse* out) {
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "SnapshotService/ListNavHistory", r));
  db::Page page = pager.page;
  ASSIGN_OR_RETURN(auto range, NavHistoryRange(r, page));
  RETURN_IF_ERROR(CheckFund(env, principal, r.fund_id()));
  if (range.first > range.second) return absl::OkStatus();  // the token was at the end
  std::optional<int64_t> load;
  if (r.has_load_id()) load = r.load_id().value();
  ASSIGN_OR_RETURN(std::vector<NavHistoryEntry> rows,
                   env.store.ListNavHistory(r.fund_id(), range.first, range.second, load));
  const size_t shown = std::min(rows.size(), static_cast<size_t>(page.limit));
  for (size_t i = 0; i < shown; ++i) {
    v1::NavHistoryEntry* entry = out->add_entries();
    ToProto(rows[i], entry);
    // The store does not say which load wrote a row, so only a requested load is named.
    if (load) entry->set_load_id(*load);
  }
  if (rows.size() > shown) {
    const int64_t key = rows[shown - 1].nav_date - kFirstDate + 1;
    out->set_next_page_token(pager.NextToken(key, shown, page.limit));
  }
  return absl::OkStatus();
}

absl::Status ListFundPositions(const RpcEnv& env, const Principal& principal,
                               const v1::ListPositionsRequest& r, v1::ListPositionsResponse* out) {
  ASSIGN_OR_RETURN(Selector s, SelectorOf(r));
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "SnapshotService/ListPositions", r));
  db::Page page = pager.page;
  RETURN_IF_ERROR(CheckFund(env, principal, r.fund_id()));
  // For positions the cursor's offset is the batch row number to continue after.
  ASSIGN_OR_RETURN(auto pinned, PageSnapshot(env, SnapshotKind::kPositions, s, page));
  const auto& [v, after_row] = pinned;
  std::vector<int64_t> row_numbers;
  ASSIGN_OR_RETURN(std::vector<Position> rows,
                   env.store.ListPositions(v.id, r.fund_id(), {after_row, page.limit + 1},
                                           &row_numbers));
  ASSIGN_OR_RETURN(auto descriptions, AssetTypeDescriptions(env.store));
  const size_t shown = std::min(rows.size(), static_cast<size_t>(page.limit));
  for (size_t i = 0; i < shown; ++i) {
    auto it = descriptions.find(rows[i].asset_type_code);
    ToProto(rows[i], it == descriptions.end() ? "" : it->second, out->add_positions());
  }
  out->set_reference_date(FormatDate(v.reference_date));
  out->set_version(v.version);
  out->set_load_id(v.id);
  out->set_job_run_id(v.job_run_id.value_or(0));
  if (rows.size() > shown) {
    ASSIGN_OR_RETURN(int64_t key,
                     PackCursor({v.reference_date, v.version, row_numbers[shown - 1]}));
    out->set_next_page_token(pager.NextToken(key, shown, page.limit));
  }
  return absl::OkStatus();
}

absl::Status GetFundExposure(const RpcEnv& env, const Principal& principal,
                             const v1::GetExposureRequest& r, v1::FundExposure* out) {
  ASSIGN_OR_RETURN(Selector s, SelectorOf(r));
  RETURN_IF_ERROR(CheckFund(env, principal, r.fund_id()));
  ASSIGN_OR_RETURN(SnapshotVersion v, Resolve(env.store, SnapshotKind::kExposure, s));
  ASSIGN_OR_RETURN(FundExposure row, env.store.GetExposure(v.id, r.fund_id()));
  auto nav = env.store.GetNavSnapshot(r.fund_id(), v.reference_date, std::nullopt);
  if (!nav.ok() && !absl::IsNotFound(nav.status())) return nav.status();
  ToProto(row, v, OffshoreShare(row, nav.ok() ? std::optional(nav->nav) : std::nullopt), out);
  return absl::OkStatus();
}

absl::Status ListFundExposures(const RpcEnv& env, const Principal& principal,
                               const v1::ListExposuresRequest& r, v1::ListExposuresResponse* out) {
  ASSIGN_OR_RETURN(Selector s, SelectorOf(r));
  if (!v1::ExposureOrigin_IsValid(r.consolidated_exposure())) {
    return FieldError("consolidated_exposure", "is not one of the enum's named values");
  }
  ASSIGN_OR_RETURN(Pager pager, PagerFor(env.store, "SnapshotService/ListExposures", r));
  db::Page page = pager.page;
  // For exposures the cursor's offset is the fund id to continue after.
  ASSIGN_OR_RETURN(auto pinned, PageSnapshot(env, SnapshotKind::kExposure, s, page));
  const auto& [v, after_fund] = pinned;
  ASSIGN_OR_RETURN(std::vector<FundExposure> rows,
                   env.store.ListExposures(v.id,
                                           ExposureFilterOf(principal, r.consolidated_exposure()),
                                           {after_fund, page.limit + 1}));
  const size_t shown = std::min(rows.size(), static_cast<size_t>(page.limit));
  std::vector<int64_t> funds;
  for (size_t i = 0; i < shown; ++i) funds.push_back(rows[i].fund_id);
  ASSIGN_OR_RETURN(auto navs, NavsOn(env.store, v.reference_date, funds));
  for (size_t i = 0; i < shown; ++i) {
    auto nav = navs.find(rows[i].fund_id);
    std::optional<Money> fund_nav;
    if (nav != navs.end()) fund_nav = nav->second;
    ToProto(rows[i], v, OffshoreShare(rows[i], fund_nav), out->add_exposures());
  }
  if (rows.size() > shown) {
    ASSIGN_OR_RETURN(int64_t key, PackCursor({v.reference_date, v.version, funds.back()},
                                             OffsetBits(SnapshotKind::kExposure)));
    out->set_next_page_token(pager.NextToken(key, shown, page.limit));
  }
  return absl::OkStatus();
}

}  // namespace

SnapshotServiceImpl::SnapshotServiceImpl(RpcEnv& env) : env_(env) {}

grpc::Status SnapshotServiceImpl::GetNavSnapshot(grpc::ServerContext* context,
                                                 const v1::GetNavSnapshotRequest* request,
                                                 v1::NavSnapshot* response) {
  return HandleRpc(
      env_, *context, "SnapshotService/GetNavSnapshot", "", CallKind::kRead,
      [&](const Principal& p, CallInfo&) { return GetNav(env_, p, *request, response); });
}

grpc::Status SnapshotServiceImpl::ListNavHistory(grpc::ServerContext* context,
                                                 const v1::ListNavHistoryRequest* request,
                                                 v1::ListNavHistoryResponse* response) {
  return HandleRpc(
      env_, *context, "SnapshotService/ListNavHistory", "", CallKind::kRead,
      [&](const Principal& p, CallInfo&) { return ListHistory(env_, p, *request, response); });
}

grpc::Status SnapshotServiceImpl::ListPositions(grpc::ServerContext* context,
                                                const v1::ListPositionsRequest* request,
                                                v1::ListPositionsResponse* response) {
  return HandleRpc(env_, *context, "SnapshotService/ListPositions", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListFundPositions(env_, p, *request, response);
                   });
}

grpc::Status SnapshotServiceImpl::GetExposure(grpc::ServerContext* context,
                                              const v1::GetExposureRequest* request,
                                              v1::FundExposure* response) {
  return HandleRpc(
      env_, *context, "SnapshotService/GetExposure", "", CallKind::kRead,
      [&](const Principal& p, CallInfo&) { return GetFundExposure(env_, p, *request, response); });
}

grpc::Status SnapshotServiceImpl::ListExposures(grpc::ServerContext* context,
                                                const v1::ListExposuresRequest* request,
                                                v1::ListExposuresResponse* response) {
  return HandleRpc(env_, *context, "SnapshotService/ListExposures", "", CallKind::kRead,
                   [&](const Principal& p, CallInfo&) {
                     return ListFundExposures(env_, p, *request, response);
                   });
}

}  // namespace riskcap::server
