// IngestService: header, row validation across the stream, content hash, replay and the write.
#include "server/ingest/ingest_service.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "core/absl_compat.h"
#include "core/job_pipeline.h"
#include "core/logger.h"
#include "core/status_macros.h"
#include "server/rpc/convert_common.h"
#include "server/snapshots/convert_snapshot.h"
#include "server/jobs/feed_job_support.h"
#include "server/jobs/job_runner.h"
#include "server/metrics/server_metrics.h"
#include "server/rpc/stream_call.h"
#include "server/ingest/upload_spool.h"

namespace riskcap::server {
namespace {

constexpr size_t kMaxViolations = 100;  // docs/api.md: only the first 100 are reported
// Violations travel in the status trailer's google.rpc.BadRequest, and gRPC clients refuse
// trailers over 8 KiB by default: this budget (about 50 typical violations) keeps under it.
constexpr size_t kMaxViolationBytes = 5000;
constexpr size_t kMaxSourceLength = 100;

struct UploadHeader {
  std::string request_id;
  Date reference_date;
  std::string source;
};

// What differs between the three uploads. UniqueKey names what may appear once per upload.
struct NavSnapshotUpload {
  using Request = v1::UploadNavSnapshotsRequest;
  using Row = NavSnapshot;
  static constexpr SnapshotKind kKind = SnapshotKind::kNavSnapshot;
  static constexpr char kMethod[] = "IngestService/UploadNavSnapshots";
  static constexpr char kJob[] = "nav_snapshot";
  static constexpr char kDateField[] = "position_date";
  static constexpr char kUniqueField[] = "fund_id";
  static constexpr char kUniqueWhat[] = "fund";
  static constexpr auto FromProto = &NavSnapshotFromProto;
  static Date RowDate(const Row& r) { return r.position_date; }
  static std::optional<std::pair<int64_t, int64_t>> UniqueKey(const Row& r) {
    return std::make_pair(r.fund_id, int64_t{0});
  }
  static constexpr auto Write = &db::Store::WriteNavSnapshotStream;
};

struct NavHistoryUpload {
  using Request = v1::UploadNavHistoryRequest;
  using Row = NavHistoryEntry;
  static constexpr SnapshotKind kKind = SnapshotKind::kNavHistory;
  static constexpr char kMethod[] = "IngestService/UploadNavHistory";
  static constexpr char kJob[] = "nav_history";
  static constexpr char kDateField[] = "nav_date";
  static constexpr char kUniqueField[] = "nav_date";
  static constexpr char kUniqueWhat[] = "(fund_id, nav_date)";
  static constexpr auto FromProto = &NavHistoryFromProto;
  static Date RowDate(const Row& r) { return r.nav_date; }
  static std::optional<std::pair<int64_t, int64_t>> UniqueKey(const Row& r) {
    return std::make_pair(r.fund_id, static_cast<int64_t>(r.nav_date - Date()));
  }
  static constexpr auto Write = &db::Store::WriteNavHistoryStream;
};

struct PositionsUpload {
  using Request = v1::UploadPositionsRequest;
  using Row = Position;
  static constexpr SnapshotKind kKind = SnapshotKind::kPositions;
  static constexpr char kMethod[] = "IngestService/UploadPositions";
  static constexpr char kJob[] = "positions";
  static constexpr char kDateField[] = "position_date";
  static constexpr char kUniqueField[] = "";
  static constexpr char kUniqueWhat[] = "";
  static constexpr auto FromProto = &PositionFromProto;
  static Date RowDate(const Row& r) { return r.position_date; }
  static std::optional<std::pair<int64_t, int64_t>> UniqueKey(const Row&) { return std::nullopt; }
  static constexpr auto Write = &db::Store::WritePositionsStream;
};

// The header of the stream's first message (nullptr when it has none), fully validated.
absl::StatusOr<UploadHeader> ParseHeader(const v1::UploadHeader* header, Date today) {
  if (header == nullptr) return FieldError("header", "the first message must carry the header");
  FieldErrors errors;
  for (const FieldViolation& v : FieldViolationsOf(ValidateRequestId(header->request_id()))) {
    errors.Add(absl::StrCat("header.", v.field), v.description);
  }
  UploadHeader out{header->request_id(), Date(), header->source()};
  out.reference_date = ParseDateField(header->reference_date(), "header.reference_date", errors);
  if (out.reference_date > today) {
    errors.Add("header.reference_date",
               absl::StrCat("must not be after today (", FormatDate(today), ")"));
  }
  if (out.source.empty() || out.source.size() > kMaxSourceLength) {
    errors.Add("header.source", "must be 1..100 characters naming where the data comes from");
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return out;
}

// Validates an upload's rows as they stream in and spools the valid ones (while no violation
// has been seen). Row indexes count across the stream.
template <typename D>
class RowCollector {
 public:
  using Row = typename D::Row;

  RowCollector(Date reference_date, int64_t max_rows, UploadSpool<Row>& spool)
      : reference_date_(reference_date), max_rows_(max_rows), spool_(spool) {}

  // False once enough violations are collected: reading further would not change the answer.
  bool wants_more() const { return errors_.violations().size() <= kMaxViolations; }

  template <typename ProtoRows>
  absl::Status AddChunk(const ProtoRows& chunk) {
    for (const auto& proto : chunk) {
      if (next_index_ >= max_rows_) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "an upload may carry at most ", max_rows_, " rows; split the load by reference date"));
      }
      path_.clear();  // reused: no allocation per row
      absl::StrAppend(&path_, "rows[", next_index_, "]");
      RETURN_IF_ERROR(AddRow(D::FromProto(proto, path_, errors_)));
      if (!wants_more()) break;
    }
    return absl::OkStatus();
  }

  // Checks the funds the rows name, then returns the violations, if any: the first 100, fewer
  // when their text would pass kMaxViolationBytes, then a "rows" entry saying more were cut.
  absl::Status Finish(db::Store& store) {
    if (errors_.empty()) RETURN_IF_ERROR(CheckFundsExist(store));
    if (errors_.empty()) return spool_.Finish();
    const std::vector<FieldViolation>& all = errors_.violations();
    FieldErrors shown;
    size_t bytes = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      bytes += all[i].field.size() + all[i].description.size();
      if (i == kMaxViolations || bytes > kMaxViolationBytes) {
        shown.Add("rows", absl::StrCat("more violations not shown; the first ", i,
                                       " are reported (fix them and upload again)"));
        break;
      }
      shown.Add(all[i].field, all[i].description);
    }
    return shown.ToStatus();
  }

  int64_t row_count() const { return next_index_; }

 private:
  std::string Path(int64_t index, std::string_view field) const {
    return absl::StrCat("rows[", index, "].", AbslView(field));
  }

  absl::Status AddRow(Row row) {
    const int64_t index = next_index_++;
    if (D::RowDate(row) > reference_date_) {
      errors_.Add(Path(index, D::kDateField),
                  absl::StrCat("must be on or before the header's reference_date (",
                               FormatDate(reference_date_), ")"));
    }
    if (auto key = D::UniqueKey(row)) {
      auto [it, inserted] = first_row_of_key_.try_emplace(*key, index);
      if (!inserted) {
        errors_.Add(Path(index, D::kUniqueField), absl::StrCat("duplicates rows[", it->second,
                                                               "]: one row per ", D::kUniqueWhat));
      }
    }
    if (row.fund_id > 0) first_row_of_fund_.try_emplace(row.fund_id, index);
    if (!errors_.empty()) return absl::OkStatus();  // nothing will be written: stop spooling
    return spool_.Add(std::move(row));
  }

  // A row naming an unknown fund is a violation on its fund_id (first row per fund).
  absl::Status CheckFundsExist(db::Store& store) {
    ASSIGN_OR_RETURN(const absl::flat_hash_set<int64_t> known, jobs::KnownFundIds(store));
    std::vector<std::pair<int64_t, int64_t>> unknown;  // (first row, fund)
    for (const auto& [fund, row] : first_row_of_fund_) {
      if (!known.contains(fund)) unknown.emplace_back(row, fund);
    }
    std::sort(unknown.begin(), unknown.end());
    for (const auto& [row, fund] : unknown) {
      errors_.Add(Path(row, "fund_id"), absl::StrCat("names no known fund (", fund, ")"));
    }
    return absl::OkStatus();
  }

  Date reference_date_;
  int64_t max_rows_;
  int64_t next_index_ = 0;
  UploadSpool<Row>& spool_;
  std::string path_;  // "rows[i]" of the row being read
  FieldErrors errors_;
  absl::flat_hash_map<int64_t, int64_t> first_row_of_fund_;
  absl::flat_hash_map<std::pair<int64_t, int64_t>, int64_t> first_row_of_key_;
};

// Reads the messages after the header into `rows`. CANCELLED when the client went away: a
// stream cut short must never be applied as if it were complete.
//
// Each message is parsed into an arena that is reset after the message: a chunk's thousands of
// row messages, their strings and wrapper values cost no malloc and free each (the rows live in
// a oneof, which protobuf would otherwise destroy and rebuild for every message). The first
// block is allocated once per upload and kept across resets.
template <typename D>
absl::Status ReadRows(const grpc::ServerContext& context, OpenStream& stream,
                      grpc::ServerReader<typename D::Request>& reader, RowCollector<D>& rows) {
  constexpr size_t kArenaBlockBytes = 4 << 20;  // a 5,000-row positions message needs ~3 MB
  std::vector<char> block(kArenaBlockBytes);
  google::protobuf::ArenaOptions options;
  options.initial_block = block.data();
  options.initial_block_size = block.size();
  google::protobuf::Arena arena(options);
  while (rows.wants_more()) {
    auto* message = google::protobuf::Arena::CreateMessage<typename D::Request>(&arena);
    if (!stream.Read(reader, message)) break;  // under the stream idle limit
    if (message->has_header()) {
      return FieldError("header", "only the first message may carry the header");
    }
    RETURN_IF_ERROR(rows.AddChunk(message->rows().rows()));
    arena.Reset();
  }
  if (context.IsCancelled()) {
    return stream.IdleOr(absl::CancelledError("the client cancelled the upload"));
  }
  return absl::OkStatus();
}

std::string UploadParams(const UploadHeader& h) {
  return ParamsJson({{"request_id", h.request_id}, {"source", h.source}});
}

// The SUCCEEDED run of `job` that recorded `request_id`, if any (job_runs_by_request). Request
// ids are unique per method across dates.
absl::StatusOr<std::optional<JobRun>> FindUploadRun(db::Store& store, const std::string& job,
                                                    const std::string& request_id) {
  db::JobRunFilter filter{job, std::nullopt, JobState::kSucceeded};
  filter.request_id = request_id;
  ASSIGN_OR_RETURN(std::vector<JobRun> runs, store.ListJobRuns(filter, db::Page{0, 1}));
  if (runs.empty()) return std::nullopt;
  return runs.front();
}

// The version a recorded upload run produced, or returned when its content was already current.
absl::StatusOr<SnapshotVersion> VersionOfRun(db::Store& store, SnapshotKind kind,
                                             const JobRun& run) {
  ASSIGN_OR_RETURN(std::vector<SnapshotVersion> versions,
                   store.ListSnapshotVersions(kind, run.reference_date));
  std::optional<SnapshotVersion> same_content;
  for (const SnapshotVersion& v : versions) {
    if (v.job_run_id == run.id) return v;
    if (v.content_hash == run.output_hash) same_content = v;  // the highest such version
  }
  if (same_content) return *same_content;
  return absl::InternalError(absl::StrCat("job run ", run.id, " names no snapshot version"));
}

JobRun NewUploadRun(const std::string& job, const UploadHeader& h, const Principal& principal,
                    absl::Time now) {
  JobRun run;
  run.job = job;
  run.reference_date = h.reference_date;
  run.params_json = UploadParams(h);
  run.request_id = h.request_id;
  run.state = JobState::kRunning;
  run.queued_at = now;
  run.started_at = now;
  run.triggered_by = principal.Name();
  return run;
}

// Empty data never replaces good data: a QUARANTINED_FEED finding, then FAILED_PRECONDITION.
absl::Status Quarantine(const RpcEnv& env, const std::string& job, const UploadHeader& h) {
  Finding finding;
  finding.rule = "QUARANTINED_FEED";
  finding.severity = FindingSeverity::kWarning;
  finding.reference_date = h.reference_date;
  finding.message = absl::StrCat("empty ", job, " upload from '", h.source, "' (request ",
                                 h.request_id, ") quarantined; current data unchanged");
  finding.dedup_key = absl::StrCat("QUARANTINED_FEED|", job, "|", FormatDate(h.reference_date));
  finding.raised_at = env.clock.Now();
  RETURN_IF_ERROR(env.store.RaiseFinding(finding).status());
  if (env.metrics != nullptr) env.metrics->RecordQuarantine("upload");
  return absl::FailedPreconditionError(
      "empty feed is quarantined; current data unchanged (send at least one row)");
}

// The original version of an upload already recorded under the same request_id, or
// ALREADY_EXISTS when this upload's content differs from it.
absl::StatusOr<SnapshotVersion> Replay(db::Store& store, SnapshotKind kind, const JobRun& prior,
                                       const UploadHeader& h, const std::string& hash) {
  if (prior.reference_date != h.reference_date || prior.params_json != UploadParams(h) ||
      prior.output_hash != hash) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id '", h.request_id, "' was already used for a different upload"));
  }
  return VersionOfRun(store, kind, prior);
}

// The audit detail of an applied upload, e.g. "NAV_SNAPSHOT 2026-11-13 version 2 load 7 rows 40".
std::string UploadAuditDetail(SnapshotKind kind, const SnapshotVersion& version, bool replayed) {
  return absl::StrCat(AbslView(EnumName(kind)), " ", FormatDate(version.reference_date),
                      " version ", version.version, " load ", version.id, " rows ",
                      version.row_count, replayed ? " replayed" : "");
}

// Writes the spooled rows as a new version under `run` (created here) and records the outcome on
// it. The version, the run's SUCCEEDED outcome and the call's audit record (info) commit in one
// transaction, open only while the spool is read back: all three or none. When `run` has no
// output_hash yet, the rows are hashed in the same merge pass that writes them, in canonical
// order, and the hash is recorded once every row was written.
//
// The run is RUNNING while the rows are written: this server heartbeats it through the job
// runner, so no runner fails it as abandoned however long the write takes, and a job run or
// another upload of the same dataset and date is refused meanwhile (FailedPrecondition naming
// this run), as is this upload while one of those runs is active.
template <typename D>
absl::StatusOr<SnapshotVersion> WriteVersion(const RpcEnv& env, CallInfo& info, JobRun run,
                                             const UploadHeader& h,
                                             const UploadSpool<typename D::Row>& rows) {
  if (env.jobs != nullptr) {
    run.owner = env.jobs->owner();
    run.heartbeat_at = env.clock.Now();
  }
  ASSIGN_OR_RETURN(run, env.store.CreateJobRun(run));
  if (env.jobs != nullptr) env.jobs->Hold(run.id);
  absl::Cleanup release = [&env, id = run.id] {
    if (env.jobs != nullptr) env.jobs->Release(id);
  };
  auto stream = rows.Canonical();
  const bool hash_known = !run.output_hash.empty();
  absl::StatusOr<SnapshotVersion> written = absl::UnknownError("not written");
  absl::Status committed = CommitAudited(env.store, info, [&]() -> absl::Status {
    written = (env.store.*D::Write)(
        {h.reference_date, run.output_hash, run.id, std::nullopt, h.source}, rows.row_count(),
        stream.chunks, hash_known ? db::HashAfterRows() : stream.hash);
    RETURN_IF_ERROR(written.status());
    JobRun done = run;
    done.state = JobState::kSucceeded;
    done.finished_at = env.clock.Now();
    done.rows_written = run.rows_read;
    done.output_hash = written->content_hash;
    RETURN_IF_ERROR(env.store.UpdateJobRun(done));
    info.audit_detail = UploadAuditDetail(D::kKind, *written, /*replayed=*/false);
    return absl::OkStatus();
  });
  if (!committed.ok()) {  // nothing of the upload is in: the run says why
    run.state = JobState::kFailed;
    run.finished_at = env.clock.Now();
    run.rows_written = 0;
    run.error = committed.ToString();
    if (absl::Status recorded = env.store.UpdateJobRun(run); !recorded.ok()) {
      Log(LogLevel::kWarning, "upload run outcome not recorded",
          {{"run", run.id}, {"error", recorded.ToString()}});
    }
    return committed;
  }
  return written;
}

// Replays, skips or writes the validated upload; the caller holds the dataset's mutex. The bool
// is `replayed`. A no-op or a write commits the call's audit record (info) with its change.
//
// The content hash decides between replay, no-op and write, but a separate pass over the spool
// to compute it first costs a full merge. It is needed only when the answer may depend on it:
// a recorded run under the same request_id, or a current version with as many rows (content
// with a different row count cannot hash the same). Otherwise the rows are hashed while they
// are written.
template <typename D>
absl::StatusOr<std::pair<SnapshotVersion, bool>> ApplyLocked(
    const RpcEnv& env, CallInfo& info, const Principal& principal, const UploadHeader& h,
    const UploadSpool<typename D::Row>& rows) {
  ASSIGN_OR_RETURN(std::optional<JobRun> prior, FindUploadRun(env.store, D::kJob, h.request_id));
  if (prior) {
    ASSIGN_OR_RETURN(const std::string hash, rows.ContentHash());
    ASSIGN_OR_RETURN(SnapshotVersion original, Replay(env.store, D::kKind, *prior, h, hash));
    return std::make_pair(original, true);
  }
  JobRun run = NewUploadRun(D::kJob, h, principal, env.clock.Now());
  run.rows_read = rows.row_count();
  auto current = env.store.GetSnapshotVersion(D::kKind, h.reference_date, std::nullopt);
  if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
  if (current.ok() && current->row_count == rows.row_count()) {
    ASSIGN_OR_RETURN(run.output_hash, rows.ContentHash());
    if (current->content_hash == run.output_hash) {
      run.state = JobState::kSucceeded;  // recorded, writing nothing, so request_id is used up
      run.finished_at = run.started_at;
      RETURN_IF_ERROR(CommitAudited(env.store, info, [&]() -> absl::Status {
        RETURN_IF_ERROR(env.store.CreateJobRun(run).status());
        info.audit_detail = UploadAuditDetail(D::kKind, *current, /*replayed=*/true);
        return absl::OkStatus();
      }));
      return std::make_pair(*current, true);
    }
  }
  ASSIGN_OR_RETURN(SnapshotVersion written, WriteVersion<D>(env, info, run, h, rows));
  return std::make_pair(written, false);
}

template <typename D>
grpc::Status Upload(RpcEnv& env, const IngestLimits& limits, absl::Mutex& mu,
                    grpc::ServerContext& context, grpc::ServerReader<typename D::Request>& reader,
                    v1::UploadResponse* response) {
  // Authenticated and admitted under the stream caps before the first message is read.
  auto stream = OpenStreamCall(env, context, D::kMethod, {Role::kService});
  if (!stream.ok()) {
    return RefuseStream(env, context, D::kMethod, CallKind::kMutating, stream.status());
  }
  typename D::Request first;
  const bool has_header = stream->Read(reader, &first) && first.has_header();
  return HandleRpc(
      env, context, D::kMethod, first.header().request_id(), CallKind::kMutating,
      [&](const Principal& principal, CallInfo& info) -> absl::Status {
        RETURN_IF_ERROR(RequireRole(principal, {Role::kService}));
        if (!has_header && context.IsCancelled()) {
          return stream->IdleOr(absl::CancelledError("the client cancelled the upload"));
        }
        ASSIGN_OR_RETURN(UploadHeader h,
                         ParseHeader(has_header ? &first.header() : nullptr, env.clock.Today()));
        const absl::Time start = absl::Now();
        ASSIGN_OR_RETURN(auto spool, UploadSpool<typename D::Row>::Create(limits.spool_dir,
                                                                         limits.spool_run_rows));
        RowCollector<D> rows(h.reference_date, limits.max_rows, *spool);
        RETURN_IF_ERROR(ReadRows(context, *stream, reader, rows));
        RETURN_IF_ERROR(rows.Finish(env.store));
        // A key revoked while the rows streamed in writes nothing.
        RETURN_IF_ERROR(RecheckPrincipal(env, context, principal));
        if (rows.row_count() == 0) return Quarantine(env, D::kJob, h);
        const absl::Time received = absl::Now();
        absl::MutexLock lock(&mu);
        ASSIGN_OR_RETURN(auto applied, ApplyLocked<D>(env, info, principal, h, *spool));
        const auto& [version, replayed] = applied;
        Log(LogLevel::kInfo, "upload applied",
            {{"job", D::kJob},
             {"rows", rows.row_count()},
             {"replayed", replayed},
             {"receive_s", absl::ToDoubleSeconds(received - start)},
             {"apply_s", absl::ToDoubleSeconds(absl::Now() - received)}});
        ToProto(version, replayed, response);
        // A replay changed nothing: HandleRpc writes its record. A write or no-op committed its
        // own with its change (info.audited).
        if (!info.audited) info.audit_detail = UploadAuditDetail(D::kKind, version, replayed);
        return absl::OkStatus();
      });
}

}  // namespace

IngestServiceImpl::IngestServiceImpl(RpcEnv& env, IngestLimits limits)
    : env_(env), limits_(limits) {}

grpc::Status IngestServiceImpl::UploadNavSnapshots(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadNavSnapshotsRequest>* reader,
    v1::UploadResponse* response) {
  return Upload<NavSnapshotUpload>(env_, limits_, apply_mu_[0], *context, *reader, response);
}

grpc::Status IngestServiceImpl::UploadNavHistory(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadNavHistoryRequest>* reader,
    v1::UploadResponse* response) {
  return Upload<NavHistoryUpload>(env_, limits_, apply_mu_[1], *context, *reader, response);
}

grpc::Status IngestServiceImpl::UploadPositions(
    grpc::ServerContext* context, grpc::ServerReader<v1::UploadPositionsRequest>* reader,
    v1::UploadResponse* response) {
  return Upload<PositionsUpload>(env_, limits_, apply_mu_[2], *context, *reader, response);
}

}  // namespace riskcap::server
