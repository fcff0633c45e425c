// Test support for the backup (db/backup.h): a store with rows in every table, awkward values
// included (NULLs, doubles that only print exactly with 17 digits, text with tabs, newlines,
// backslashes and non-ASCII), a reader, independent of the backup's own, that lists every row
// of a table as text so two stores can be compared row by row, and a scratch directory for backup
// files.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <unistd.h>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "db/store.h"
#include "tests/testing/store_sql.h"

namespace riskcap::testing {

// Every table the backup must copy (the schema of the migrations, without
// schema_migrations). The round-trip test fails when the schema gains a table missing here.
inline const std::vector<std::string> kBackedUpTables = {
    "api_keys",              "asset_types",           "audit_chain",
    "audit_chain_gaps",      "audit_checkpoints",     "audit_log",
    "auth_failures",         "deliveries",            "exemptions",
    "findings",              "fund_exposures",        "fund_status",
    "fund_status_counts",    "fund_status_totals",    "funds",
    "job_runs",              "manager_emails",        "manager_webhooks",
    "managers",              "margin_status_inputs",  "margin_submissions",
    "nav_history",           "nav_snapshots",         "position_fund_ranges",
    "positions",             "reminders",             "request_log",
    "server_secrets",        "snapshot_versions"};

inline void Check(const absl::Status& status, const char* what) {
  if (!status.ok()) throw std::runtime_error(absl::StrCat(what, ": ", status.ToString()));
}
template <typename T>
T Check(absl::StatusOr<T> value, const char* what) {
  Check(value.status(), what);
  return *std::move(value);
}

// A directory of its own (for backup files and their companions), removed with its content.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() /
            absl::StrCat("riskcap_backup_", getpid(), "_", reinterpret_cast<uintptr_t>(this));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // The names in it, sorted.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

inline const absl::Time kBackupT0 = absl::FromUnixMicros(1'700'000'000'123'457);

// Writes a positions version; the default is Store::WritePositions.
using PositionsWriter =
    std::function<SnapshotVersion(const db::NewVersion&, const std::vector<Position>&)>;

// `positions` extra rows go into one positions version (to make a table span many chunks),
// written by `write_positions` when given (e.g. as an older schema stored them).
// Throws std::runtime_error when the store refuses anything.
inline void FillEveryTable(db::Store& store, int positions = 3,
                           const PositionsWriter& write_positions = nullptr) {
  Manager m1 = Check(store.CreateManager({0, "Gestora Ação\tUm", "11111111000101"}), "manager");
  Manager m2 = Check(store.CreateManager({0, "Gestora \\Dois\nLtda", "22222222000102"}), "manager");
  Check(store.CreateFund({101, "Fundo A", "33333333000103", m1.id, RegulatoryClass::kMultimercado,
                          TargetAudience::kGeneral, 0.1 + 0.2, "BRL", true}),
        "fund");
  Check(store.CreateFund({201, "Fundo B", "44444444000104", m2.id, RegulatoryClass::kAcoes,
                          TargetAudience::kQualified, std::nullopt, "USD", false}),
        "fund");
  Check(store.UpsertAssetTypes({{"OPT", "Opção OTC"}, {"SWP", "Swap"}, {"a", "lower"}}), "types");

  JobRun run;
  run.job = "nav_snapshot";
  run.reference_date = Date(2024, 3, 28);
  run.params_json = R"({"date":"2024-03-28"})";
  run.queued_at = kBackupT0;
  run.started_at = kBackupT0 + absl::Seconds(1);
  run.state = JobState::kSucceeded;
  run.triggered_by = "scheduler";
  JobRun parent = Check(store.CreateJobRun(run), "run");
  run.job = "positions";
  run.started_at.reset();
  JobRun child = Check(store.CreateJobRun(run), "run");

  db::NewVersion v{Date(2024, 3, 28), "h1", child.id, std::nullopt, "test"};
  NavSnapshot nav{101,
                  Date(2024, 3, 28),
                  Money::FromMicros(123'456'789'000),
                  1.0 / 3.0,
                  Money::FromMicros(-5),
                  1e-300,
                  Money::FromMicros(0),
                  -0.0,
                  2.5,
                  0.015,
                  0.031,
                  -0.12,
                  0.08,
                  1e20,
                  -1.7976931348623157e308,
                  0.1,
                  "ALTA"};
  SnapshotVersion nav_version = Check(store.WriteNavSnapshot(v, {nav}), "nav");
  Check(store.WriteNavHistory(
            v, {{101, Date(2024, 3, 27), Money::FromMicros(1), Money::FromMicros(2)},
                {101, Date(2024, 3, 28), Money::FromMicros(2), Money::FromMicros(3)}}),
        "history");
  std::vector<Position> rows;
  for (int i = 0; i < positions; ++i) {
    Position p;
    p.fund_id = i % 2 == 0 ? 101 : 201;
    p.position_date = Date(2024, 3, 28);
    p.asset_nickname = absl::StrCat("opt ", i, i == 0 ? "\ttab\\back\r\n" : "");
    p.isin = "BRXXXXXXXXX0";
    p.asset_code = absl::StrCat("C", i);
    p.asset_type_code = "OPT";
    p.classification = PositionClassification::kOtcOption;
    p.quantity = Money::FromMicros(int64_t{i} * 1'000'001);
    p.notional = Money::FromMicros(-i);
    if (i % 3 == 0) {
      p.asset_leg_balance = Money::FromMicros(7);
      p.asset_class = OtcAssetClass::kFx;
      p.start_date = Date(2024, 1, 2);
      p.strike = 5.123456789012345 + i;
    }
    p.currency = "BRL";
    rows.push_back(p);
  }
  SnapshotVersion positions_version = write_positions
                                          ? write_positions(v, rows)
                                          : Check(store.WritePositions(v, rows), "positions");
  db::NewVersion ev{Date(2024, 3, 28), "h2", child.id, positions_version.id, "test"};
  FundExposure exposure{101,
                        Date(2024, 3, 28),
                        true,
                        false,
                        2,
                        0,
                        0,
                        Money::FromMicros(10),
                        Money::FromMicros(11),
                        Money::FromMicros(0),
                        Money::FromMicros(0),
                        Money::FromMicros(12),
                        Money::FromMicros(-13),
                        Money::FromMicros(14)};
  Check(store.WriteExposure(ev, {exposure}), "exposure");

  MarginSubmission sub;
  sub.fund_id = 101;
  sub.reference_date = Date(2024, 3, 28);
  sub.local_margin = Money::FromMicros(1'000'000);
  sub.methodology = "VaR 99%";
  sub.submitted_at = kBackupT0;
  sub.submitted_by = "key:1";
  sub.idempotency_key = "k-1";
  sub.content_hash = "c1";
  MarginSubmission submitted = Check(store.InsertSubmission(sub), "submission");
  Check(store.DecideSubmission(submitted.id, SubmissionState::kValidated, "ok", "analyst",
                               kBackupT0 + absl::Hours(1)),
        "decide");
  Exemption ex;
  ex.fund_id = 201;
  ex.reason = "encerramento";
  ex.valid_from = Date(2024, 3, 1);
  ex.valid_to = Date(2024, 12, 31);
  ex.granted_by = "admin";
  ex.granted_at = kBackupT0;
  Exemption granted = Check(store.GrantExemption(ex), "exemption");

  Finding f;
  f.rule = "OVERDUE";
  f.fund_id = 101;
  f.reference_date = Date(2024, 3, 28);
  f.job_run_id = parent.id;
  f.message = "atrasado";
  f.dedup_key = "OVERDUE:101";
  f.raised_at = kBackupT0;
  Finding raised = Check(store.RaiseFinding(f), "finding");
  Check(store.AcknowledgeFinding(raised.id, "analyst", kBackupT0 + absl::Minutes(5)), "ack");
  Reminder reminder = Check(store.InsertReminder({0, m1.id, Date(2024, 3, 28),
                                                   "Prezado gestor,\nenvie.", "r1", kBackupT0}),
                            "reminder");
  // Migration 0014's tables: the manager's contacts and a delivery of the reminder, one attempt
  // made (its optional columns set) and due again later.
  const int schema = Check(store.SchemaVersion(), "schema version");
  if (schema >= 14) {
    Check(store.SetManagerContacts(m1.id, {{"risco@gestora.example.com", "ops@gestora.example.com"},
                                           "https://hooks.gestora.example.com/riskcap",
                                           "0123456789abcdef0123456789abcdef"}),
          "contacts");
    Delivery d;
    d.source = DeliverySource::kReminder;
    d.source_id = reminder.id;
    d.manager_id = m1.id;
    d.channel = DeliveryChannel::kEmail;
    d.address = "risco@gestora.example.com";
    d.subject = "riskcap: relatorio pendente";
    d.body = "Fundo 101\tatrasado\n";
    d.message_id = "<reminder.r1.1@riskcap>";
    d.created_at = kBackupT0;
    d.next_attempt_at = kBackupT0;
    Check(store.EnqueueDeliveries({d}), "delivery");
    std::vector<Delivery> claimed =
        Check(store.ClaimDeliveries("fixture", kBackupT0, absl::Minutes(1), 10), "claim");
    if (claimed.size() != 1) throw std::runtime_error("the fixture's delivery was not claimed");
    Check(store.FinishDeliveryAttempt(claimed[0].id, "fixture",
                                      {DeliveryState::kPending, "451 try later",
                                       kBackupT0 + absl::Seconds(1), kBackupT0 + absl::Hours(1)}),
          "delivery attempt");
  }
  // Migration 0011's tables, on a store at that schema or later (the migration tests fill an
  // older schema, then migrate).
  if (schema >= 11) {
    AuthFailure failure;
    failure.peer = "ipv4:10.0.0.1";
    failure.method = "FundService/UpdateFund";
    failure.last_reason = "unknown API key";
    failure.last_at = kBackupT0;
    Check(store.RecordAuthFailure(failure), "auth failure");
    Check(store.PageTokenKey(), "page token key");
  }
  ApiKey key;
  key.label = "gestora um";
  key.role = Role::kManager;
  key.manager_id = m1.id;
  key.secret_hash = std::string(64, 'a');
  key.created_at = kBackupT0;
  key.created_by = "cli:local";
  Check(store.CreateApiKey(key), "key");
  Check(store.AppendAudit({0, kBackupT0, "key:1", "/riskcap.v1.X/Y", "r-1", "OK", "a\tb\nc"}),
        "audit");
  // From migration 0015 on (tests of older schemas fill them too): the chain sealed, and a
  // checkpoint of the empty chain, validly signed (Ed25519 signs deterministically) by a key
  // made for this fixture: backups verify their copy's chain and checkpoint signatures.
  auto version = store.SchemaVersion();
  if (version.ok() && *version >= 15) {
    Check(store.SealAllAudit().status(), "seal");
    Check(store.AppendAuditCheckpoint(
              {0, 0, std::string(64, '0'), 1'700'000'000'000'000,
               "37df7a3b8e48b30e7ddfe3e0c8ba3477f1e92b00af9548b1ab3ef44c5fe8f20c",
               "f4968c80750260857337e1ea2d76f398ccd1a7e1a7ef7fff3ab146902b202970"
               "b292e9b7a14cd5f27b48815354fe5621f8fc616b0a1c801e4f50b1eb2fc64e0c"}),
          "audit checkpoint");
  }
  if (version.ok() && *version >= 19) {  // a range a sealing round passed over (bookkeeping)
    Check(WriteSql(store, [](soci::session& s) -> absl::Status {
      s << "INSERT INTO audit_chain_gaps (first_id, last_id, since_us)"
           " VALUES (1000, 1001, 1700000000000000)";
      return absl::OkStatus();
    }),
          "audit chain gap");
  }
  Check(db::RunIdempotent(store, {"FundService/CreateFund", "key:1", "req-1", "h"},
                          [] { return absl::StatusOr<int64_t>(101); })
            .status(),
        "request log");

  // No Store API yet for the job runner's columns and the margin_status output: plain SQL.
  Check(WriteSql(store, [&](soci::session& s) -> absl::Status {
    long long parent_id = parent.id, child_id = child.id, nav_id = nav_version.id;
    long long sub_id = submitted.id, ex_id = granted.id, manager = m1.id;
    s << "UPDATE job_runs SET parent_run_id = :p, output_version_id = :v WHERE id = :c",
        soci::use(parent_id), soci::use(nav_id), soci::use(child_id);
    s << "UPDATE job_runs SET output_version_id = :v WHERE id = :p", soci::use(nav_id),
        soci::use(parent_id);
    s << "INSERT INTO snapshot_versions (kind, reference_date, version, content_hash, row_count,"
         " job_run_id, source, created_at_us) VALUES ('MARGIN_STATUS', '2024-03-28', 1, 'h3', 1,"
         " :r, 'test', 1)",
        soci::use(parent_id);
    long long status_version = 0;
    s << "SELECT max(id) FROM snapshot_versions", soci::into(status_version);
    s << "INSERT INTO fund_status (version_id, fund_id, reference_date, rule_version, manager_id,"
         " regulatory_class, target_audience, consolidated_exposure, periodicity_days,"
         " submission_id, exemption_id, last_submission_source, deadline_status,"
         " validation_status, gross_margin_micros, utilisation, cap, cap_source, limit_status,"
         " stale, breach_business_days, benchmark_position_count, benchmark_excluded_count,"
         " nav_date) VALUES (:v, 101, '2024-03-28', 'r1', :m, 'MULTIMERCADO', 'GENERAL', 'OTC',"
         " 7, :s, :e, 'SUBMISSION', 'ON_TIME', 'RECEIVED_VALIDATED', 1000000,"
         " 0.123456789012345678, 0.7, 'REGULATORY_CLASS', 'WITHIN_LIMIT', 0, 0, 1, 0, "
         "'2024-03-28')",
        soci::use(status_version), soci::use(manager), soci::use(sub_id), soci::use(ex_id);
    if (schema >= 17) {
      s << "INSERT INTO margin_status_inputs (version_id, nav_version_id, rules_config)"
           " VALUES (:v, :n, 'rule_version=r1')",
          soci::use(status_version), soci::use(nav_id);
    }
    if (schema >= 18) {
      s << "INSERT INTO fund_status_counts (version_id, manager_id, regulatory_class,"
           " consolidated_exposure, deadline_status, validation_status, limit_status, stale,"
           " funds, max_utilisation, max_utilisation_fund_id) VALUES (:v, :m, 'MULTIMERCADO',"
           " 'OTC', 'ON_TIME', 'RECEIVED_VALIDATED', 'WITHIN_LIMIT', 0, 1,"
           " 0.123456789012345678, 101)",
          soci::use(status_version), soci::use(manager);
      s << "INSERT INTO fund_status_totals (version_id, regulatory_class, consolidated_exposure,"
           " deadline_status, validation_status, limit_status, stale, funds, max_utilisation,"
           " max_utilisation_fund_id) VALUES (:v, 'MULTIMERCADO', 'OTC', 'ON_TIME',"
           " 'RECEIVED_VALIDATED', 'WITHIN_LIMIT', 0, 1, 0.123456789012345678, 101)",
          soci::use(status_version);
    }
    return absl::OkStatus();
  }),
        "sql rows");
}

// Every row of `table` as text ("NULL", integers, doubles with 17 digits, dates as YYYY-MM-DD),
// columns in name order, rows sorted: read through SOCI, not through the backup's readers.
inline std::vector<std::string> DumpTable(db::Store& store, const std::string& table) {
  SqlRows dump = Check(QuerySql(store, "SELECT * FROM " + table), "dump");
  std::vector<std::string> out;
  for (const std::vector<std::string>& row : dump.rows) {
    std::map<std::string, std::string> cells;
    for (size_t i = 0; i < row.size(); ++i) cells[dump.columns[i]] = row[i];
    std::string line;
    for (const auto& [name, value] : cells) absl::StrAppend(&line, name, "=", value, "|");
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace riskcap::testing
