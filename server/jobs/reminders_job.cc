// reminders: one de-duplicated notice per manager with overdue or never-submitted funds.
#include "server/jobs/reminders_job.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/sha256.h"
#include "server/delivery/delivery_notice.h"

namespace riskcap::server::jobs {
namespace {

constexpr int kPageSize = 1000;

absl::StatusOr<std::vector<rules::FundStatusRow>> Pending(db::Store& store, int64_t version,
                                                          rules::DeadlineStatus status) {
  std::vector<rules::FundStatusRow> all;
  db::FundStatusFilter filter;
  filter.deadline_status = status;
  db::Page page{0, kPageSize};
  while (true) {
    ASSIGN_OR_RETURN(auto rows, store.ListFundStatus(version, filter, page));
    for (auto& r : rows) all.push_back(std::move(r));
    if (rows.size() < static_cast<size_t>(kPageSize)) return all;
    page.after_id = all.back().fund_id();
  }
}

// The funds of one manager's pending `rows`, read a page of the manager's funds at a time (not
// one query per fund); a fund moved to another manager since the status was computed is read
// alone, one that no longer exists is left out.
absl::StatusOr<std::vector<Fund>> FundsOf(db::Store& store, int64_t manager_id,
                                          const std::vector<rules::FundStatusRow>& rows) {
  std::set<int64_t> missing;
  for (const rules::FundStatusRow& r : rows) missing.insert(r.fund_id());
  std::vector<Fund> out;
  db::FundFilter filter;
  filter.manager_id = manager_id;
  for (db::Page page{0, kPageSize};;) {
    ASSIGN_OR_RETURN(std::vector<Fund> funds, store.ListFunds(filter, page));
    const int64_t last = funds.empty() ? 0 : funds.back().id;
    for (Fund& f : funds) {
      if (missing.erase(f.id) > 0) out.push_back(std::move(f));
    }
    if (funds.size() < static_cast<size_t>(kPageSize) || missing.empty()) break;
    page.after_id = last;
  }
  for (int64_t id : missing) {
    absl::StatusOr<Fund> fund = store.GetFund(id);
    if (absl::IsNotFound(fund.status())) continue;
    RETURN_IF_ERROR(fund.status());
    out.push_back(*std::move(fund));
  }
  return out;
}

std::string FundLine(const rules::FundStatusRow& row, const std::vector<Fund>& funds) {
  auto it = std::find_if(funds.begin(), funds.end(),
                         [&](const Fund& f) { return f.id == row.fund_id(); });
  std::string name = it == funds.end() ? std::string() : absl::StrCat(" ", it->name);
  const rules::FundStatus& s = row.status;
  if (s.deadline_status == rules::DeadlineStatus::kNeverSubmitted) {
    return absl::StrCat("- fund ", row.fund_id(), name, ": never submitted (report every ",
                        s.periodicity_days.value_or(0), " days)\n");
  }
  return absl::StrCat("- fund ", row.fund_id(), name, ": overdue since ",
                      s.next_due_date ? FormatDate(*s.next_due_date) : std::string("-"),
                      " (last report ",
                      s.last_submission_date ? FormatDate(*s.last_submission_date) : "-", ")\n");
}

class RemindersJob final : public Job {
 public:
  std::string_view name() const override { return kReminders; }

  absl::StatusOr<JobOutput> Run(JobContext& ctx) override {
    db::Store& store = ctx.store();
    auto version =
        store.GetSnapshotVersion(SnapshotKind::kMarginStatus, ctx.reference_date(), std::nullopt);
    if (absl::IsNotFound(version.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "no margin status for ", FormatDate(ctx.reference_date()), "; run margin_status first"));
    }
    RETURN_IF_ERROR(version.status());
    std::map<int64_t, std::vector<rules::FundStatusRow>> by_manager;
    int64_t rows_read = 0;
    for (auto status : {rules::DeadlineStatus::kOverdue, rules::DeadlineStatus::kNeverSubmitted}) {
      ASSIGN_OR_RETURN(auto rows, Pending(store, version->id, status));
      rows_read += static_cast<int64_t>(rows.size());
      for (auto& r : rows) by_manager[r.manager_id].push_back(std::move(r));
    }
    RETURN_IF_ERROR(ctx.CheckCancelled("sending reminders"));
    JobOutput out;
    out.output_version_id = version->id;
    out.rows_read = rows_read;
    db::Sha256 hasher;
    for (auto& [manager_id, rows] : by_manager) {
      std::sort(rows.begin(), rows.end(),
                [](const auto& a, const auto& b) { return a.fund_id() < b.fund_id(); });
      ASSIGN_OR_RETURN(std::vector<Fund> funds, FundsOf(store, manager_id, rows));
      Reminder reminder;
      reminder.manager_id = manager_id;
      reminder.reference_date = ctx.reference_date();
      reminder.body = ReminderBody(manager_id, ctx.reference_date(), rows, funds);
      reminder.content_hash = db::Sha256Hex(reminder.body);
      reminder.created_at = ctx.clock().Now();
      hasher.Update(reminder.body);
      // The reminder and its deliveries commit together: a reminder is never without them.
      absl::Status inserted = store.InTransaction([&]() -> absl::Status {
        ASSIGN_OR_RETURN(reminder, store.InsertReminder(reminder));
        ASSIGN_OR_RETURN(ManagerContacts contacts, store.GetManagerContacts(manager_id));
        auto deliveries = ReminderDeliveries(reminder, contacts, rows, funds, reminder.created_at);
        return store.EnqueueDeliveries(deliveries).status();
      });
      if (absl::IsAlreadyExists(inserted)) continue;  // sent on an earlier run
      RETURN_IF_ERROR(inserted);
      ++out.rows_written;
    }
    out.content_hash = hasher.FinishHex();
    out.summary = absl::StrCat(out.rows_written, " reminders sent to ", by_manager.size(),
                               " managers with pending funds");
    return out;
  }
};

}  // namespace

std::string ReminderBody(int64_t manager_id, Date date,
                         const std::vector<rules::FundStatusRow>& pending,
                         const std::vector<Fund>& funds) {
  std::string body = absl::StrCat("Margin reports pending for manager ", manager_id, " on ",
                                  FormatDate(date), " (", pending.size(), " funds):\n");
  for (const auto& row : pending) body += FundLine(row, funds);
  return body;
}

std::unique_ptr<Job> MakeRemindersJob() { return std::make_unique<RemindersJob>(); }

}  // namespace riskcap::server::jobs
