// The store: riskcap's one interface to its database (SQLite or PostgreSQL through SOCI, hidden
// here). Every method is one transaction: it happens whole or not at all.
// Thread safety: safe for concurrent use without external synchronization.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/audit.h"
#include "core/delivery.h"
#include "core/exposure.h"
#include "core/finding.h"
#include "core/fund.h"
#include "core/job_run.h"
#include "core/margin_submission.h"
#include "core/nav.h"
#include "core/position.h"
#include "core/rules/fund_status_row.h"
#include "core/rules/kpis.h"
#include "core/snapshot_version.h"
#include "db/audit_verify.h"
#include "db/session_timeouts.h"
#include "db/store_stats.h"
#include "db/store_url.h"

namespace riskcap::db {

class Database;
struct LookupCaches;  // db/internal/lookup_cache.h

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

// ---- Streamed snapshot loads (ingest) ----
// A load's rows, chunk by chunk, for the Write*Stream methods: each call fills `chunk` (which the
// store clears before each call) and returns true, or returns false when no rows are left.
// Positions also fill `row_numbers`, one per row: its 1-based place in the batch's canonical
// order (core/canonical.h); the other kinds leave it empty.
template <typename Row>
using RowChunks =
    std::function<absl::StatusOr<bool>(std::vector<Row>& chunk, std::vector<int64_t>& row_numbers)>;
// The content hash of a streamed load that is computed while its rows are supplied: called once,
// after the last chunk and inside the write transaction (see the Write*Stream methods).
using HashAfterRows = std::function<absl::StatusOr<std::string>()>;

struct SubmissionFilter {
  std::optional<int64_t> fund_id;
  std::optional<int64_t> manager_id;
  std::optional<Date> from_date;  // reference_date >= from_date
  std::optional<Date> to_date;    // reference_date <= to_date
  std::optional<SubmissionState> state;
  // Newest first: `Page::after_id` is then the id to continue below (0 = from the newest).
  bool newest_first = false;
};

struct FindingFilter {
  std::optional<int64_t> fund_id;
  std::optional<FindingState> state;
  std::optional<FindingSeverity> min_severity;
  std::optional<std::string> rule;
  std::optional<Date> reference_date;  // only findings of this date
  std::optional<int64_t> manager_id;    // only findings on this manager's funds
  // Newest first: `Page::after_id` is then the id to continue below (0 = from the newest).
  bool newest_first = false;
};

// ---- Filters of the API's List calls (each applied in SQL, so a page costs a page) ----

// Exemptions, newest first.
struct ExemptionFilter {
  std::optional<int64_t> fund_id;
  std::optional<int64_t> manager_id;  // only exemptions of this manager's funds
  bool include_revoked = true;
};

// Funds, by id.
struct FundFilter {
  std::optional<int64_t> manager_id;
  bool include_inactive = true;
};

// API keys, by id.
struct ApiKeyFilter {
  std::optional<int64_t> manager_id;
  bool include_revoked = true;
};

// Audit records, newest first. `methods`: any of these spellings (empty = any method).
struct AuditFilter {
  std::optional<std::string> principal;
  std::vector<std::string> methods;
  std::optional<absl::Time> start;  // at >= start
  std::optional<absl::Time> end;    // at < end
};

// Rows of one exposure snapshot, by fund_id.
struct ExposureFilter {
  std::optional<int64_t> manager_id;  // only this manager's funds (as registered now)
  // Only this consolidated exposure: OTC when the fund has OTC exposure, else OFFSHORE when it
  // has offshore exposure, else NONE.
  std::optional<rules::ConsolidatedExposure> consolidated;
};

// GetRiskCapitalSummary's figures over the monitored funds of one MARGIN_STATUS version,
// counted by the database.
struct FundStatusSummary {
  // Funds per combination of the statuses the KPIs count (core/rules/kpis.h).
  using Group = rules::StatusGroup;
  std::vector<Group> groups;
  std::optional<double> max_utilisation;
  int64_t max_utilisation_fund_id = 0;  // the lowest fund id with max_utilisation
  // OPEN or ACKNOWLEDGED findings of the version's reference date on the monitored funds.
  int64_t open_findings = 0;
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
  std::optional<int64_t> parent_run_id;  // only children of this pipeline run
  std::optional<std::string> request_id;  // only runs started under this request id
  // Newest first: `Page::after_id` is then the id to continue below (0 = from the newest).
  bool newest_first = false;
};

class Store {
 public:
  // Opens the store at `url` with `pool_size` sessions. Does not migrate: call Migrate() (riskcapd
  // does at start) or CheckSchema().
  // `timeouts` bound every statement of every session (db/session_timeouts.h).
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& url, int pool_size = 8,
                                                     const SessionTimeouts& timeouts = {});
  ~Store();

  Backend backend() const;
  absl::StatusOr<int> Migrate();      // applies pending migrations; returns the schema version
  absl::StatusOr<int> SchemaVersion();
  // The schema version this binary migrates a `backend` store to (its newest migration).
  static int LatestSchemaVersion(Backend backend);
  // OK when the database answers a trivial query now, on a connection of its own (so a busy
  // pool does not count as an outage); Unavailable when it does not. For the health monitor.
  absl::Status CheckReachable();
  // The session pool's counters so far: sessions in use, waits, reconnects, errors (for the
  // server's metrics). Never blocks on the database.
  StoreStats Stats() const;

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
  absl::StatusOr<std::vector<Fund>> ListFunds(const FundFilter& filter, const Page& page);
  // The names of the funds among `ids` that exist, by id (a page's worth, not the registry).
  absl::StatusOr<std::vector<std::pair<int64_t, std::string>>> GetFundNames(
      const std::vector<int64_t>& ids);

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
  // Only the rows of `fund_ids` (a page's worth), by fund_id.
  absl::StatusOr<std::vector<NavSnapshot>> ListNavSnapshots(int64_t version_id,
                                                            const std::vector<int64_t>& fund_ids);

  absl::StatusOr<SnapshotVersion> WriteNavHistory(const NewVersion& v,
                                                  const std::vector<NavHistoryEntry>& rows);
  // One row per date in [from, to], each from the latest version that has it (or only from
  // `version_id` when given), ordered by date.
  absl::StatusOr<std::vector<NavHistoryEntry>> ListNavHistory(int64_t fund_id, Date from, Date to,
                                                              std::optional<int64_t> version_id);

  // Bulk: one reused prepared statement on SQLite, COPY on PostgreSQL.
  absl::StatusOr<SnapshotVersion> WritePositions(const NewVersion& v,
                                                 const std::vector<Position>& rows);
  // A batch's rows are stored in canonical order (core/canonical.h: by fund, date, then every
  // field), numbered 1..n in that order, whatever order they were loaded in: the numbering, like
  // the content hash, depends only on the content.
  // Rows of one positions version, optionally one fund's, in that order; `page.after_id` is the
  // row number to continue after. When `row_numbers` is given it receives
  // each returned row's row number, so a caller can continue after the last one.
  absl::StatusOr<std::vector<Position>> ListPositions(int64_t version_id,
                                                      std::optional<int64_t> fund_id,
                                                      const Page& page,
                                                      std::vector<int64_t>* row_numbers = nullptr);

  absl::StatusOr<SnapshotVersion> WriteExposure(const NewVersion& v,
                                                const std::vector<FundExposure>& rows);
  absl::StatusOr<FundExposure> GetExposure(int64_t version_id, int64_t fund_id);
  absl::StatusOr<std::vector<FundExposure>> ListExposures(int64_t version_id);
  // A page of them by fund_id; `page.after_id` is the fund_id to continue after.
  absl::StatusOr<std::vector<FundExposure>> ListExposures(int64_t version_id,
                                                          const ExposureFilter& filter,
                                                          const Page& page);

  // ---- Streamed snapshot loads (ingest) ----
  // Like the Write* methods above, but the rows come from `rows` chunk by chunk, so a load of
  // any size is written in ONE transaction (a version and all its rows, or nothing) without
  // being held in memory. `row_count` is the number of rows `rows` will supply (recorded on the
  // version; a different count fails the write and rolls it back). The transaction is open only
  // while this runs: call it when every row is at hand (e.g. spooled), not while they arrive.
  // With `hash_after`, `v.content_hash` must be empty: the version's hash is what `hash_after`
  // returns once every row was supplied (an error rolls the write back), so a load can be
  // hashed in the same pass that writes it.
  absl::StatusOr<SnapshotVersion> WriteNavSnapshotStream(const NewVersion& v, int64_t row_count,
                                                         const RowChunks<NavSnapshot>& rows,
                                                         const HashAfterRows& hash_after = {});
  absl::StatusOr<SnapshotVersion> WriteNavHistoryStream(const NewVersion& v, int64_t row_count,
                                                        const RowChunks<NavHistoryEntry>& rows,
                                                        const HashAfterRows& hash_after = {});
  absl::StatusOr<SnapshotVersion> WritePositionsStream(const NewVersion& v, int64_t row_count,
                                                       const RowChunks<Position>& rows,
                                                       const HashAfterRows& hash_after = {});

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
  // Newest first: `page.after_id` is the id to continue below (0 = from the newest).
  absl::StatusOr<std::vector<Exemption>> ListExemptions(const ExemptionFilter& filter,
                                                        const Page& page);

  // Findings. Raise returns the existing unresolved finding with the same dedup key and reference
  // date instead of opening a second one (`*created` tells which): a finding belongs to its date,
  // so the same problem on another date is another finding.
  absl::StatusOr<Finding> RaiseFinding(const Finding& finding, bool* created = nullptr);
  // RaiseFinding for each of `findings`, all in one transaction and set-wise: one query checks
  // their funds, one their job runs, one per reference date finds their unresolved namesakes, and
  // one multi-row INSERT stores the rest. Returns each stored finding and whether it is new, in
  // order; a finding named twice is stored once. At most kMaxFindingsRaised. (RaiseFinding is
  // this for one finding.)
  static constexpr size_t kMaxFindingsRaised = 1000;
  absl::StatusOr<std::vector<std::pair<Finding, bool>>> RaiseFindings(
      absl::Span<const Finding> findings);
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

  // ---- Contacts and the delivery outbox (db/store_deliveries.cc) ----
  // Replaces the manager's e-mail addresses and webhook (an empty URL removes it). NotFound when
  // the manager is absent; InvalidArgument beyond the bounds of core/delivery.h. Joins an
  // enclosing transaction (InTransaction, RunIdempotent).
  absl::Status SetManagerContacts(int64_t manager_id, const ManagerContacts& contacts);
  // The manager's contacts, webhook secret included (for the delivery worker; the API hides it).
  absl::StatusOr<ManagerContacts> GetManagerContacts(int64_t manager_id);
  // The contacts of each of `manager_ids`, as GetManagerContacts gives them, in two queries
  // whatever their number (a page's managers): one entry per distinct id, empty for a manager
  // without contacts or an id that is no manager.
  absl::StatusOr<std::map<int64_t, ManagerContacts>> GetManagerContactsOf(
      const std::vector<int64_t>& manager_ids);
  // Inserts the deliveries (state, attempts, error and times as given) and skips any whose
  // (source, source_id, channel, address) is already queued; returns how many were inserted.
  // Joins an enclosing transaction, so a notice and its deliveries commit together.
  absl::StatusOr<int> EnqueueDeliveries(const std::vector<Delivery>& deliveries);
  // Leases up to `limit` PENDING deliveries due by `now` whose lease (if any) has expired to
  // `owner` until now + `lease`, oldest first, and returns them. Two servers never hold the same
  // row: on PostgreSQL the rows are locked FOR UPDATE SKIP LOCKED, on SQLite the write lock
  // serializes claims.
  // `only`: claim only deliveries of that channel (e.g. webhooks while e-mail is not set up).
  absl::StatusOr<std::vector<Delivery>> ClaimDeliveries(
      const std::string& owner, absl::Time now, absl::Duration lease, int limit,
      std::optional<DeliveryChannel> only = std::nullopt);
  // The outcome of one attempt on a claimed delivery.
  struct DeliveryAttempt {
    DeliveryState state = DeliveryState::kSent;  // SENT, FAILED, or PENDING to retry
    std::string error;                           // empty when SENT
    absl::Time at;
    absl::Time retry_at;  // with PENDING: when to try again
  };
  // Records the attempt and releases the lease. FailedPrecondition when `owner` no longer holds
  // the row's lease (it expired and another server claimed it).
  absl::Status FinishDeliveryAttempt(int64_t id, const std::string& owner,
                                     const DeliveryAttempt& attempt);
  absl::StatusOr<Delivery> GetDelivery(int64_t id);
  // The deliveries of the given notices, by id.
  absl::StatusOr<std::vector<Delivery>> ListDeliveries(DeliverySource source,
                                                       const std::vector<int64_t>& source_ids);
  // FAILED -> PENDING due at `now`, attempts back to 0 (last_error is kept until the next
  // attempt). NotFound when absent; FailedPrecondition unless FAILED. Joins a transaction.
  absl::StatusOr<Delivery> RequeueDelivery(int64_t id, absl::Time now);
  // How many deliveries are in each state (for monitoring); every state is present.
  absl::StatusOr<std::vector<std::pair<DeliveryState, int64_t>>> CountDeliveriesByState();

  // Job runs. Create stores every field but id and cancel_requested; a QUEUED or RUNNING run
  // whose (job, reference date) already has one is refused like AdmitJobRuns does
  // (FailedPrecondition naming the active run). Update changes everything but job, reference
  // date, params, parent, request id, triggered_by and cancel_requested.
  absl::StatusOr<JobRun> CreateJobRun(const JobRun& run);
  absl::Status UpdateJobRun(const JobRun& run);
  absl::StatusOr<JobRun> GetJobRun(int64_t id);
  absl::StatusOr<std::vector<JobRun>> ListJobRuns(const JobRunFilter& filter, const Page& page);

  // ---- Job runner (db/store_job_runs.cc): admission, state changes, cancel, heartbeats ----
  // Once at a time: the job_runs_one_active unique index admits at most one QUEUED or RUNNING run
  // per (job, reference date) across every server sharing the database; the execution lock below
  // is belt and braces for execution on PostgreSQL.

  // Inserts `run` and then `children` (parent_run_id set to the run) QUEUED, in one transaction,
  // and returns them as stored, the run first. When any of their (job, reference date) already has
  // a QUEUED or RUNNING run: FailedPrecondition naming that run ("... is already RUNNING as job
  // run 12"), and nothing is inserted.
  absl::StatusOr<std::vector<JobRun>> AdmitJobRuns(const JobRun& run,
                                                   const std::vector<JobRun>& children = {});
  // Inserts `children` QUEUED under the existing run `parent_id` (a backfill's date pipeline gets
  // its jobs when its turn comes), in one transaction, refused like AdmitJobRuns; a missing parent
  // is FailedPrecondition.
  absl::StatusOr<std::vector<JobRun>> AdmitChildJobRuns(int64_t parent_id,
                                                        const std::vector<JobRun>& children);
  // QUEUED -> RUNNING, executed by `owner`. FailedPrecondition when the run is no longer QUEUED
  // or a cancel was requested (then the caller must not execute it).
  absl::StatusOr<JobRun> StartJobRun(int64_t id, const std::string& owner, absl::Time at);
  // Stores a RUNNING run's rows_read, rows_expected and progress_message, and `at` as heartbeat.
  absl::Status RecordJobRunProgress(const JobRun& run, absl::Time at);
  // Stores a final state with its finish time, counts, hash, output version, message and error;
  // FailedPrecondition when the run is already final (e.g. failed meanwhile as abandoned).
  absl::Status FinishJobRun(const JobRun& run);
  // Requests a cancel and returns the run as it is then: a QUEUED run (and the QUEUED children of
  // a pipeline, "skipped: pipeline cancelled") becomes CANCELLED at once; a RUNNING one (and its
  // RUNNING children) gets cancel_requested, which its executor sees with its next heartbeat.
  // NotFound when absent; FailedPrecondition when already final.
  absl::StatusOr<JobRun> CancelJobRun(int64_t id, absl::Time at);
  // A server's heartbeat for the runs it holds: sets heartbeat_at = `at` on those still QUEUED or
  // RUNNING, and returns the ids among them with a cancel requested.
  absl::StatusOr<std::vector<int64_t>> TouchJobRuns(const std::vector<int64_t>& ids, absl::Time at);
  // FAILED "abandoned: server stopped" for every QUEUED or RUNNING run whose heartbeat (its queue
  // time when it has none) is before `stale_before`; returns how many.
  absl::StatusOr<int> FailAbandonedJobRuns(absl::Time stale_before, absl::Time at);

  // Held while a run of (job, reference date) executes. On PostgreSQL a session-level advisory
  // lock on a connection of its own (so a crashed server's lock goes with its connection); a
  // no-op on SQLite, where the admission index alone keeps runs apart.
  class ExecutionLock {
   public:
    virtual ~ExecutionLock() = default;
  };
  // FailedPrecondition when another session holds the lock.
  absl::StatusOr<std::unique_ptr<ExecutionLock>> LockJobExecution(const std::string& job,
                                                                  Date reference_date);

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

  // Audit log (append-only; the database refuses updates and deletes). InvalidArgument for a
  // record with a field over its bound (core/audit.h). Called inside InTransaction or
  // RunIdempotent it joins that transaction: the record commits with the change it describes.
  absl::Status AppendAudit(const AuditRecord& record);
  absl::StatusOr<std::vector<AuditRecord>> ListAudit(const Page& page);
  // Newest first: `page.after_id` is the id to continue below (0 = from the newest).
  absl::StatusOr<std::vector<AuditRecord>> ListAuditRecords(const AuditFilter& filter,
                                                            const Page& page);

  // ---- The audit chain (db/store_audit_chain.cc; format in docs/security.md) ----
  // Seals up to `max_rows` unsealed audit records: appends each to audit_chain with the next
  // chain position and its hash (db/audit_chain.h), all in one transaction; returns how many.
  // One sealer at a time: on PostgreSQL a transaction advisory lock per schema, across replicas;
  // on SQLite the write lock. Writers never wait for it beyond that one short transaction.
  // Records are found past the chain's highest record id, and in the id ranges earlier rounds
  // passed over (a writer still in its transaction, or one that rolled back: audit_chain_gaps,
  // kept kAuditGapExpiry). `sweep` looks at every record instead (a scan of audit_log): what a
  // sealer does once when it starts, so a record that committed later still is sealed.
  // `head_position`, when not null, receives the chain head's position as that transaction left
  // it (records sealed by any sealer, this call's included; 0 for an empty chain).
  static constexpr int kAuditSealBatch = 5000;
  static constexpr absl::Duration kAuditGapExpiry = absl::Minutes(10);
  struct AuditSeal {
    int max_rows = kAuditSealBatch;
    bool sweep = false;
    absl::Time now = absl::Now();  // when gaps are noticed, and what their expiry counts from
  };
  absl::StatusOr<int64_t> SealAudit(const AuditSeal& seal, int64_t* head_position = nullptr);
  absl::StatusOr<int64_t> SealAudit(int max_rows = kAuditSealBatch,
                                    int64_t* head_position = nullptr);
  // Seals until no unsealed record is left (as of its last batch); returns how many.
  // `head_position` as SealAudit's, after the last batch.
  absl::StatusOr<int64_t> SealAllAudit(int64_t* head_position = nullptr, bool sweep = false);
  // The last sealed record's position and hash (0 and kAuditGenesisHash when none).
  struct AuditHead {
    int64_t position = 0;
    std::string hash;
  };
  absl::StatusOr<AuditHead> AuditChainHead();
  // Appends a signed checkpoint (append-only table; the caller signed it).
  absl::Status AppendAuditCheckpoint(const AuditCheckpoint& checkpoint);
  // The newest checkpoint; nullopt when none was written.
  absl::StatusOr<std::optional<AuditCheckpoint>> LatestAuditCheckpoint();
  // Recomputes the sealed chain and checks every checkpoint, in one read snapshot
  // (db/audit_verify.h). Unsealed records are counted, not checked: seal first.
  absl::StatusOr<AuditVerification> VerifyAudit(const AuditVerifyOptions& options);

  // ---- Audit support (db/store_audit.cc) ----
  // Runs `fn` in one write transaction; the store calls it makes on this thread join it, so
  // they commit together (e.g. a change and its audit record) or, when fn or any of them fails,
  // not at all. Called inside another such transaction, it joins that one.
  absl::Status InTransaction(const std::function<absl::Status()>& fn);
  // Adds `failure.failures` failed authentications (1 when not positive) to the row of (peer,
  // minute of `failure.last_at`, method), creating it: a flood grows the store by one row per
  // peer and minute, not one per call. `minute` is ignored. Peer and reason are cut to their
  // bounds (core/audit.h).
  absl::Status RecordAuthFailure(const AuthFailure& failure);
  // Rows whose minute starts at or after `since`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<AuthFailure>> ListAuthFailures(absl::Time since, int limit = 1000);
  // Rows in the audit log and the bytes of their text fields, for monitoring its growth.
  struct AuditLogSize {
    int64_t rows = 0;
    int64_t bytes = 0;
  };
  absl::StatusOr<AuditLogSize> MeasureAuditLog();
  // The HMAC key binding List page tokens to their query (server/rpc/page_token.h): 256 random bits
  // in server_secrets (migration 0011), generated by the first caller on this database and kept
  // for good; read once per Store.
  absl::StatusOr<std::string> PageTokenKey();

  // API keys; only hashes are stored.
  absl::StatusOr<ApiKey> CreateApiKey(const ApiKey& key);
  absl::StatusOr<ApiKey> FindApiKeyByHash(const std::string& secret_hash);
  absl::StatusOr<std::vector<ApiKey>> ListApiKeys(const Page& page);
  absl::StatusOr<std::vector<ApiKey>> ListApiKeys(const ApiKeyFilter& filter, const Page& page);
  absl::Status RevokeApiKey(int64_t id, absl::Time at);  // NotFound when absent

  // ---- Cached look-ups for the submission hot path (db/store_cached.cc, db/internal/lookup_cache.h) ----
  // How long a cached row may be served before it is read again.
  static constexpr absl::Duration kLookupTtl = absl::Seconds(1);
  // Like FindApiKeyByHash and GetFund, but served from a copy at most kLookupTtl old. Changes
  // made through this Store show at once (RevokeApiKey, UpdateFund clear the copy when their
  // transaction ends); changes made by another process show within kLookupTtl.
  absl::StatusOr<ApiKey> FindApiKeyByHashCached(const std::string& secret_hash);
  absl::StatusOr<Fund> GetFundCached(int64_t id);
  // The fund's row in the current version of the latest exposure snapshot on or before `on`;
  // nullopt when the fund is not in it or there is none. Cached like the above; WriteExposure
  // through this Store clears it.
  absl::StatusOr<std::optional<FundExposure>> GetLatestExposureCached(int64_t fund_id, Date on);
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
  // The counts of GetRiskCapitalSummary over the monitored rows (consolidated exposure not NONE)
  // of MARGIN_STATUS version `version_id`, optionally one manager's, by GROUP BY in the database.
  absl::StatusOr<FundStatusSummary> SummarizeFundStatus(int64_t version_id,
                                                        std::optional<int64_t> manager_id);
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
  std::unique_ptr<LookupCaches> caches_;  // db/internal/lookup_cache.h
  std::mutex page_token_key_mu_;
  std::string page_token_key_;  // guarded by page_token_key_mu_; empty until read
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
// `before_commit`, when set, runs last in the same transaction with the outcome (a replay too)
// and its store calls join it; when it fails everything rolls back. A call's audit record is
// appended there, so it commits with the change (server/rpc/request_log.h).
absl::StatusOr<RequestOutcome> RunIdempotent(
    Store& store, const RequestKey& key, const std::function<absl::StatusOr<int64_t>()>& apply,
    const std::function<absl::Status(const RequestOutcome&)>& before_commit = {});

}  // namespace riskcap::db
