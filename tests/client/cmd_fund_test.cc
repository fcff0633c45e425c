// riskcap manager / fund commands end to end: the real binary against a live server.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rpc/service_set.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_server.h"

namespace riskcap::client {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWebhookSecret[] = "webhook-secret-0123456789";

class CliFundTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    auto server = riskcap::testing::TestServer::Start(
        GetParam(), [](server::RpcEnv& env) { return server::MakeServices(env); });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    admin_ = server_->CreateKey(Role::kAdmin);
  }

  // Runs `riskcap args...` as the admin; returns {exit code, stdout}, stderr into `err`.
  std::pair<int, std::string> Run(std::vector<std::string> args, std::string* err = nullptr) {
    args.insert(args.begin(), riskcap::testing::BinaryPath("client/riskcap"));
    auto result = riskcap::testing::RunCommand(
        args, {{"RISKCAP_SERVER", server_->address()}, {"RISKCAP_TOKEN", admin_}}, err);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : std::make_pair(-1, std::string());
  }

  // Registers manager 7 and writes the webhook secret to a file of its own; its path.
  std::string CreateManagerAndSecretFile() {
    auto [code, out] = Run({"manager", "create", "--id", "7", "--name", "Alpha Gestora",
                            "--tax-id", "11444777000161"});
    EXPECT_EQ(code, 0) << out;
    secret_file_ = std::filesystem::temp_directory_path() /
                   absl::StrCat("riskcap_cli_fund_", getpid(), "_",
                                reinterpret_cast<uintptr_t>(this), ".secret");
    std::ofstream(secret_file_) << kWebhookSecret << "\n";
    return secret_file_.string();
  }

  void TearDown() override {
    if (!secret_file_.empty()) std::filesystem::remove(secret_file_);
  }

  // Sets manager 7's contacts through the CLI; {exit code, stdout}, stderr into `err`.
  std::pair<int, std::string> UpdateContacts(const std::string& secret_file,
                                             const std::vector<std::string>& format,
                                             std::string* err) {
    std::vector<std::string> args = {
        "manager", "update", "7", "--email", "risk@alpha.example.com", "--email",
        "ops@alpha.example.com", "--webhook-url", "https://hooks.alpha.example.com/riskcap",
        "--webhook-secret-file", secret_file};
    args.insert(args.end(), format.begin(), format.end());
    return Run(args, err);
  }

  std::unique_ptr<riskcap::testing::TestServer> server_;
  std::string admin_;
  std::filesystem::path secret_file_;
};

// The manager with `id` in `manager list -o json`'s array (null when absent).
Json ListedManager(const std::string& out, int64_t id) {
  for (const Json& m : Json::parse(out)) {
    if (m.at("manager_id") == id) return m;
  }
  return Json();
}

TEST_P(CliFundTest, RegistersAManagerAndAFundAndReadsThemBack) {
  auto [code, out] = Run({"manager", "create", "--id", "7", "--name", "Alpha Gestora", "--tax-id",
                          "11444777000161", "-o", "json"});
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(Json::parse(out)["name"], "Alpha Gestora");
  std::tie(code, out) = Run({"fund", "create", "--id", "101", "--name", "Alpha Macro FIM",
                             "--tax-id", "11222333000181", "--manager", "7", "--class",
                             "multimercado", "--audience", "QUALIFIED", "--cap", "0.5"});
  ASSERT_EQ(code, 0) << out;
  std::tie(code, out) = Run({"fund", "get", "101", "-o", "json"});
  ASSERT_EQ(code, 0);
  Json fund = Json::parse(out);
  EXPECT_EQ(fund["manager_id"], 7);
  EXPECT_EQ(fund["regulatory_class"], "MULTIMERCADO");
  EXPECT_EQ(fund["target_audience"], "QUALIFIED");
  EXPECT_DOUBLE_EQ(fund["bylaws_margin_cap"].get<double>(), 0.5);
  EXPECT_EQ(fund["active"], true);
  std::tie(code, out) = Run({"fund", "list", "--manager", "7", "-o", "csv"});
  ASSERT_EQ(code, 0);
  EXPECT_EQ(out.rfind("fund_id,name,", 0), 0u) << out;
  EXPECT_NE(out.find("\n101,Alpha Macro FIM,11222333000181,7,"), std::string::npos) << out;
}

TEST_P(CliFundTest, BadCnpjNamesTheFieldAndExitsWithInvalidInput) {
  std::string err;
  auto [code, out] = Run({"manager", "create", "--id", "8", "--name", "Beta", "--tax-id",
                          "11444777000160"}, &err);
  EXPECT_EQ(code, 3) << err;
  EXPECT_NE(err.find("tax_id"), std::string::npos) << err;
  std::tie(code, out) = Run({"fund", "get", "999"}, &err);
  EXPECT_EQ(code, 4);
}

TEST_P(CliFundTest, UpdatePrintsTheContactsAndListShowsThemButNeverTheSecret) {
  const std::string secret_file = CreateManagerAndSecretFile();
  std::string err;
  auto [code, out] = Run({"manager", "create", "--id", "8", "--name", "Beta Gestora", "--tax-id",
                          "11222333000181"}, &err);
  ASSERT_EQ(code, 0) << err;
  std::tie(code, out) = UpdateContacts(secret_file, {"-o", "json"}, &err);
  ASSERT_EQ(code, 0) << err;
  Json updated = Json::parse(out);
  EXPECT_EQ(updated.at("contact_emails"),
            Json::array({"risk@alpha.example.com", "ops@alpha.example.com"}));
  EXPECT_EQ(updated.at("webhook_url"), "https://hooks.alpha.example.com/riskcap");
  EXPECT_EQ(updated.at("webhook_secret_set"), true);

  std::tie(code, out) = Run({"manager", "list", "-o", "json"}, &err);
  ASSERT_EQ(code, 0) << err;
  const Json listed = ListedManager(out, 7);
  ASSERT_FALSE(listed.is_null()) << out;
  EXPECT_EQ(listed, updated);
  EXPECT_THAT(out, Not(HasSubstr(kWebhookSecret)));
  // A manager without contacts: no addresses, no webhook.
  const Json beta = ListedManager(out, 8);
  ASSERT_FALSE(beta.is_null()) << out;
  EXPECT_EQ(beta.at("contact_emails"), Json::array());
  EXPECT_TRUE(beta.at("webhook_url").is_null()) << beta;
  EXPECT_EQ(beta.at("webhook_secret_set"), false) << beta;

  std::tie(code, out) = Run({"manager", "list", "-o", "csv"}, &err);
  ASSERT_EQ(code, 0) << err;
  EXPECT_EQ(out.rfind("manager_id,name,tax_id,contact_emails,webhook_url,webhook_secret_set\n", 0),
            0u)
      << out;
  EXPECT_THAT(out, HasSubstr("\n7,Alpha Gestora,11444777000161,"));
  EXPECT_THAT(out, HasSubstr("risk@alpha.example.com"));
  EXPECT_THAT(out, HasSubstr("ops@alpha.example.com"));
  EXPECT_THAT(out, HasSubstr(",https://hooks.alpha.example.com/riskcap,true\n"));
  EXPECT_THAT(out, Not(HasSubstr(kWebhookSecret)));

  std::tie(code, out) = Run({"manager", "list"}, &err);  // for people
  ASSERT_EQ(code, 0) << err;
  EXPECT_THAT(out, HasSubstr("CONTACT_EMAILS"));
  EXPECT_THAT(out, HasSubstr("risk@alpha.example.com; ops@alpha.example.com"));
  EXPECT_THAT(out, HasSubstr("https://hooks.alpha.example.com/riskcap"));
  EXPECT_THAT(out, Not(HasSubstr(kWebhookSecret)));

  std::tie(code, out) = UpdateContacts(secret_file, {}, &err);  // the record, for people
  ASSERT_EQ(code, 0) << err;
  EXPECT_THAT(out, HasSubstr("risk@alpha.example.com; ops@alpha.example.com"));
  EXPECT_THAT(out + err, Not(HasSubstr(kWebhookSecret)));
}

TEST_P(CliFundTest, ABadContactAddressExitsWithInvalidInputNamingItAndChangesNothing) {
  const std::string secret_file = CreateManagerAndSecretFile();
  std::string err;
  auto [code, out] = UpdateContacts(secret_file, {"-o", "json"}, &err);
  ASSERT_EQ(code, 0) << err;
  std::tie(code, out) = Run({"manager", "list", "-o", "json"}, &err);
  ASSERT_EQ(code, 0) << err;
  const Json before = ListedManager(out, 7);

  std::tie(code, out) =
      Run({"manager", "update", "7", "--email", "not an address", "--email", "ok@beta.example.com"},
          &err);
  EXPECT_EQ(code, 3) << err;
  EXPECT_THAT(err, HasSubstr("contact_emails[0]"));
  EXPECT_THAT(err, Not(HasSubstr("contact_emails[1]"))) << "only the bad address is named";
  EXPECT_TRUE(out.empty()) << out;
  std::tie(code, out) = Run({"manager", "update", "7", "--webhook-url", "ftp://hooks.example.com"},
                            &err);
  EXPECT_EQ(code, 3) << err;
  EXPECT_THAT(err, HasSubstr("webhook_url"));

  std::tie(code, out) = Run({"manager", "list", "-o", "json"}, &err);
  ASSERT_EQ(code, 0) << err;
  EXPECT_EQ(ListedManager(out, 7), before) << "a refused update changes nothing";
}

// Text that is not UTF-8 can sit in a SQLite store (written before feeds were checked, or by
// hand); it is repaired where rows are read (db/internal/row_reader.cc), so every read still answers.
// PostgreSQL refuses such text when it is written.
TEST_P(CliFundTest, Latin1NamesInTheStoreDoNotBreakReads) {
  db::Store& store = server_->store();
  const std::string latin1 = "A\xe7\xf5" "es";  // "Ações" in Latin-1
  const std::string shown = "A\xef\xbf\xbd\xef\xbf\xbd" "es";
  auto manager = store.CreateManager({8, latin1 + " Gestora", "11444777000161"});
  if (GetParam() == db::Backend::kPostgresql) {
    EXPECT_FALSE(manager.ok()) << "PostgreSQL stores only valid UTF-8";
    return;
  }
  ASSERT_TRUE(manager.ok()) << manager.status();
  Fund fund;
  fund.id = 102;
  fund.name = latin1 + " FIA";
  fund.tax_id = "11222333000181";
  fund.manager_id = 8;
  ASSERT_TRUE(store.CreateFund(fund).ok());
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"fund", "list", "-o", "json"},
        std::vector<std::string>{"fund", "get", "102", "-o", "json"},
        std::vector<std::string>{"manager", "list", "-o", "json"}}) {
    std::string err;
    auto [code, out] = Run(command, &err);
    ASSERT_EQ(code, 0) << command[0] << " " << command[1] << ": " << err;
    EXPECT_NE(out.find(shown), std::string::npos) << out;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CliFundTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgresql),
                         riskcap::testing::BackendTestName);

}  // namespace
}  // namespace riskcap::client
