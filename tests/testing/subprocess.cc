// Child processes for end-to-end tests.
#include "tests/testing/subprocess.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace riskcap::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string TempPath(const char* what) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          absl::StrCat("riskcap_proc_", getpid(), "_", counter++, ".", what))
      .string();
}

[[noreturn]] void ExecChild(const std::vector<std::string>& argv,
                            const std::map<std::string, std::string>& env, const std::string& out,
                            const std::string& err) {
  int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  int null_fd = open("/dev/null", O_RDONLY);
  dup2(null_fd, 0);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

std::string BinaryPath(const std::string& relative) {
  const char* dir = std::getenv("RISKCAP_BUILD_DIR");
  return absl::StrCat(dir != nullptr ? dir : RISKCAP_BUILD_DIR, "/", relative);
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  if (argv.empty() || access(argv[0].c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("not executable: ", argv.empty() ? "" : argv[0]));
  }
  std::string out = TempPath("out"), err = TempPath("err");
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) ExecChild(argv, env, out, err);
  return std::unique_ptr<Subprocess>(new Subprocess(pid, out, err));
}

Subprocess::~Subprocess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::remove(out_path_.c_str());
  std::remove(err_path_.c_str());
}

void Subprocess::Signal(int signo) {
  if (!exited_) kill(pid_, signo);
}

absl::StatusOr<int> Subprocess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("process ", pid_, " still running"));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

std::string Subprocess::Stdout() const { return ReadAll(out_path_); }
std::string Subprocess::Stderr() const { return ReadAll(err_path_); }

absl::Status Subprocess::WaitForStderr(const std::string& text, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const std::string err = Stderr();
    if (absl::StrContains(err, text)) return absl::OkStatus();
    siginfo_t info{};  // WNOWAIT: looks without reaping, so Wait still gets the exit code
    const bool gone = exited_ || (waitid(P_PID, static_cast<id_t>(pid_), &info,
                                         WEXITED | WNOHANG | WNOWAIT) == 0 &&
                                  info.si_pid == pid_);
    if (gone) {
      return absl::FailedPreconditionError(
          absl::StrCat("process ", pid_, " exited before printing '", text, "'; stderr: ", err));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no '", text, "' from process ", pid_, "; stderr: ", err));
    }
    absl::SleepFor(absl::Milliseconds(10));  // the poll interval, not a wait for an outcome
  }
}

absl::StatusOr<std::pair<int, std::string>> RunCommand(
    const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
    std::string* err, absl::Duration timeout) {
  auto proc = Subprocess::Start(argv, env);
  if (!proc.ok()) return proc.status();
  auto code = (*proc)->Wait(timeout);
  if (!code.ok()) return code.status();
  if (err != nullptr) *err += (*proc)->Stderr();
  return std::make_pair(*code, (*proc)->Stdout());
}

}  // namespace riskcap::testing
