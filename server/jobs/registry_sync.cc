// Registry sync from the upstream funds/managers feeds.
#include "server/jobs/registry_sync.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_join.h"
#include "server/funds/convert_contacts.h"
#include "server/funds/convert_fund.h"
#include "server/jobs/feed_job_support.h"

namespace riskcap::server::jobs {
namespace {

// Contacts the upstream gives for new managers (its "contact_emails"), by manager id.
using ContactsById = absl::flat_hash_map<int64_t, ManagerContacts>;

absl::StatusOr<std::vector<Manager>> ValidManagers(const std::vector<v1::Manager>& rows,
                                                   ContactsById* contacts) {
  std::vector<Manager> out;
  FieldErrors errors;
  for (size_t i = 0; i < rows.size(); ++i) {
    Manager m;
    const std::string path = absl::StrCat("managers.rows[", i, "]");
    MergeManager(rows[i], ManagerPaths(), path, &m, errors);
    if (rows[i].manager_id() <= 0) errors.Add(path + ".manager_id", "is required (an id > 0)");
    m.id = rows[i].manager_id();
    if (rows[i].contact_emails_size() > 0) {
      MergeContacts(rows[i], {"contact_emails"}, path, &(*contacts)[m.id], errors);
    }
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

absl::StatusOr<absl::flat_hash_set<int64_t>> KnownManagerIds(db::Store& store) {
  absl::flat_hash_set<int64_t> known;
  for (db::Page page{0, 1000};;) {
    ASSIGN_OR_RETURN(std::vector<Manager> rows, store.ListManagers(page));
    for (const Manager& m : rows) known.insert(m.id);
    if (rows.size() < static_cast<size_t>(page.limit)) break;
    page.after_id = rows.back().id;
  }
  return known;
}

absl::StatusOr<absl::flat_hash_map<int64_t, Fund>> KnownFunds(db::Store& store) {
  ASSIGN_OR_RETURN(std::vector<Fund> funds, AllFunds(store));
  absl::flat_hash_map<int64_t, Fund> known;
  for (Fund& f : funds) known.emplace(f.id, std::move(f));
  return known;
}

// Creates every missing manager and fund in ONE transaction (Store calls made inside
// db::RunIdempotent join its transaction), keyed by the hash of what is created: all appear or
// none do, and a first load of thousands of funds is one commit, not thousands.
absl::Status CreateAll(db::Store& store, Date date, const std::vector<Manager>& managers,
                       const ContactsById& contacts, const std::vector<Fund>& funds) {
  db::Sha256 hash;
  for (const Manager& m : managers) hash.Update(absl::StrCat("m|", m.id, "|", m.tax_id, "\n"));
  for (const Manager& m : managers) {
    if (auto it = contacts.find(m.id); it != contacts.end()) {
      hash.Update(absl::StrCat("c|", m.id, "|", absl::StrJoin(it->second.emails, ","), "\n"));
    }
  }
  for (const Fund& f : funds) hash.Update(absl::StrCat("f|", f.id, "|", f.tax_id, "\n"));
  const std::string content = hash.FinishHex();
  db::RequestKey key{"jobs/nav_snapshot/registry", FormatDate(date), content.substr(0, 40),
                     content};
  return db::RunIdempotent(store, key, [&]() -> absl::StatusOr<int64_t> {
           for (const Manager& m : managers) {
             RETURN_IF_ERROR(store.CreateManager(m).status());
             auto it = contacts.find(m.id);
             if (it != contacts.end()) RETURN_IF_ERROR(store.SetManagerContacts(m.id, it->second));
           }
           for (const Fund& f : funds) RETURN_IF_ERROR(store.CreateFund(f));
           return static_cast<int64_t>(funds.size());
         })
      .status();
}

}  // namespace

absl::StatusOr<RegistrySyncResult> SyncRegistry(const JobContext& context,
                                                const sources::FeedSource& source) {
  db::Store& store = context.store();
  const Date date = context.reference_date();
  ASSIGN_OR_RETURN(auto manager_rows,
                   FetchProtoRows<v1::Manager>(context, source, "managers", date));
  ASSIGN_OR_RETURN(auto fund_rows, FetchProtoRows<v1::Fund>(context, source, "funds", date));
  ContactsById contacts;
  ASSIGN_OR_RETURN(std::vector<Manager> managers, ValidManagers(manager_rows, &contacts));
  ASSIGN_OR_RETURN(std::vector<Fund> funds, ValidFunds(fund_rows));
  RegistrySyncResult result;
  result.rows_read = static_cast<int64_t>(managers.size() + funds.size());
  ASSIGN_OR_RETURN(auto known_managers, KnownManagerIds(store));
  ASSIGN_OR_RETURN(auto known_funds, KnownFunds(store));
  std::vector<Manager> new_managers;
  std::vector<Fund> new_funds;
  for (Manager& m : managers) {
    if (!known_managers.contains(m.id)) new_managers.push_back(std::move(m));
  }
  for (Fund& f : funds) {
    auto it = known_funds.find(f.id);
    if (it == known_funds.end()) {
      new_funds.push_back(std::move(f));
    } else if (!(it->second == f)) {
      ++result.funds_differing;
    }
  }
  if (new_managers.empty() && new_funds.empty()) return result;
  RETURN_IF_ERROR(CreateAll(store, date, new_managers, contacts, new_funds));
  result.managers_created = static_cast<int64_t>(new_managers.size());
  result.funds_created = static_cast<int64_t>(new_funds.size());
  return result;
}

}  // namespace riskcap::server::jobs
