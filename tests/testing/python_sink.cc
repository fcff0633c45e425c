// The Python sinks as child processes.
#include "tests/testing/python_sink.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace riskcap::testing {

namespace fs = std::filesystem;

std::unique_ptr<PythonSink> PythonSink::Start(const std::string& script,
                                              std::vector<std::string> args) {
  auto sink = std::unique_ptr<PythonSink>(new PythonSink);
  char tmpl[] = "/tmp/riskcap-sink-XXXXXX";
  sink->dir_ = mkdtemp(tmpl);
  std::vector<std::string> argv = {"/usr/bin/python3",
                                   std::string(RISKCAP_SOURCE_DIR) + "/tests/testing/" + script,
                                   "--dir", sink->dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  auto process = Subprocess::Start(argv);
  EXPECT_TRUE(process.ok()) << process.status();
  if (!process.ok()) return nullptr;
  sink->process_ = std::move(*process);
  WaitFor(
      [&] {
        const std::string out = sink->process_->Stdout();
        const size_t at = out.find("port ");
        if (at == std::string::npos || out.find('\n', at) == std::string::npos) return false;
        sink->port_ = std::atoi(out.c_str() + at + 5);
        return true;
      },
      absl::Seconds(10));
  EXPECT_GT(sink->port_, 0) << sink->process_->Stderr();
  return sink->port_ > 0 ? std::move(sink) : nullptr;
}

PythonSink::~PythonSink() {
  process_.reset();
  fs::remove_all(dir_);
}

std::map<std::string, std::string> PythonSink::Files(const std::string& prefix) const {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename();
    if (!absl::StartsWith(name, prefix) || absl::EndsWith(name, ".tmp")) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    out[name] = text.str();
  }
  return out;
}

std::string MailHeader(const std::string& message, const std::string& name) {
  const size_t at = message.find(name + ": ");
  if (at == std::string::npos) return "";
  const size_t begin = at + name.size() + 2;
  return message.substr(begin, message.find_first_of("\r\n", begin) - begin);
}

}  // namespace riskcap::testing
