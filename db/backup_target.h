// Where a backup may write. Every SQLite backup target passes the file checks here (db/backup.h
// applies them before it creates anything); a target requested through the API (the backup job)
// must moreover be one the operator chose: the configured RISKCAP_BACKUP_URL, or a plain file
// name inside the configured RISKCAP_BACKUP_DIR.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace riskcap::db {

// The operator's choices, from the server configuration.
struct BackupTargetPolicy {
  std::string configured_url;  // RISKCAP_BACKUP_URL; empty: none
  std::string directory;       // RISKCAP_BACKUP_DIR; empty: no file names are accepted
  std::string store_url;       // RISKCAP_DB: a SQLite store's files are never a target
};

// The store URL a backup requested through the API writes to:
// - `requested` empty, or equal to the configured URL (as configured, or as RedactStoreUrl shows
//   it): the configured URL;
// - a file name (letters, digits, '.', '_', '-'; not starting with '.' or '-'; not ending in
//   -wal, -shm, -journal, .partial or .lock): "sqlite:<the directory, symlinks resolved>/<name>",
//   once that file passes CheckSqliteTarget and is none of the store's files.
// InvalidArgument, saying why and quoting `requested` only redacted, for anything else (another
// path or URL, another PostgreSQL database, a symbolic link, a non-database file, the store's
// own files); FailedPrecondition when nothing is configured or the directory is unusable.
// Creates nothing. Thread-safe.
absl::StatusOr<std::string> ResolveBackupTarget(const BackupTargetPolicy& policy,
                                                std::string_view requested);

// OK when a SQLite backup may replace `path`: it does not exist, or it is a regular file (not a
// symbolic link, directory or device) that is empty or a SQLite database. InvalidArgument
// otherwise, FailedPrecondition when it cannot be inspected. Creates nothing.
absl::Status CheckSqliteTarget(const std::string& path);

// InvalidArgument when a SQLite backup to `target_path` would write, rename over or remove one of
// the files of the SQLite store at `store_path`: the database and its -wal, -shm and -journal
// (compared by directory and name, and by inode for existing files). Creates nothing.
absl::Status CheckTargetSparesStore(const std::string& target_path, const std::string& store_path);

}  // namespace riskcap::db
