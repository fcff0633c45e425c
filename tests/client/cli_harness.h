// Test support for the riskcap CLI end-to-end tests: a live in-process server with every service
// riskcapd serves, seeded with the shared registry, and a runner of the real riskcap binary.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/rpc/service_set.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_server.h"

namespace riskcap::client::cli_testing {

struct CliResult {
  int code = -1;
  std::string out, err;
};

// Rows of RFC 4180 CSV (quoted fields may hold commas, quotes and newlines).
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      rows.back().back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == ',') {
      rows.back().emplace_back();
    } else if (!quoted && c == '\n') {
      rows.emplace_back(1);
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

// Runs the real riskcap binary with `args` against the server at `address` as `token`, with no
// output format, TLS or other setting inherited from the environment.
inline CliResult RunCli(const std::vector<std::string>& args, const std::string& address,
                        const std::string& token) {
  std::vector<std::string> argv = {riskcap::testing::BinaryPath("client/riskcap")};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::map<std::string, std::string> env = {{"RISKCAP_SERVER", address},
                                                  {"RISKCAP_TOKEN", token},
                                                  {"RISKCAP_OUTPUT", ""},
                                                  {"RISKCAP_TLS_CA", ""},
                                                  {"RISKCAP_TLS_CERT", ""},
                                                  {"RISKCAP_TLS_KEY", ""}};
  CliResult result;
  auto run = riskcap::testing::RunCommand(argv, env, &result.err);
  EXPECT_TRUE(run.ok()) << run.status();
  if (run.ok()) std::tie(result.code, result.out) = *run;
  return result;
}

// CSV rows as maps from the header's column names.
inline std::vector<std::map<std::string, std::string>> CsvRecords(const std::string& text) {
  auto rows = ParseCsv(text);
  std::vector<std::map<std::string, std::string>> records;
  for (size_t r = 1; r < rows.size(); ++r) {
    std::map<std::string, std::string> record;
    for (size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c) {
      record[rows[0][c]] = rows[r][c];
    }
    records.push_back(std::move(record));
  }
  return records;
}

// A fixture over one backend: the server of riskcapd's services, keys of each role, scratch files.
class CliHarness : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(
        GetParam(), [](server::RpcEnv& env) { return server::MakeServices(env); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    riskcap::testing::SeedRegistry(server_->store());
    service_ = server_->CreateKey(Role::kService);
    analyst_ = server_->CreateKey(Role::kAnalyst);
    admin_ = server_->CreateKey(Role::kAdmin);
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("riskcap_cli_", getpid(), "_", reinterpret_cast<uintptr_t>(this));
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  CliResult Cli(const std::vector<std::string>& args, const std::string& token) {
    return RunCli(args, server_->address(), token);
  }

  // Writes `text` to `name` in the scratch directory and returns its path.
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::string service_, analyst_, admin_;
  std::filesystem::path dir_;
};

}  // namespace riskcap::client::cli_testing
