// Store methods for job runs: one row per execution of a job or pipeline, updated as it
// progresses, and what the job runner needs on top: admission under the one-active-run index,
// guarded state changes, cancel requests, heartbeats and the execution lock.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/internal/database.h"
#include "db/internal/row_reader.h"
#include "db/internal/select_rows.h"
#include "db/sha256.h"
#include "db/store.h"

namespace riskcap::db {
namespace {

constexpr char kJobRunColumns[] =
    "id, job, reference_date, params_json, state, queued_at_us, started_at_us, finished_at_us,"
    " rows_read, rows_written, output_hash, error, triggered_by, parent_run_id, request_id,"
    " output_version_id, rows_expected, progress_message, cancel_requested, owner,"
    " heartbeat_at_us";

constexpr char kActive[] = "state IN ('QUEUED', 'RUNNING')";

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
  j.parent_run_id = r.OptInt();
  j.request_id = r.Str();
  j.output_version_id = r.OptInt();
  j.rows_expected = r.Int();
  j.progress_message = r.Str();
  j.cancel_requested = r.Bool();
  j.owner = r.Str();
  j.heartbeat_at = r.OptTime();
  return j;
}

absl::Status CheckCounts(const JobRun& run) {
  if (run.rows_read < 0 || run.rows_written < 0 || run.rows_expected < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job run rows_read (", run.rows_read, "), rows_written (", run.rows_written,
        ") and rows_expected (", run.rows_expected, ") must not be negative"));
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
        rows_written(run.rows_written), output_hash(run.output_hash), error(run.error),
        output_version(NullableInt(run.output_version_id)), rows_expected(run.rows_expected),
        message(run.progress_message), owner(run.owner),
        heartbeat(NullableMicros(run.heartbeat_at)) {}
  std::string state;
  Nullable<long long> started, finished;
  long long rows_read, rows_written;
  std::string output_hash, error;
  Nullable<long long> output_version;
  long long rows_expected;
  std::string message, owner;
  Nullable<long long> heartbeat;
};

long long InsertJobRun(soci::session& s, const JobRun& run) {
  ProgressBinds p(run);
  std::string date = FormatDate(run.reference_date);
  long long queued_at = absl::ToUnixMicros(run.queued_at), id = 0;
  Nullable<long long> parent = NullableInt(run.parent_run_id);
  s << "INSERT INTO job_runs (job, reference_date, params_json, state, queued_at_us,"
       " started_at_us, finished_at_us, rows_read, rows_written, output_hash, error,"
       " triggered_by, parent_run_id, request_id, output_version_id, rows_expected,"
       " progress_message, owner, heartbeat_at_us) VALUES (:job, :d, :params, :state, :queued,"
       " :started, :finished, :read, :written, :hash, :error, :by, :parent, :request,"
       " :version, :expected, :message, :owner, :heartbeat) RETURNING id",
      soci::use(run.job), soci::use(date), soci::use(run.params_json), soci::use(p.state),
      soci::use(queued_at), soci::use(p.started.value, p.started.indicator),
      soci::use(p.finished.value, p.finished.indicator), soci::use(p.rows_read),
      soci::use(p.rows_written), soci::use(p.output_hash), soci::use(p.error),
      soci::use(run.triggered_by), soci::use(parent.value, parent.indicator),
      soci::use(run.request_id), soci::use(p.output_version.value, p.output_version.indicator),
      soci::use(p.rows_expected), soci::use(p.message), soci::use(p.owner),
      soci::use(p.heartbeat.value, p.heartbeat.indicator), soci::into(id);
  return id;
}

// Executes `st` and returns NotFound "job run <id> not found" when it changed no row.
absl::Status ExpectOneRow(soci::statement& st, long long id) {
  st.execute(true);
  if (st.get_affected_rows() == 0) {
    return absl::NotFoundError(absl::StrCat("job run ", id, " not found"));
  }
  return absl::OkStatus();
}

// "1, 2, 3" for an IN list; ids are integers, so inlining them is safe.
std::string IdList(const std::vector<int64_t>& ids) { return absl::StrJoin(ids, ", "); }

// FailedPrecondition naming the active run that holds one of the (job, date) of `runs`, as the
// admission error; Aborted when none does any more (it finished meanwhile: retry).
absl::Status ConflictError(soci::session& s, const std::vector<JobRun>& runs) {
  for (const JobRun& r : runs) {
    // The date is formatted here, so inlining it is safe; the job is bound.
    auto holder = SelectOne(s,
                            absl::StrCat("SELECT ", kJobRunColumns,
                                         " FROM job_runs WHERE job = :job AND reference_date = '",
                                         FormatDate(r.reference_date), "' AND ", kActive),
                            r.job, ReadJobRun, "active run");
    if (absl::IsNotFound(holder.status())) continue;
    RETURN_IF_ERROR(holder.status());
    return absl::FailedPreconditionError(absl::StrCat(
        "job ", holder->job, " for ", FormatDate(holder->reference_date), " is already ",
        AbslView(EnumName(holder->state)), " as job run ", holder->id,
        "; wait for it or cancel it"));
  }
  return absl::AbortedError("job run admission raced with another; retry");
}

// Inserts `runs` inside a savepoint, so that the unique violation of a concurrent admission
// (job_runs_one_active) is explained in the same transaction, also when it joins a caller's
// (RunIdempotent) transaction: FailedPrecondition naming the active run, and nothing inserted.
// Every run's parent is `parent` when given, else the first run's id becomes the others' parent.
absl::StatusOr<std::vector<JobRun>> InsertAdmitted(soci::session& s, std::vector<JobRun> runs,
                                                   std::optional<int64_t> parent = std::nullopt) {
  s << "SAVEPOINT admit_job_runs";
  try {
    for (size_t i = 0; i < runs.size(); ++i) {
      if (parent || i > 0) runs[i].parent_run_id = parent ? *parent : runs[0].id;
      runs[i].id = InsertJobRun(s, runs[i]);
    }
  } catch (const std::exception& e) {
    if (!absl::IsAlreadyExists(StatusFromException(e, "admit"))) throw;
    s << "ROLLBACK TO SAVEPOINT admit_job_runs";
    return ConflictError(s, runs);
  }
  s << "RELEASE SAVEPOINT admit_job_runs";
  return runs;
}

}  // namespace

absl::StatusOr<JobRun> Store::CreateJobRun(const JobRun& run) {
  RETURN_IF_ERROR(CheckNewJobRun(run));
  return db_->Write([&](soci::session& s) -> absl::StatusOr<JobRun> {
    JobRun stored = run;
    stored.cancel_requested = false;
    ASSIGN_OR_RETURN(std::vector<JobRun> inserted, InsertAdmitted(s, {stored}));
    return inserted.front();
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
                      " output_hash = :hash, error = :error, output_version_id = :version,"
                      " rows_expected = :expected, progress_message = :message, owner = :owner,"
                      " heartbeat_at_us = :heartbeat WHERE id = :id",
         soci::use(p.state), soci::use(p.started.value, p.started.indicator),
         soci::use(p.finished.value, p.finished.indicator), soci::use(p.rows_read),
         soci::use(p.rows_written), soci::use(p.output_hash), soci::use(p.error),
         soci::use(p.output_version.value, p.output_version.indicator),
         soci::use(p.rows_expected), soci::use(p.message), soci::use(p.owner),
         soci::use(p.heartbeat.value, p.heartbeat.indicator), soci::use(id));
    return ExpectOneRow(st, id);
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
  KeysetQuery q(kJobRunColumns, "job_runs", page,
                filter.newest_first ? KeysetQuery::Order::kNewestFirst
                                    : KeysetQuery::Order::kOldestFirst);
  if (filter.job) q.Where("job = :job", *filter.job);
  if (filter.reference_date) q.Where("reference_date = :d", FormatDate(*filter.reference_date));
  if (filter.state) q.Where("state = :state", std::string(EnumName(*filter.state)));
  if (filter.request_id) q.Where("request_id = :request_id", *filter.request_id);
  if (filter.parent_run_id) {
    q.Where("parent_run_id = :parent", static_cast<long long>(*filter.parent_run_id));
  }
  return db_->Read([&](soci::session& s) -> absl::StatusOr<std::vector<JobRun>> {
    return q.Run(s, ReadJobRun);
  });
}

absl::StatusOr<std::vector<JobRun>> Store::AdmitJobRuns(const JobRun& run,
                                                        const std::vector<JobRun>& children) {
  std::vector<JobRun> runs = {run};
  runs.insert(runs.end(), children.begin(), children.end());
  for (JobRun& r : runs) {
    RETURN_IF_ERROR(CheckNewJobRun(r));
    r.state = JobState::kQueued;
    r.cancel_requested = false;
  }
  return db_->Write([&](soci::session& s) -> absl::StatusOr<std::vector<JobRun>> {
    return InsertAdmitted(s, runs);
  });
}

absl::StatusOr<std::vector<JobRun>> Store::AdmitChildJobRuns(int64_t parent_id,
                                                             const std::vector<JobRun>& children) {
  if (children.empty()) return std::vector<JobRun>{};
  std::vector<JobRun> runs = children;
  for (JobRun& r : runs) {
    RETURN_IF_ERROR(CheckNewJobRun(r));
    r.state = JobState::kQueued;
    r.cancel_requested = false;
  }
  return db_->Write([&](soci::session& s) -> absl::StatusOr<std::vector<JobRun>> {
    RETURN_IF_ERROR(RequireRow(s, "job_runs", parent_id, "parent_run_id", "job run"));
    return InsertAdmitted(s, runs, parent_id);
  });
}

absl::StatusOr<JobRun> Store::StartJobRun(int64_t id, const std::string& owner, absl::Time at) {
  RETURN_IF_ERROR(db_->Write([&](soci::session& s) -> absl::Status {
    long long run_id = id, now = absl::ToUnixMicros(at);
    soci::statement st =
        (s.prepare << "UPDATE job_runs SET state = 'RUNNING', started_at_us = :at, owner = :owner,"
                      " heartbeat_at_us = :at2 WHERE id = :id AND state = 'QUEUED'"
                      " AND cancel_requested = 0",
         soci::use(now), soci::use(owner), soci::use(now), soci::use(run_id));
    st.execute(true);
    if (st.get_affected_rows() == 1) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("job run ", id, " is no longer QUEUED or has a cancel requested"));
  }));
  return GetJobRun(id);
}

absl::Status Store::RecordJobRunProgress(const JobRun& run, absl::Time at) {
  RETURN_IF_ERROR(CheckCounts(run));
  return db_->Write([&](soci::session& s) -> absl::Status {
    long long id = run.id, read = run.rows_read, expected = run.rows_expected;
    long long now = absl::ToUnixMicros(at);
    s << "UPDATE job_runs SET rows_read = :read, rows_expected = :expected,"
         " progress_message = :message, heartbeat_at_us = :at WHERE id = :id AND state = 'RUNNING'",
        soci::use(read), soci::use(expected), soci::use(run.progress_message), soci::use(now),
        soci::use(id);
    return absl::OkStatus();
  });
}

absl::Status Store::FinishJobRun(const JobRun& run) {
  RETURN_IF_ERROR(CheckCounts(run));
  return db_->Write([&](soci::session& s) -> absl::Status {
    ProgressBinds p(run);
    long long id = run.id;
    soci::statement st =
        (s.prepare << "UPDATE job_runs SET state = :state, finished_at_us = :finished,"
                      " rows_read = :read, rows_written = :written, output_hash = :hash,"
                      " error = :error, output_version_id = :version, rows_expected = :expected,"
                      " progress_message = :message WHERE id = :id AND " << kActive,
         soci::use(p.state), soci::use(p.finished.value, p.finished.indicator),
         soci::use(p.rows_read), soci::use(p.rows_written), soci::use(p.output_hash),
         soci::use(p.error), soci::use(p.output_version.value, p.output_version.indicator),
         soci::use(p.rows_expected), soci::use(p.message), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 1) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat("job run ", id, " is already final"));
  });
}

absl::StatusOr<JobRun> Store::CancelJobRun(int64_t id, absl::Time at) {
  ASSIGN_OR_RETURN(JobRun run, GetJobRun(id));
  if (run.state != JobState::kQueued && run.state != JobState::kRunning) {
    return absl::FailedPreconditionError(
        absl::StrCat("job run ", id, " is already ", AbslView(EnumName(run.state))));
  }
  RETURN_IF_ERROR(db_->Write([&](soci::session& s) -> absl::Status {
    long long run_id = id, now = absl::ToUnixMicros(at);
    // The flag first: it takes the row lock, so a concurrent StartJobRun sees it and refuses.
    s << absl::StrCat("UPDATE job_runs SET cancel_requested = 1 WHERE (id = :id OR"
                      " parent_run_id = :parent) AND ", kActive),
        soci::use(run_id), soci::use(run_id);
    s << "UPDATE job_runs SET state = 'CANCELLED', finished_at_us = :at,"
         " error = 'cancelled before it started' WHERE id = :id AND state = 'QUEUED'",
        soci::use(now), soci::use(run_id);
    s << "UPDATE job_runs SET state = 'CANCELLED', finished_at_us = :at,"
         " error = 'skipped: pipeline cancelled' WHERE parent_run_id = :id AND state = 'QUEUED'",
        soci::use(now), soci::use(run_id);
    return absl::OkStatus();
  }));
  return GetJobRun(id);
}

absl::StatusOr<std::vector<int64_t>> Store::TouchJobRuns(const std::vector<int64_t>& ids,
                                                         absl::Time at) {
  if (ids.empty()) return std::vector<int64_t>{};
  return db_->Write([&](soci::session& s) -> absl::StatusOr<std::vector<int64_t>> {
    long long now = absl::ToUnixMicros(at);
    const std::string in = IdList(ids);
    s << absl::StrCat("UPDATE job_runs SET heartbeat_at_us = :at WHERE id IN (", in, ") AND ",
                      kActive),
        soci::use(now);
    std::vector<int64_t> cancelled;
    soci::rowset<soci::row> rows = s.prepare << absl::StrCat(
        "SELECT id FROM job_runs WHERE cancel_requested = 1 AND id IN (", in, ")");
    for (const soci::row& row : rows) cancelled.push_back(RowReader(row).Int());
    return cancelled;
  });
}

absl::StatusOr<int> Store::FailAbandonedJobRuns(absl::Time stale_before, absl::Time at) {
  return db_->Write([&](soci::session& s) -> absl::StatusOr<int> {
    long long before = absl::ToUnixMicros(stale_before), now = absl::ToUnixMicros(at);
    soci::statement st =
        (s.prepare << absl::StrCat("UPDATE job_runs SET state = 'FAILED', finished_at_us = :at,"
                                   " error = 'abandoned: server stopped' WHERE ",
                                   kActive, " AND COALESCE(heartbeat_at_us, queued_at_us) < :before"),
         soci::use(now), soci::use(before));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
  });
}

namespace {

class NoExecutionLock final : public Store::ExecutionLock {};

// A session-level advisory lock on its own connection. Released explicitly before the connection
// closes: a closed connection's backend ends (and drops its locks) only a moment later, so a
// rerun of the same job and date started at once would find the lock still held.
class AdvisoryLock final : public Store::ExecutionLock {
 public:
  AdvisoryLock(std::unique_ptr<soci::session> session, long long key)
      : session_(std::move(session)), key_(key) {}
  ~AdvisoryLock() override {
    try {
      int released = 0;
      *session_ << "SELECT CASE WHEN pg_advisory_unlock(:key) THEN 1 ELSE 0 END",
          soci::use(key_), soci::into(released);
    } catch (const std::exception&) {
      // A broken connection: its backend's end releases the lock.
    }
    try {
      session_->close();
    } catch (const std::exception&) {
    }
  }

 private:
  std::unique_ptr<soci::session> session_;
  long long key_;
};

// A stable 63-bit key for (schema, job, date): the first 60 bits of a SHA-256 of the three.
// Advisory locks belong to the whole database, so the schema is part of the key: two
// deployments (or two test stores) in one database must not hold each other's jobs.
long long AdvisoryKey(const std::string& schema, const std::string& job, Date date) {
  std::string hex = Sha256Hex(
      absl::StrCat("riskcap job execution|", schema, "|", job, "|", FormatDate(date)));
  return static_cast<long long>(std::stoull(hex.substr(0, 15), nullptr, 16));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store::ExecutionLock>> Store::LockJobExecution(
    const std::string& job, Date reference_date) {
  if (backend() != Backend::kPostgresql) return std::make_unique<NoExecutionLock>();
  ASSIGN_OR_RETURN(std::unique_ptr<soci::session> session, db_->OpenDedicatedSession());
  long long key = 0;
  try {
    std::string schema;
    *session << "SELECT current_schema()", soci::into(schema);
    key = AdvisoryKey(schema, job, reference_date);
    int locked = 0;
    *session << "SELECT CASE WHEN pg_try_advisory_lock(:key) THEN 1 ELSE 0 END", soci::use(key),
        soci::into(locked);
    if (locked != 1) {
      return absl::FailedPreconditionError(absl::StrCat(
          "job ", job, " for ", FormatDate(reference_date), " is executing on another server"));
    }
  } catch (const std::exception& e) {
    return StatusFromException(e, "taking the job execution lock");
  }
  return std::make_unique<AdvisoryLock>(std::move(session), key);
}

}  // namespace riskcap::db
