// The store: riskcap's one interface to its database (SQLite or PostgreSQL through SOCI, hidden
// here). Every method is one transaction: it happens whole or not at all.
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/audit.h"
#include "core/exposure.h"
#include "core/finding.h"
#include "core/fund.h"
#include "core/job_run.h"
#include "core/margin_submission.h"
#include "core/nav.h"
#include "core/position.h"
#include "core/rules/fund_status_row.h"
#include "core/snapshot_version.h"
#include "db/store_url.h"

namespace riskcap::db {

class Database;

// Keyset pagination: rows with id greater than `after_id`, at most `limit` of them.
struct Page {
  int64_t after_id = 0;
  int limit = 100;
};

// Describes a new snapshot version. The store assigns id, version and created_at.
struct NewVersion {
  Date reference_date;
  std::string content_hash;
  std::optional<int64_t> job_run_id;
  std::optional<int64_t> source_version_id;  // e.g. the positions batch an exposure came from
  std::string source;
};

struct SubmissionFilter {
  std::optional<int64_t> fund_id;
  std::optional<int64_t> manager_id;
  std::optional<Date> from_date;  // reference_date >= from_date
  std::optional<Date> to_date;    // reference_date <= to_date
  std::optional<SubmissionState> state;
};

struct FindingFilter {
  std::optional<int64_t> fund_id;
  std::optional<FindingState> state;
  std::optional<FindingSeverity> min_severity;
  std::optional<std::string> rule;
};

// ---- Margin status (db/store_status.cc): filters of ListFundStatus; absent = any. ----
struct FundStatusFilter {
  std::optional<int64_t> fund_id;
  std::optional<int64_t> manager_id;
  std::optional<RegulatoryClass> regulatory_class;
  std::optional<rules::ConsolidatedExposure> exposure;
  std::optional<rules::DeadlineStatus> deadline_status;
  std::optional<rules::ValidationStatus> validation_status;
  std::optional<rules::LimitStatus> limit_status;
  bool include_not_monitored = true;  // false: only consolidated exposure OTC / OFFSHORE
};

struct JobRunFilter {
  std::optional<std::string> job;
  std::optional<Date> reference_date;
  std::optional<JobState> state;
};

class Store {
 public:
  // Opens the store at `url` with `pool_size` sessions. Does not migrate: call Migrate() (riskcapd
  // does at start) or CheckSchema().
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& url, int pool_size = 8);
  ~Store();

  Backend backend() const;
  absl::StatusOr<int> Migrate();      // applies pending migrations; returns the schema version
  absl::StatusOr<int> SchemaVersion();

  // Managers. Create assigns the id when 0. Duplicate tax id -> AlreadyExists.
  absl::StatusOr<Manager> CreateManager(const Manager& manager);
  absl::Status UpdateManager(const Manager& manager);  // NotFound when absent
  absl::StatusOr<Manager> GetManager(int64_t id);
  absl::StatusOr<std::vector<Manager>> ListManagers(const Page& page);

  // Funds (id is the administrator's fund code, given by the caller). Unknown manager ->
  // FailedPrecondition; duplicate id or tax id -> AlreadyExists.
  absl::Status CreateFund(const Fund& fund);
  absl::Status UpdateFund(const Fund& fund);  // NotFound when absent
  absl::StatusOr<Fund> GetFund(int64_t id);
  absl::StatusOr<std::vector<Fund>> ListFunds(std::optional<int64_t> manager_id, const Page& page);

  // Asset type dimension: insert or replace descriptions.
  absl::Status UpsertAssetTypes(const std::vector<AssetType>& types);
  absl::StatusOr<std::vector<AssetType>> ListAssetTypes();

  // Snapshot versions. Each Write* appends a new version of its kind for the reference date, in
  // one transaction with all its rows, and returns it. Versions are never overwritten.
  // A nullopt `version` below means the current (highest) one; NotFound when none exists.
  absl::StatusOr<SnapshotVersion> GetSnapshotVersion(SnapshotKind kind, Date reference_date,
                                                     std::optional<int32_t> version);
  // The current version of the latest reference date on or before `on_or_before`; NotFound when
  // there is none.
  absl::StatusOr<SnapshotVersion> GetLatestSnapshotVersion(SnapshotKind kind, Date on_or_before);
  absl::StatusOr<std::vector<SnapshotVersion>> ListSnapshotVersions(SnapshotKind kind,
                                                                    Date reference_date);

  absl::StatusOr<SnapshotVersion> WriteNavSnapshot(const NewVersion& v,
                                                   const std::vector<NavSnapshot>& rows);
  // The fund's row in the given (or current) NAV snapshot version of `date`.
  absl::StatusOr<NavSnapshot> GetNavSnapshot(int64_t fund_id, Date date,
                                             std::optional<int32_t> version);
  absl::StatusOr<std::vector<NavSnapshot>> ListNavSnapshots(int64_t version_id);

  absl::StatusOr<SnapshotVersion> WriteNavHistory(const NewVersion& v,
                                                  const std::vector<NavHistoryEntry>& rows);
  // One row per date in [from, to], each from the latest version that has it (or only from
  // `version_id` when given), ordered by date.
  absl::StatusOr<std::vector<NavHistoryEntry>> ListNavHistory(int64_t fund_id, Date from, Date to,
                                                              std::optional<int64_t> version_id);

  // Bulk: one reused prepared statement on SQLite, COPY on PostgreSQL.
  absl::StatusOr<SnapshotVersion> WritePositions(const NewVersion& v,
                                                 const std::vector<Position>& rows);
  // Rows of one positions version, optionally one fund's, in load order; `page.after_id` is the
  // row number (1-based load order) to continue after. When `row_numbers` is given it receives
  // each returned row's row number, so a caller can continue after the last one.
  absl::StatusOr<std::vector<Position>> ListPositions(int64_t version_id,
                                                      std::optional<int64_t> fund_id,
                                                      const Page& page,
                                                      std::vector<int64_t>* row_numbers = nullptr);

  absl::StatusOr<SnapshotVersion> WriteExposure(const NewVersion& v,
                                                const std::vector<FundExposure>& rows);
  absl::StatusOr<FundExposure> GetExposure(int64_t version_id, int64_t fund_id);
  absl::StatusOr<std::vector<FundExposure>> ListExposures(int64_t version_id);

  // Margin submissions. Insert assigns the id; a reused idempotency key -> AlreadyExists.
  absl::StatusOr<MarginSubmission> InsertSubmission(const MarginSubmission& submission);
  absl::StatusOr<MarginSubmission> GetSubmission(int64_t id);
  absl::StatusOr<MarginSubmission> FindSubmissionByKey(const std::string& idempotency_key);
  absl::StatusOr<std::vector<MarginSubmission>> ListSubmissions(const SubmissionFilter& filter,
                                                                const Page& page);
  // RECEIVED -> VALIDATED or REJECTED; FailedPrecondition when already decided.
  absl::StatusOr<MarginSubmission> DecideSubmission(int64_t id, SubmissionState decision,
                                                    const std::string& reason,
                                                    const std::string& by, absl::Time at);

  // Exemptions.
  absl::StatusOr<Exemption> GrantExemption(const Exemption& exemption);
  absl::Status RevokeExemption(int64_t id, const std::string& by, absl::Time at);
  absl::StatusOr<std::vector<Exemption>> ListExemptions(std::optional<int64_t> fund_id,
                                                        const Page& page);

  // Findings. Raise returns the existing unresolved finding with the same dedup key instead of
  // opening a second one (`*created` tells which).
  absl::StatusOr<Finding> RaiseFinding(const Finding& finding, bool* created = nullptr);
  absl::StatusOr<Finding> GetFinding(int64_t id);
  absl::StatusOr<std::vector<Finding>> ListFindings(const FindingFilter& filter, const Page& page);
  // OPEN -> ACKNOWLEDGED; OPEN/ACKNOWLEDGED -> RESOLVED. Otherwise FailedPrecondition.
  absl::StatusOr<Finding> AcknowledgeFinding(int64_t id, const std::string& by, absl::Time at);
  absl::StatusOr<Finding> ResolveFinding(int64_t id, const std::string& by,
                                         const std::string& resolution, absl::Time at);

  // Reminders; the same (manager, content hash) twice -> AlreadyExists.
  absl::StatusOr<Reminder> InsertReminder(const Reminder& reminder);
  absl::StatusOr<std::vector<Reminder>> ListReminders(std::optional<int64_t> manager_id,
                                                      const Page& page);

  // Job runs.
  absl::StatusOr<JobRun> CreateJobRun(const JobRun& run);
  absl::Status UpdateJobRun(const JobRun& run);  // state, timings, counts, hash, error
  absl::StatusOr<JobRun> GetJobRun(int64_t id);
  absl::StatusOr<std::vector<JobRun>> ListJobRuns(const JobRunFilter& filter, const Page& page);

  // Group commit: inserts `submissions` and appends `audits` in ONE transaction, so many callers
  // share one durable commit. Each submission's slot holds its new id, or AlreadyExists when its
  // idempotency key is taken (the others still commit). A whole-batch failure is the outer error.
  // `audit`, when set, is appended only if the submission is inserted: the call's audit record
  // commits with the submission itself.
  struct SubmissionWrite {
    MarginSubmission submission;
    std::optional<AuditRecord> audit;
  };
  absl::StatusOr<std::vector<absl::StatusOr<int64_t>>> WriteBatch(
      const std::vector<SubmissionWrite>& submissions, const std::vector<AuditRecord>& audits);

  // Audit log (append-only; the database refuses updates and deletes).
  absl::Status AppendAudit(const AuditRecord& record);
  absl::StatusOr<std::vector<AuditRecord>> ListAudit(const Page& page);

  // API keys; only hashes are stored.
  absl::StatusOr<ApiKey> CreateApiKey(const ApiKey& key);
  absl::StatusOr<ApiKey> FindApiKeyByHash(const std::string& secret_hash);
  absl::StatusOr<std::vector<ApiKey>> ListApiKeys(const Page& page);
  absl::Status RevokeApiKey(int64_t id, absl::Time at);  // NotFound when absent

  // ---- Margin status (db/store_status.cc): the margin_status job's per-fund output. ----
  // Appends a MARGIN_STATUS version of v.reference_date with `rows` (one per fund, each dated
  // v.reference_date) in one transaction. InvalidArgument for a row of another date or a
  // duplicate fund.
  absl::StatusOr<SnapshotVersion> WriteFundStatus(const NewVersion& v,
                                                  const std::vector<rules::FundStatusRow>& rows);
  // Rows of MARGIN_STATUS version `version_id` matching `filter`, by fund_id; `page.after_id` is
  // the fund_id to continue after. NotFound when the version is not a MARGIN_STATUS one.
  absl::StatusOr<std::vector<rules::FundStatusRow>> ListFundStatus(int64_t version_id,
                                                                   const FundStatusFilter& filter,
                                                                   const Page& page);
  // The fund's row in the current version of the latest reference date before `before`
  // (breach tracking); nullopt when there is none.
  absl::StatusOr<std::optional<rules::FundStatusRow>> LatestFundStatusBefore(int64_t fund_id,
                                                                             Date before);
  // The version a snapshot was derived from (e.g. an exposure snapshot's positions batch);
  // nullopt when not recorded. NotFound when `version_id` does not exist.
  absl::StatusOr<std::optional<int64_t>> GetSourceVersionId(int64_t version_id);
  // The highest finding id so far (0 when none): where a WatchFindings stream without replay
  // starts (db/store_status.cc).
  absl::StatusOr<int64_t> MaxFindingId();

  // For the db package's own implementation files and tests of the schema.
  Database& database() { return *db_; }

 private:
  explicit Store(std::unique_ptr<Database> db);
  std::unique_ptr<Database> db_;
};

// ---- Request log: mutating calls applied at most once per request id (db/store_requests.cc) ----

// A mutating call as the request log knows it. Every field is required.
struct RequestKey {
  std::string method;        // e.g. "FundService/CreateFund"
  std::string scope;         // whose request ids these are, e.g. one API key's
  std::string request_id;    // the caller's idempotency key
  std::string content_hash;  // of everything in the request but request_id
};

struct RequestOutcome {
  int64_t resource_id = 0;  // what the call created or changed, as `apply` returned it
  bool replayed = false;    // true: the key was used before with this content; apply did not run
};

// Runs `apply` at most once per (method, scope, request_id). One transaction claims the key in
// request_log, runs `apply` — whose calls to `store` on this thread join that transaction — and
// records the id it returns, so the change and its log row commit together or not at all. A key
// claimed before with the same content_hash returns the first call's resource id, replayed; with
// another hash, AlreadyExists. When `apply` fails everything rolls back and the key stays unused.
// A concurrent call with the same key waits for this one (on the row's primary key on PostgreSQL,
// even from another process; on the write lock on SQLite), then replays or conflicts. `apply`
// must stop at its first failing store call.
absl::StatusOr<RequestOutcome> RunIdempotent(Store& store, const RequestKey& key,
                                             const std::function<absl::StatusOr<int64_t>()>& apply);

}  // namespace riskcap::db
