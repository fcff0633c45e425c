// riskcap key end to end, on both backends: create, list, revoke, and a revoked key refused.
#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "tests/client/cli_harness.h"
#include "tests/testing/test_store.h"

namespace riskcap::client::cli_testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using Json = nlohmann::json;

class CliKeyTest : public CliHarness {};

TEST_P(CliKeyTest, CreateListRevokeThenTheKeyIsRefused) {
  CliResult created = Cli({"key", "create", "--role", "manager", "--manager", "1", "--label",
                           "alpha-ops", "-o", "json"},
                          admin_);
  ASSERT_EQ(created.code, 0) << created.err;
  Json response = Json::parse(created.out);
  std::string secret = response["secret"];
  int64_t id = response["api_key"]["api_key_id"];
  EXPECT_FALSE(secret.empty());
  EXPECT_EQ(response["api_key"]["role"], "MANAGER");
  EXPECT_EQ(response["api_key"]["manager_id"], 1);
  EXPECT_EQ(response["api_key"]["label"], "alpha-ops");

  // The new key works: a MANAGER sees its own funds only.
  CliResult funds = Cli({"fund", "list", "-o", "csv"}, secret);
  ASSERT_EQ(funds.code, 0) << funds.err;
  for (auto& row : CsvRecords(funds.out)) EXPECT_EQ(row["manager_id"], "1");

  CliResult listed = Cli({"key", "list", "--manager", "1", "-o", "csv"}, admin_);
  ASSERT_EQ(listed.code, 0) << listed.err;
  auto rows = CsvRecords(listed.out);
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0]["api_key_id"], absl::StrCat(id));
  EXPECT_EQ(rows[0]["label"], "alpha-ops");
  EXPECT_EQ(rows[0]["revoke_time"], "");
  EXPECT_EQ(rows[0].count("secret"), 0u);  // never shown again

  CliResult revoked = Cli({"key", "revoke", absl::StrCat(id), "-o", "json"}, admin_);
  ASSERT_EQ(revoked.code, 0) << revoked.err;
  EXPECT_FALSE(Json::parse(revoked.out)["revoke_time"].is_null());
  CliResult refused = Cli({"fund", "list"}, secret);
  EXPECT_EQ(refused.code, 5);
  EXPECT_THAT(refused.err, HasSubstr("riskcap: unauthenticated: "));
  EXPECT_EQ(Cli({"key", "revoke", absl::StrCat(id)}, admin_).code, 7);  // already revoked
  EXPECT_THAT(CsvRecords(Cli({"key", "list", "--manager", "1", "-o", "csv"}, admin_).out),
              SizeIs(0));
  EXPECT_THAT(
      CsvRecords(Cli({"key", "list", "--manager", "1", "--revoked", "-o", "csv"}, admin_).out),
      SizeIs(1));
}

TEST_P(CliKeyTest, TableShowsTheSecretOnceAndErrorsHaveTheirCodes) {
  CliResult created = Cli({"key", "create", "--role", "ANALYST"}, admin_);
  ASSERT_EQ(created.code, 0) << created.err;
  EXPECT_THAT(created.out,
              AllOf(HasSubstr("api_key_id"), HasSubstr("secret"), HasSubstr("ANALYST")));
  CliResult no_manager = Cli({"key", "create", "--role", "MANAGER"}, admin_);
  EXPECT_EQ(no_manager.code, 3) << no_manager.err;
  EXPECT_THAT(no_manager.err, HasSubstr("manager_id"));
  EXPECT_EQ(Cli({"key", "create", "--role", "ROOT"}, admin_).code, 2);
  EXPECT_EQ(Cli({"key", "list"}, analyst_).code, 5);  // ADMIN only
  EXPECT_EQ(Cli({"key", "revoke", "999999"}, admin_).code, 4);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(CliKeyTest);

}  // namespace
}  // namespace riskcap::client::cli_testing
