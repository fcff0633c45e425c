// Registry and admin messages: Manager, Fund, Exemption, ApiKey and AuditRecord proto <-> core,
// with field-level validation of what clients send, and the list paging helpers their RPCs share.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <google/protobuf/field_mask.pb.h>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "core/audit.h"
#include "core/field_errors.h"
#include "core/fund.h"
#include "core/margin_submission.h"
#include "core/status_macros.h"
#include "db/store.h"
#include "riskcap/v1/common.pb.h"

namespace riskcap::server {

using FieldPaths = absl::flat_hash_set<std::string>;

inline const FieldPaths& ManagerPaths() {
  static const auto* paths = new FieldPaths{"name", "tax_id"};
  return *paths;
}
inline const FieldPaths& FundPaths() {
  static const auto* paths =
      new FieldPaths{"name",           "tax_id",           "manager_id",    "regulatory_class",
                     "target_audience", "bylaws_margin_cap", "base_currency", "active"};
  return *paths;
}

// The paths of a required update mask; violations on "update_mask" when it is empty or names a
// path outside `allowed`.
FieldPaths ParseUpdateMask(const google::protobuf::FieldMask& mask, const FieldPaths& allowed,
                           FieldErrors& errors);

// Validates the fields of `in` named in `paths` and copies them onto `*out`; violations are
// reported as "<prefix>.<field>" (e.g. "fund.tax_id"). Ids are not copied: callers own them.
void MergeManager(const v1::Manager& in, const FieldPaths& paths, const std::string& prefix,
                  Manager* out, FieldErrors& errors);
void MergeFund(const v1::Fund& in, const FieldPaths& paths, const std::string& prefix, Fund* out,
               FieldErrors& errors);

// A CNPJ as the API accepts it: exactly 14 digits, not all equal, with valid check digits.
void CheckCnpj(const std::string& text, const std::string& field, FieldErrors& errors);
// A name of 1..`max_chars` UTF-8 characters that is not blank.
void CheckName(const std::string& text, size_t max_chars, const std::string& field,
               FieldErrors& errors);

// A new exemption from a GrantExemptionRequest.exemption (fields under "exemption.").
Exemption ExemptionFromProto(const v1::Exemption& in, FieldErrors& errors);

void ToProto(const Manager& manager, v1::Manager* out);
void ToProto(const Fund& fund, v1::Fund* out);
void ToProto(const Exemption& exemption, v1::Exemption* out);
void ToProto(const ApiKey& key, v1::ApiKey* out);
void ToProto(const AuditRecord& record, v1::AuditRecord* out);

// The full gRPC method name ("/riskcap.v1.FundService/CreateFund") of an audited method, which
// may be recorded in short form ("FundService/CreateFund"); other names are returned unchanged.
std::string FullMethodName(const std::string& method);

// ---- Paging over the store's ascending keyset lists, with filters the store does not have ----

// Reads one store page (ascending by key, keys > page.after_id).
template <typename T>
using PageSource = std::function<absl::StatusOr<std::vector<T>>(const db::Page&)>;

// Up to `page.limit` rows after `page.after_id` that satisfy `keep`, reading as many store pages
// as that takes.
template <typename T>
absl::StatusOr<std::vector<T>> CollectAscending(const PageSource<T>& source, const db::Page& page,
                                                const std::function<bool(const T&)>& keep,
                                                const std::function<int64_t(const T&)>& key) {
  std::vector<T> out;
  db::Page scan{page.after_id, db::Page{}.limit * 10};
  while (out.size() < static_cast<size_t>(page.limit)) {
    ASSIGN_OR_RETURN(std::vector<T> rows, source(scan));
    for (T& row : rows) {
      if (keep(row) && out.size() < static_cast<size_t>(page.limit)) out.push_back(std::move(row));
    }
    if (rows.size() < static_cast<size_t>(scan.limit)) break;
    scan.after_id = key(rows.back());
  }
  return out;
}

}  // namespace riskcap::server
