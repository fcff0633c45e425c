// Internal to db/: the files of a SQLite backup target. The backup is written to "<target>.partial"
// in the same directory (created mode 0600, never through a symbolic link) and renamed over the
// target only once verified, so the previous backup stays intact until the new one is complete
// and the backup is readable by the server's user only; "<target>.lock" keeps two backups to one
// target from interleaving and makes the leftovers of a killed run safe to remove. The lock file
// exists only while a backup runs (or after a killed one, until the next).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace riskcap::db {

class BackupFile {
 public:
  // Takes the target's lock (FailedPrecondition when another backup to it is running; the lock
  // dies with its process), removes any partial file a killed run left behind and creates the
  // new one empty, mode 0600. The caller has checked the target (db/backup_target.h).
  static absl::StatusOr<BackupFile> Begin(const std::string& target_path);
  BackupFile(BackupFile&& other) noexcept;
  BackupFile(const BackupFile&) = delete;
  // Removes the partial file unless committed, then removes and releases the lock.
  ~BackupFile();

  const std::string& partial_path() const { return partial_; }
  // Flushes the partial file to disk (call after its last connection closed).
  absl::Status Sync();
  // Renames the partial file over the target and makes the rename durable.
  absl::Status Commit();

 private:
  BackupFile(std::string target, int lock_fd);
  void RemovePartial();
  absl::Status CreatePartial();

  std::string target_;
  std::string partial_;
  std::string lock_path_;
  int lock_fd_ = -1;
  bool committed_ = false;
};

}  // namespace riskcap::db
