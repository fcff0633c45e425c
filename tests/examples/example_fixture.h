// Test support for the client examples' tests: the real riskcapd over a fresh SQLite store with a
// key made for the scripts, a run of an example script with its output split into lines, and
// proto3 JSON lines read back into messages.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/riskcapd_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_store.h"

namespace riskcap::testing {

// What one run of an example script gave.
struct ScriptRun {
  int exit_code = -1;
  std::vector<std::string> stdout_lines;
  std::string stderr_text;
};

// Runs `argv` to completion (60 s at most) with `env` added to the environment.
inline ScriptRun RunScript(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env) {
  ScriptRun run;
  auto result = RunCommand(argv, env, &run.stderr_text, absl::Seconds(60));
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return run;
  run.exit_code = result->first;
  run.stdout_lines = absl::StrSplit(result->second, '\n', absl::SkipEmpty());
  return run;
}

// Parses one line of proto3 JSON into a `Message`, failing the test when it does not parse.
template <typename Message>
Message FromJson(const std::string& line) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(line, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << line;
  return message;
}

// The real riskcapd over a fresh SQLite store; `secret_` is a key the scripts call with.
class ExampleTest : public ::testing::Test {
 protected:
  void StartDaemon(const std::string& label) {
    auto prepared = PrepareDaemonStore(db::Backend::kSqlite, label);
    ASSERT_TRUE(prepared.ok()) << prepared.status();
    scratch_ = std::move(prepared->scratch);
    store_ = std::move(prepared->store);
    secret_ = prepared->secret;
    auto daemon = RiskcapdProcess::Start({.env = {{"RISKCAP_DB", scratch_->url()}}});
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  std::unique_ptr<ScratchDatabase> scratch_;
  std::unique_ptr<db::Store> store_;
  std::string secret_;
  std::unique_ptr<RiskcapdProcess> daemon_;  // killed on destruction, before the store goes
};

}  // namespace riskcap::testing
