// Managers' contacts through FundService against a real server on both backends: set on update,
// validated field by field, the webhook secret never returned, audited by path in the same
// transaction as the change.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/funds/fund_service_fixture.h"

namespace riskcap::server {
namespace {

using ::testing::Contains;

class ManagerContactsTest : public FundServiceTest {
 protected:
  v1::UpdateManagerRequest Update(const std::string& request_id,
                                  std::initializer_list<const char*> paths) {
    v1::UpdateManagerRequest r;
    r.set_request_id(request_id);
    r.mutable_manager()->set_manager_id(1);
    for (const char* p : paths) r.mutable_update_mask()->add_paths(p);
    return r;
  }
};

TEST_P(ManagerContactsTest, SetsContactsAndNeverReturnsTheSecret) {
  auto r = Update("uc-1", {"contact_emails", "webhook_url", "webhook_secret"});
  r.mutable_manager()->add_contact_emails("risk@alpha.example.com");
  r.mutable_manager()->add_contact_emails("ops@alpha.example.com");
  r.mutable_manager()->set_webhook_url("https://hooks.alpha.example.com/riskcap");
  r.mutable_manager()->set_webhook_secret("a-secret-of-24-bytes-xyz");
  v1::Manager updated;
  grpc::Status st = Call(admin_, &Stub::UpdateManager, r, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_THAT(updated.contact_emails(),
              ElementsAre("risk@alpha.example.com", "ops@alpha.example.com"));
  EXPECT_EQ(updated.webhook_url(), "https://hooks.alpha.example.com/riskcap");
  EXPECT_TRUE(updated.webhook_secret().empty());
  EXPECT_TRUE(updated.webhook_secret_set());
  v1::GetManagerRequest get;
  get.set_manager_id(1);
  v1::Manager read;
  ASSERT_TRUE(Call(manager1_, &Stub::GetManager, get, &read).ok());
  EXPECT_EQ(read.contact_emails_size(), 2);
  EXPECT_TRUE(read.webhook_secret().empty());
  auto stored = server_->store().GetManagerContacts(1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->webhook_secret, "a-secret-of-24-bytes-xyz");

  // A new URL keeps the stored secret; the audit names the paths, never the values.
  auto move = Update("uc-2", {"webhook_url"});
  move.mutable_manager()->set_webhook_url("https://hooks2.alpha.example.com/riskcap");
  ASSERT_TRUE(Call(admin_, &Stub::UpdateManager, move, &updated).ok());
  EXPECT_TRUE(updated.webhook_secret_set());
  auto audit = server_->store().ListAudit({0, 100});
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> details;
  for (const AuditRecord& a : *audit) {
    details.push_back(absl::StrCat(a.method, " ", a.outcome, " ", a.detail));
    EXPECT_FALSE(absl::StrContains(a.detail, "a-secret")) << a.detail;
  }
  EXPECT_THAT(details,
              ElementsAre("FundService/UpdateManager OK manager=1 "
                          "fields=contact_emails,webhook_url,webhook_secret",
                          "FundService/UpdateManager OK manager=1 fields=webhook_url"));
}

TEST_P(ManagerContactsTest, EveryBadContactIsAViolationNamingItsFieldAndChangesNothing) {
  auto r = Update("uc-bad", {"contact_emails", "webhook_url", "webhook_secret"});
  r.mutable_manager()->add_contact_emails("risk@alpha.example.com");
  r.mutable_manager()->add_contact_emails("not an address");
  r.mutable_manager()->add_contact_emails(std::string(250, 'a') + "@x.example.com");
  r.mutable_manager()->add_contact_emails("risk@alpha.example.com");
  r.mutable_manager()->add_contact_emails("evil@example.com\r\nBcc: x@example.com");
  r.mutable_manager()->set_webhook_url("http://hooks.example.com/plain");
  r.mutable_manager()->set_webhook_secret("short");
  grpc::Status st = Call(admin_, &Stub::UpdateManager, r);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st),
              UnorderedElementsAre("manager.contact_emails[1]", "manager.contact_emails[2]",
                                   "manager.contact_emails[3]", "manager.contact_emails[4]",
                                   "manager.webhook_url", "manager.webhook_secret"));
  auto url_only = Update("uc-nosecret", {"webhook_url"});
  url_only.mutable_manager()->set_webhook_url("https://hooks.example.com/x");
  st = Call(admin_, &Stub::UpdateManager, url_only);
  EXPECT_EQ(st.error_code(), Code::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(st), ElementsAre("manager.webhook_secret"));
  auto too_many = Update("uc-many", {"contact_emails"});
  for (int i = 0; i < 11; ++i) {
    too_many.mutable_manager()->add_contact_emails(absl::StrCat("r", i, "@alpha.example.com"));
  }
  EXPECT_THAT(ViolatedFields(Call(admin_, &Stub::UpdateManager, too_many)),
              Contains("manager.contact_emails"));
  auto stored = server_->store().GetManagerContacts(1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, ManagerContacts{});
  // Only an ADMIN changes contacts.
  auto ok = Update("uc-analyst", {"contact_emails"});
  ok.mutable_manager()->add_contact_emails("risk@alpha.example.com");
  EXPECT_EQ(Call(analyst_, &Stub::UpdateManager, ok).error_code(), Code::PERMISSION_DENIED);
}

TEST_P(ManagerContactsTest, ListManagersGivesEachManagerItsOwnContactsAsGetManagerDoes) {
  auto r = Update("uc-list", {"contact_emails", "webhook_url", "webhook_secret"});
  r.mutable_manager()->add_contact_emails("risk@alpha.example.com");
  r.mutable_manager()->add_contact_emails("ops@alpha.example.com");
  r.mutable_manager()->set_webhook_url("https://hooks.alpha.example.com/riskcap");
  r.mutable_manager()->set_webhook_secret("a-secret-of-24-bytes-xyz");
  ASSERT_TRUE(Call(admin_, &Stub::UpdateManager, r).ok());
  v1::ListManagersResponse list;
  ASSERT_TRUE(Call(analyst_, &Stub::ListManagers, v1::ListManagersRequest(), &list).ok());
  ASSERT_EQ(list.managers_size(), 2);  // 1 with contacts, 2 without
  EXPECT_EQ(list.managers(0).contact_emails_size(), 2);
  EXPECT_EQ(list.managers(1).contact_emails_size(), 0);
  for (const v1::Manager& listed : list.managers()) {
    EXPECT_TRUE(listed.webhook_secret().empty());
    v1::GetManagerRequest get;
    get.set_manager_id(listed.manager_id());
    v1::Manager got;
    ASSERT_TRUE(Call(analyst_, &Stub::GetManager, get, &got).ok());
    EXPECT_EQ(listed.SerializeAsString(), got.SerializeAsString()) << listed.DebugString();
  }
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(ManagerContactsTest);

}  // namespace
}  // namespace riskcap::server
