// Partial file, lock, fsync and atomic rename for SQLite backup targets.
#include "db/internal/backup_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace riskcap::db {
namespace {

absl::Status ErrnoError(const std::string& what, const std::string& path) {
  int err = errno;
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT || err == ENOTDIR || err == EACCES || err == EROFS || err == EISDIR) {
    return absl::FailedPreconditionError(msg);  // the operator's to fix: path or permissions
  }
  return err == ENOSPC || err == EIO ? absl::UnavailableError(msg) : absl::InternalError(msg);
}

absl::Status FsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoError("cannot fsync", path);
  return absl::OkStatus();
}

std::string DirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Opens and locks `lock_path`. The lock file is removed by whoever holds it when done, so a lock
// taken on a file that was meanwhile removed (or replaced) is no lock: check it is still the one
// at `lock_path`.
absl::StatusOr<int> TakeLock(const std::string& lock_path, const std::string& target_path) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot create backup lock", lock_path);
  struct stat held {}, current {};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &held) != 0 ||
      ::lstat(lock_path.c_str(), &current) != 0 || held.st_ino != current.st_ino ||
      held.st_dev != current.st_dev) {
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("another backup to ", target_path, " is running (", lock_path, " is locked)"));
  }
  return fd;
}

}  // namespace

absl::StatusOr<BackupFile> BackupFile::Begin(const std::string& target_path) {
  std::string lock_path = absl::StrCat(target_path, ".lock");
  auto fd = TakeLock(lock_path, target_path);
  if (!fd.ok()) return fd.status();
  BackupFile file(target_path, *fd);
  file.RemovePartial();  // a killed run's leftovers: no one else writes them while we hold the lock
  if (absl::Status created = file.CreatePartial(); !created.ok()) return created;
  return file;
}

BackupFile::BackupFile(std::string target, int lock_fd)
    : target_(std::move(target)),
      partial_(absl::StrCat(target_, ".partial")),
      lock_path_(absl::StrCat(target_, ".lock")),
      lock_fd_(lock_fd) {}

BackupFile::BackupFile(BackupFile&& other) noexcept
    : target_(std::move(other.target_)),
      partial_(std::move(other.partial_)),
      lock_path_(std::move(other.lock_path_)),
      lock_fd_(other.lock_fd_),
      committed_(other.committed_) {
  other.lock_fd_ = -1;
}

BackupFile::~BackupFile() {
  if (lock_fd_ < 0) return;
  if (!committed_) RemovePartial();
  std::remove(lock_path_.c_str());  // while still held: a waiting backup then sees it replaced
  ::close(lock_fd_);                // releases the lock
}

// SQLite would create the file 0644 (less the umask); created here first, empty, it keeps 0600,
// and SQLite gives its journal files the database file's mode. O_EXCL|O_NOFOLLOW: never a file
// someone else planted, never through a symbolic link.
absl::Status BackupFile::CreatePartial() {
  int fd = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot create backup file", partial_);
  int rc = ::fchmod(fd, 0600);  // whatever the umask
  ::close(fd);
  if (rc != 0) return ErrnoError("cannot set the mode of", partial_);
  return absl::OkStatus();
}

void BackupFile::RemovePartial() {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove(absl::StrCat(partial_, suffix).c_str());
  }
}

absl::Status BackupFile::Sync() { return FsyncPath(partial_, O_RDONLY); }

absl::Status BackupFile::Commit() {
  if (::rename(partial_.c_str(), target_.c_str()) != 0) {
    return ErrnoError(absl::StrCat("cannot rename ", partial_, " to"), target_);
  }
  committed_ = true;
  // The old target's -wal/-shm belong to the replaced file; a reader would apply them to ours.
  for (const char* suffix : {"-wal", "-shm"}) std::remove(absl::StrCat(target_, suffix).c_str());
  return FsyncPath(DirectoryOf(target_), O_RDONLY | O_DIRECTORY);
}

}  // namespace riskcap::db
