// The operator's `riskcapd backup --to URL [--replace]`: copies the store at RISKCAP_DB (--db) into
// the target with db::Backup and prints the verified per-table report.
#pragma once

#include <ostream>
#include <string>

#include "db/backup.h"
#include "db/store.h"

namespace CLI {
class App;
}  // namespace CLI

namespace riskcap::server {

// Options of `riskcapd backup`, filled in when the command line is parsed.
struct BackupCommand {
  CLI::App* command = nullptr;  // parsed() tells whether `backup` was given
  std::string to;               // target store URL; empty: the configured RISKCAP_BACKUP_URL
  bool replace = false;         // let a non-empty PostgreSQL target be overwritten
};

// Adds `backup [--to URL] [--replace]` to `app`. `command` must outlive parsing.
void AddBackupCommand(CLI::App& app, BackupCommand* command);

// Writes the report: one line per table (name, rows, sha256), then a summary line
// "backup target=<url> tables=<n> rows=<n> schema_version=<v> content_hash=<hex> verified".
void PrintBackupReport(const db::BackupReport& report, std::ostream& out);

// Runs the backup from `source` to `target_url` (`options` as given, e.g. a test pause), printing
// the report to `out` and any error to `err`. Returns the exit code: 0, 2 when no target or a bad
// one was given or the target was refused, 3 when the copy failed.
int RunBackupCommand(const std::string& target_url, db::Store& source,
                     const db::BackupOptions& options, std::ostream& out, std::ostream& err);

}  // namespace riskcap::server
