// Backup target checks: the API's target policy and the file checks every SQLite target passes.
#include "db/backup_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"
#include "db/store_url.h"

namespace riskcap::db {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxNameLength = 128;
constexpr char kSqliteMagic[16] = "SQLite format 3";  // and its terminating NUL: 16 bytes
// The store's files: the database, then what SQLite keeps beside it.
constexpr std::array<const char*, 4> kStoreSuffixes = {"", "-wal", "-shm", "-journal"};
// What a backup to T writes, renames over or removes (db/internal/backup_file.h).
constexpr std::array<const char*, 8> kTargetSuffixes = {
    "", "-wal", "-shm", ".lock", ".partial", ".partial-wal", ".partial-shm", ".partial-journal"};
// Names that are some database's companion, never a backup.
constexpr std::array<const char*, 5> kReservedEndings = {"-wal", "-shm", "-journal", ".partial",
                                                         ".lock"};

absl::Status Refused(std::string_view requested, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("backup target '", RedactStoreUrl(requested), "' ", AbslView(why)));
}

// Empty when `name` is a plain file name a backup may take; else why not.
std::string NameProblem(std::string_view name) {
  if (name.size() > kMaxNameLength) return absl::StrCat("is longer than ", kMaxNameLength);
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "must be the configured backup URL (RISKCAP_BACKUP_URL) or a file name inside the "
             "backup directory (RISKCAP_BACKUP_DIR): letters, digits, '.', '_' and '-' only, so "
             "no path, no '/' and no URL";
    }
  }
  if (name[0] == '.' || name[0] == '-') return "must not start with '.' or '-'";
  for (const char* ending : kReservedEndings) {
    if (absl::EndsWith(AbslView(name), ending)) {
      return absl::StrCat("must not end in '", ending, "' (the name of a database's companion)");
    }
  }
  return "";
}

absl::StatusOr<std::string> RealDirectory(const std::string& dir) {
  char resolved[PATH_MAX];
  if (::realpath(dir.c_str(), resolved) == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the backup directory (RISKCAP_BACKUP_DIR) is unusable: ", std::strerror(errno)));
  }
  struct stat st {};
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        "the backup directory (RISKCAP_BACKUP_DIR) is not a directory");
  }
  return std::string(resolved);
}

bool SameInode(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return ::lstat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

fs::path CanonicalDir(const std::string& path) {
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  return fs::weakly_canonical(parent.empty() ? fs::path(".") : parent, ec);
}

}  // namespace

absl::Status CheckSqliteTarget(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("cannot inspect backup target ", path, ": ", std::strerror(errno)));
  }
  if (S_ISLNK(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "backup target ", path, " is a symbolic link; a backup replaces only a regular file"));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("backup target ", path, " is not a regular file"));
  }
  if (st.st_size == 0) return absl::OkStatus();
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read backup target ", path, ": ", std::strerror(errno)));
  }
  char header[sizeof(kSqliteMagic)] = {};
  ssize_t got = ::read(fd, header, sizeof(header));
  ::close(fd);
  if (got != static_cast<ssize_t>(sizeof(header)) ||
      std::memcmp(header, kSqliteMagic, sizeof(header)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "backup target ", path, " exists and is not a SQLite database; refusing to overwrite it"));
  }
  return absl::OkStatus();
}

absl::Status CheckTargetSparesStore(const std::string& target_path, const std::string& store_path) {
  const bool same_dir = CanonicalDir(target_path) == CanonicalDir(store_path);
  const std::string target_name = fs::path(target_path).filename();
  const std::string store_name = fs::path(store_path).filename();
  for (const char* t : kTargetSuffixes) {
    for (const char* s : kStoreSuffixes) {
      std::string touched = absl::StrCat(target_path, t), kept = absl::StrCat(store_path, s);
      if ((same_dir && absl::StrCat(target_name, t) == absl::StrCat(store_name, s)) ||
          SameInode(touched, kept)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "backup target ", target_path, " would overwrite or remove ", store_name, s,
            ", a file of the store being backed up"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolveBackupTarget(const BackupTargetPolicy& policy,
                                                std::string_view requested) {
  if (requested.empty() || requested == policy.configured_url ||
      (!policy.configured_url.empty() && requested == RedactStoreUrl(policy.configured_url))) {
    if (policy.configured_url.empty()) {
      return absl::FailedPreconditionError(
          "backup has no target: no default backup target (RISKCAP_BACKUP_URL) is configured");
    }
    return policy.configured_url;
  }
  if (std::string problem = NameProblem(requested); !problem.empty()) {
    return Refused(requested, problem);
  }
  if (policy.directory.empty()) {
    return Refused(requested, "is a file name, but no backup directory (RISKCAP_BACKUP_DIR) is "
                              "configured");
  }
  ASSIGN_OR_RETURN(std::string dir, RealDirectory(policy.directory));
  std::string path = absl::StrCat(dir, "/", AbslView(requested));
  RETURN_IF_ERROR(CheckSqliteTarget(path));
  auto store = ParseStoreUrl(policy.store_url);
  if (store.ok() && store->backend == Backend::kSqlite && !store->in_memory()) {
    RETURN_IF_ERROR(CheckTargetSparesStore(path, store->target));
  }
  return absl::StrCat("sqlite:", path);
}

}  // namespace riskcap::db
