// `riskcapd backup`: the command line around db::Backup.
#include "server/daemon/backup_command.h"

#include <CLI/CLI.hpp>

#include "absl/strings/str_format.h"
#include "db/store_url.h"

namespace riskcap::server {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitStore = 3;

}  // namespace

void AddBackupCommand(CLI::App& app, BackupCommand* command) {
  command->command = app.add_subcommand(
      "backup",
      "copy every table of the store (--db / RISKCAP_DB) into another store, verify each table's "
      "row count and SHA-256 and the copy's audit chain (its checkpoints signed by the "
      "--signing-key-file key when one is set), and print the report. A SQLite target file is replaced only once "
      "the new copy is complete and verified. Example: riskcapd backup --to "
      "sqlite:/backups/riskcap.db");
  command->command->add_option("--to", command->to,
                               "target store URL (default: RISKCAP_BACKUP_URL / --backup-url)");
  command->command->add_flag("--replace", command->replace,
                             "overwrite a PostgreSQL target that already holds rows");
}

void PrintBackupReport(const db::BackupReport& report, std::ostream& out) {
  out << absl::StrFormat("%-24s %12s  %s\n", "table", "rows", "sha256");
  for (const db::TableReport& t : report.tables) {
    out << absl::StrFormat("%-24s %12d  %s\n", t.table, t.rows, t.sha256);
  }
  out << absl::StrFormat(
      "backup target=%s tables=%d rows=%d schema_version=%d content_hash=%s verified "
      "audit_records=%d\n",
      report.target, report.tables.size(), report.total_rows, report.schema_version,
      report.content_hash, report.audit_records);
}

int RunBackupCommand(const std::string& target_url, db::Store& source,
                     const db::BackupOptions& options, std::ostream& out, std::ostream& err) {
  if (target_url.empty()) {
    err << "riskcapd backup: no target: pass --to URL or set RISKCAP_BACKUP_URL\n";
    return kExitUsage;
  }
  auto report = db::Backup(source, target_url, options);
  if (!report.ok()) {
    err << "riskcapd backup: " << db::RedactStoreUrl(report.status().ToString()) << "\n";
    bool usage =
        absl::IsInvalidArgument(report.status()) || absl::IsFailedPrecondition(report.status());
    return usage ? kExitUsage : kExitStore;
  }
  PrintBackupReport(*report, out);
  return 0;
}

}  // namespace riskcap::server
