// Test support: runs the project's real binaries (riskcapd, riskcap) as child processes.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace riskcap::testing {

// The path of a built binary, e.g. BinaryPath("server/riskcapd"), from RISKCAP_BUILD_DIR.
std::string BinaryPath(const std::string& relative);

// A free TCP port on 127.0.0.1 (closed again; a race with other processes is possible but rare).
int FreeLoopbackPort();

// A running child process. Killed (SIGKILL) on destruction if still running.
class Subprocess {
 public:
  // Starts `argv[0]` with `argv`, the current environment plus `env`; stdout and stderr go to
  // files that Output() reads.
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~Subprocess();

  pid_t pid() const { return pid_; }
  void Signal(int signo);
  // Waits for exit; returns the exit code (128 + signal when killed), DeadlineExceeded on timeout.
  absl::StatusOr<int> Wait(absl::Duration timeout = absl::Seconds(30));
  std::string Stdout() const;
  std::string Stderr() const;
  // Waits until stderr contains `text`: OK then; FailedPrecondition when the process exits
  // first, DeadlineExceeded after `timeout`, each with the stderr so far.
  absl::Status WaitForStderr(const std::string& text, absl::Duration timeout = absl::Seconds(30));

 private:
  Subprocess(pid_t pid, std::string out, std::string err)
      : pid_(pid), out_path_(std::move(out)), err_path_(std::move(err)) {}
  pid_t pid_;
  bool exited_ = false;
  std::string out_path_, err_path_;
};

// Runs to completion and returns {exit code, stdout}; stderr is appended to `err` if given.
absl::StatusOr<std::pair<int, std::string>> RunCommand(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
    std::string* err = nullptr, absl::Duration timeout = absl::Seconds(60));

}  // namespace riskcap::testing
