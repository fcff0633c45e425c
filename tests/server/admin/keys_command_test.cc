// `riskcapd keys create` and the key issuing behind it, on both backends.
#include "server/admin/keys_command.h"

#include <sstream>

#include <CLI/CLI.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "core/field_errors.h"
#include "server/rpc/auth.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/test_store.h"

namespace riskcap::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'795'000'000);

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const FieldViolation& v : FieldViolationsOf(status)) fields.push_back(v.field);
  return fields;
}

class KeysCommandTest : public riskcap::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    riskcap::testing::SeedRegistry(store());
  }

  // Parses `args` after "riskcapd" as riskcapd does (server flags may follow a subcommand) and
  // runs `keys create`; captures stdout and stderr.
  int Run(const std::string& args) {
    CLI::App app;
    std::string db_url;
    app.add_option("--db", db_url);
    app.fallthrough();
    KeysCommand command;
    AddKeysCommand(app, &command);
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      return app.exit(e, out_, err_);
    }
    EXPECT_TRUE(command.create->parsed());
    return RunKeysCreate(command, store(), kNow, out_, err_);
  }

  std::ostringstream out_, err_;
};

TEST_P(KeysCommandTest, CreatesAnAdminKeyStoredOnlyAsItsHash) {
  auto secret = CreateKeyOffline(store(), Role::kAdmin, std::nullopt, "bootstrap", kNow);
  ASSERT_TRUE(secret.ok()) << secret.status();
  auto key = store().FindApiKeyByHash(HashApiKeySecret(*secret));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->role, Role::kAdmin);
  EXPECT_EQ(key->label, "bootstrap");
  EXPECT_EQ(key->created_by, "cli:local");
  EXPECT_EQ(key->created_at, kNow);
  EXPECT_FALSE(key->manager_id.has_value());
  EXPECT_FALSE(key->revoked_at.has_value());
  auto audit = store().ListAudit({0, 10});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].principal, "cli:local");
  EXPECT_EQ((*audit)[0].method, "riskcapd keys create");
  EXPECT_EQ((*audit)[0].detail, absl::StrCat("api_key=", key->id, " role=ADMIN"));
}

TEST_P(KeysCommandTest, ManagerKeysNeedAnExistingManager) {
  auto scoped = CreateKeyOffline(store(), Role::kManager, 2, "beta", kNow);
  ASSERT_TRUE(scoped.ok()) << scoped.status();
  EXPECT_EQ(store().FindApiKeyByHash(HashApiKeySecret(*scoped))->manager_id, 2);
  auto unscoped = CreateKeyOffline(store(), Role::kManager, std::nullopt, "beta", kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(unscoped.status()));
  EXPECT_THAT(Fields(unscoped.status()), ElementsAre("manager_id"));
  auto unknown = CreateKeyOffline(store(), Role::kManager, 99, "ghost", kNow);
  EXPECT_THAT(Fields(unknown.status()), ElementsAre("manager_id"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("manager 99 does not exist"));
  auto misplaced = CreateKeyOffline(store(), Role::kAnalyst, 1, "ana", kNow);
  EXPECT_THAT(Fields(misplaced.status()), ElementsAre("manager_id"));
  auto unlabelled = CreateKeyOffline(store(), Role::kAnalyst, std::nullopt, "", kNow);
  EXPECT_THAT(Fields(unlabelled.status()), ElementsAre("label"));
}

TEST_P(KeysCommandTest, CommandPrintsOnlyTheSecret) {
  ASSERT_EQ(Run("keys create --role admin --label ops"), 0) << err_.str();
  std::string printed = out_.str();
  ASSERT_FALSE(printed.empty());
  EXPECT_EQ(printed.back(), '\n');
  std::string secret = printed.substr(0, printed.size() - 1);
  EXPECT_EQ(secret.find_first_of(" \n\t"), std::string::npos);
  EXPECT_EQ(err_.str(), "");
  auto key = store().FindApiKeyByHash(HashApiKeySecret(secret));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->role, Role::kAdmin);
  EXPECT_EQ(key->label, "ops");
}

TEST_P(KeysCommandTest, CommandScopesManagerKeys) {
  ASSERT_EQ(Run("keys create --role MANAGER --manager-id 1 --db sqlite:unused"), 0) << err_.str();
  std::string secret = out_.str().substr(0, out_.str().size() - 1);
  auto key = store().FindApiKeyByHash(HashApiKeySecret(secret));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->manager_id, 1);
  EXPECT_EQ(key->label, "operator");  // the default
}

TEST_P(KeysCommandTest, CommandRefusesBadArgumentsWithoutPrintingASecret) {
  EXPECT_EQ(Run("keys create --role ROOT"), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--role"));
  EXPECT_EQ(Run("keys create --role MANAGER"), 2);
  EXPECT_THAT(err_.str(), HasSubstr("manager_id"));
  EXPECT_NE(Run("keys create --role MANAGER --manager-id -3"), 0);
  EXPECT_NE(Run("keys create"), 0);  // --role is required
  EXPECT_EQ(out_.str(), "");
  auto keys = store().ListApiKeys({0, 10});
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(KeysCommandTest);

}  // namespace
}  // namespace riskcap::server
