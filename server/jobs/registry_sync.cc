// Registry sync from the upstream funds/managers feeds.
#include "server/jobs/registry_sync.h"

#include "absl/container/flat_hash_map.h"
#include "server/convert_fund.h"
#include "server/jobs/feed_job_support.h"

namespace riskcap::server::jobs {
namespace {

absl::StatusOr<std::vector<Manager>> ValidManagers(const std::vector<v1::Manager>& rows) {
  std::vector<Manager> out;
  FieldErrors errors;
  for (size_t i = 0; i < rows.size(); ++i) {
    Manager m;
    const std::string path = absl::StrCat("managers.rows[", i, "]");
    MergeManager(rows[i], ManagerPaths(), path, &m, errors);
    if (rows[i].manager_id() <= 0) errors.Add(path + ".manager_id", "is required (an id > 0)");
    m.id = rows[i].manager_id();
    out.push_back(std::move(m));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return out;
}

absl::StatusOr<std::vector<Fund>> ValidFunds(const std::vector<v1::Fund>& rows) {
  std::vector<Fund> out;
  FieldErrors errors;
  for (size_t i = 0; i < rows.size(); ++i) {
    Fund f;
    const std::string path = absl::StrCat("funds.rows[", i, "]");
    MergeFund(rows[i], FundPaths(), path, &f, errors);
    if (rows[i].fund_id() <= 0) errors.Add(path + ".fund_id", "is required (an id > 0)");
    f.id = rows[i].fund_id();
    out.push_back(std::move(f));
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return out;
}

}  // namespace

absl::StatusOr<RegistrySyncResult> SyncRegistry(const JobContext& context,
                                                const sources::FeedSource& source) {
  db::Store& store = context.store();
  const Date date = context.reference_date();
  ASSIGN_OR_RETURN(auto manager_rows, FetchProtoRows<v1::Manager>(source, "managers", date));
  ASSIGN_OR_RETURN(auto fund_rows, FetchProtoRows<v1::Fund>(source, "funds", date));
  ASSIGN_OR_RETURN(std::vector<Manager> managers, ValidManagers(manager_rows));
  ASSIGN_OR_RETURN(std::vector<Fund> funds, ValidFunds(fund_rows));
  RegistrySyncResult result;
  result.rows_read = static_cast<int64_t>(managers.size() + funds.size());
  for (const Manager& m : managers) {
    auto known = store.GetManager(m.id);
    if (known.ok()) continue;
    if (!absl::IsNotFound(known.status())) return known.status();
    RETURN_IF_ERROR(store.CreateManager(m).status());
    ++result.managers_created;
  }
  for (const Fund& f : funds) {
    auto known = store.GetFund(f.id);
    if (known.ok()) {
      if (!(*known == f)) ++result.funds_differing;
      continue;
    }
    if (!absl::IsNotFound(known.status())) return known.status();
    RETURN_IF_ERROR(store.CreateFund(f));
    ++result.funds_created;
  }
  return result;
}

}  // namespace riskcap::server::jobs
