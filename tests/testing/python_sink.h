// Test support: the Python receivers of tests/testing (smtp_sink.py, a real SMTP server, and
// webhook_sink.py, an HTTP receiver that verifies signatures), run as child processes on a free
// port, and a way to wait on a condition.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait.h"

namespace riskcap::testing {

// A sink from tests/testing on a free port, recording into a directory of its own (removed with
// it). Not thread-safe.
class PythonSink {
 public:
  // Starts `script` with `args` and waits until it prints its port; null (with a test failure
  // recorded) when it does not start.
  static std::unique_ptr<PythonSink> Start(const std::string& script,
                                           std::vector<std::string> args);
  ~PythonSink();
  int port() const { return port_; }
  // The recorded files whose name starts with `prefix` (complete ones only), by name.
  std::map<std::string, std::string> Files(const std::string& prefix) const;

 private:
  PythonSink() = default;
  std::string dir_;
  int port_ = 0;
  std::unique_ptr<Subprocess> process_;
};

// The value of header `name` in an e-mail message as a sink recorded it ("" when absent).
std::string MailHeader(const std::string& message, const std::string& name);

}  // namespace riskcap::testing
