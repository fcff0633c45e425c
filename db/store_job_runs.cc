// Store methods for job runs: one row per execution of a pipeline job, updated as it progresses.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "db/database.h"
#include "db/row_reader.h"
#include "db/select_rows.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kJobRunColumns[] =
    "id, job, reference_date, params_json, state, queued_at_us, started_at_us, finished_at_us,"
    " rows_read, rows_written, output_hash, error, triggered_by";

JobRun ReadJobRun(const soci::row& row) {
  RowReader r(row);
  JobRun j;
  j.id = r.Int();
  j.job = r.Str();
  j.reference_date = r.DateValue();
  j.params_json = r.Str();
  j.state = r.Enum<JobState>();
  j.queued_at = r.Time();
  j.started_at = r.OptTime();
  j.finished_at = r.OptTime();
  j.rows_read = r.Int();
  j.rows_written = r.Int();
  j.output_hash = r.Str();
  j.error = r.Str();
  j.triggered_by = r.Str();
  return j;
}

absl::Status CheckCounts(const JobRun& run) {
  if (run.rows_read < 0 || run.rows_written < 0) {
    return absl::InvalidArgumentError(absl::StrCat("job run rows_read (", run.rows_read,
                                                   ") and rows_written (", run.rows_written,
                                                   ") must not be negative"));
  }
  return absl::OkStatus();
}

absl::Status CheckNewJobRun(const JobRun& run) {
  if (run.job.empty()) return absl::InvalidArgumentError("job run job must not be empty");
  if (run.triggered_by.empty()) {
    return absl::InvalidArgumentError("job run triggered_by must not be empty");
  }
  return CheckCounts(run);
}

// The columns UpdateJobRun may change, as named locals for SOCI.
struct ProgressBinds {
  explicit ProgressBinds(const JobRun& run)
      : state(EnumName(run.state)), started(NullableMicros(run.started_at)),
        finished(NullableMicros(run.finished_at)), rows_read(run.rows_read),
        rows_written(run.rows_written), output_hash(run.output_hash), error(run.error) {}
  std::string state;
  Nullable<long long> started, finished;
  long long rows_read, rows_written;
  std::string output_hash, error;
};

}  // namespace

absl::StatusOr<JobRun> Store::CreateJobRun(const JobRun& run) {
  RETURN_IF_ERROR(CheckNewJobRun(run));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<JobRun> {
    JobRun stored = run;
    ProgressBinds p(run);
    std::string date = FormatDate(run.reference_date);
    long long queued_at = absl::ToUnixMicros(run.queued_at), id = 0;
    s << "INSERT INTO job_runs (job, reference_date, params_json, state, queued_at_us,"
         " started_at_us, finished_at_us, rows_read, rows_written, output_hash, error,"
         " triggered_by) VALUES (:job, :d, :params, :state, :queued, :started, :finished,"
         " :read, :written, :hash, :error, :by) RETURNING id",
        soci::use(stored.job), soci::use(date), soci::use(stored.params_json), soci::use(p.state),
        soci::use(queued_at), soci::use(p.started.value, p.started.indicator),
        soci::use(p.finished.value, p.finished.indicator), soci::use(p.rows_read),
        soci::use(p.rows_written), soci::use(p.output_hash), soci::use(p.error),
        soci::use(stored.triggered_by), soci::into(id);
    stored.id = id;
    return stored;
  });
}

absl::Status Store::UpdateJobRun(const JobRun& run) {
  RETURN_IF_ERROR(CheckCounts(run));
  return db_->Write([&](soci::session& s) -> absl::Status {
    ProgressBinds p(run);
    long long id = run.id;
    soci::statement st =
        (s.prepare << "UPDATE job_runs SET state = :state, started_at_us = :started,"
                      " finished_at_us = :finished, rows_read = :read, rows_written = :written,"
                      " output_hash = :hash, error = :error WHERE id = :id",
         soci::use(p.state), soci::use(p.started.value, p.started.indicator),
         soci::use(p.finished.value, p.finished.indicator), soci::use(p.rows_read),
         soci::use(p.rows_written), soci::use(p.output_hash), soci::use(p.error), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return absl::NotFoundError(absl::StrCat("job run ", id, " not found"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<JobRun> Store::GetJobRun(int64_t id) {
  return db_->Read([&](soci::session& s) -> absl::StatusOr<JobRun> {
    return SelectOne(s, absl::StrCat("SELECT ", kJobRunColumns, " FROM job_runs WHERE id = :id"),
                     static_cast<long long>(id), ReadJobRun, absl::StrCat("job run ", id));
  });
}

absl::StatusOr<std::vector<JobRun>> Store::ListJobRuns(const JobRunFilter& filter,
                                                       const Page& page) {
  RETURN_IF_ERROR(CheckPage(page));
  KeysetQuery q(kJobRunColumns, "job_runs", page);
  if (filter.job) q.Where("job = :job", *filter.job);
  if (filter.reference_date) q.Where("reference_date = :d", FormatDate(*filter.reference_date));
  if (filter.state) q.Where("state = :state", std::string(EnumName(*filter.state)));
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<JobRun>> {
    return q.Run(s, ReadJobRun);
  });
}

}  // namespace riskcap::db
