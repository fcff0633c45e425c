// Tests of managers' contacts and the delivery outbox in the store (db/store_deliveries.cc), on
// both backends: validation, idempotent enqueue, leases that keep two claimers apart, attempts.
#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/utf8.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/db/workflow_test_support.h"

namespace riskcap::testing {
namespace {

Delivery MakeDelivery(int64_t source_id, const std::string& address) {
  Delivery d;
  d.source = DeliverySource::kReminder;
  d.source_id = source_id;
  d.manager_id = 1;
  d.channel = DeliveryChannel::kEmail;
  d.address = address;
  d.subject = "Margin reports pending";
  d.body = "- fund 101: overdue";
  d.message_id = absl::StrCat("<r", source_id, "@riskcap>");
  d.created_at = kT0;
  d.next_attempt_at = kT0;
  return d;
}

class DeliveryStore : public OneManagerStoreTest {};

TEST_P(DeliveryStore, ContactsRoundTripAndAreReplacedWhole) {
  ManagerContacts c;
  c.emails = {"risk@gestora.example.com", "ops@gestora.example.com"};
  c.webhook_url = "https://hooks.example.com/riskcap";
  c.webhook_secret = "0123456789abcdef0123";
  ASSERT_TRUE(store().SetManagerContacts(1, c).ok());
  auto got = store().GetManagerContacts(1);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, c);

  ManagerContacts only_one;
  only_one.emails = {"new@gestora.example.com"};
  ASSERT_TRUE(store().SetManagerContacts(1, only_one).ok());
  got = store().GetManagerContacts(1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, only_one);
}

TEST_P(DeliveryStore, RefusesBadContactsAndChangesNothing) {
  ManagerContacts good;
  good.emails = {"risk@gestora.example.com"};
  ASSERT_TRUE(store().SetManagerContacts(1, good).ok());
  ManagerContacts bad;
  bad.emails = {"risk@gestora.example.com", "not an address"};
  EXPECT_EQ(store().SetManagerContacts(1, bad).code(), kInvalid);
  ManagerContacts no_secret;
  no_secret.webhook_url = "https://hooks.example.com/x";
  EXPECT_EQ(store().SetManagerContacts(1, no_secret).code(), kInvalid);
  ManagerContacts plain_remote;
  plain_remote.webhook_url = "http://hooks.example.com/x";
  plain_remote.webhook_secret = std::string(32, 's');
  EXPECT_EQ(store().SetManagerContacts(1, plain_remote).code(), kInvalid);
  EXPECT_EQ(store().SetManagerContacts(99, good).code(), kNotFound);
  auto got = store().GetManagerContacts(1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, good);
}

TEST_P(DeliveryStore, ContactsOfManyManagersMatchEachManagersOwn) {
  SeedManager(2);
  SeedManager(3);
  ManagerContacts first;
  first.emails = {"risk@one.example.com", "ops@one.example.com", "cro@one.example.com"};
  first.webhook_url = "https://hooks.example.com/one";
  first.webhook_secret = "0123456789abcdef0123";
  ASSERT_TRUE(store().SetManagerContacts(1, first).ok());
  ManagerContacts hook_only;
  hook_only.webhook_url = "https://hooks.example.com/three";
  hook_only.webhook_secret = std::string(32, 's');
  ASSERT_TRUE(store().SetManagerContacts(3, hook_only).ok());

  // 2 has no contacts, 99 is no manager; 1 asked twice is one entry.
  auto got = store().GetManagerContactsOf({3, 99, 1, 2, 1});
  ASSERT_TRUE(got.ok()) << got.status();
  std::map<int64_t, ManagerContacts> want{
      {1, first}, {2, ManagerContacts{}}, {3, hook_only}, {99, ManagerContacts{}}};
  EXPECT_EQ(*got, want);
  for (int64_t id : {1, 2, 3, 99}) {
    auto one = store().GetManagerContacts(id);
    ASSERT_TRUE(one.ok()) << one.status();
    EXPECT_EQ(got->at(id), *one) << "manager " << id;
  }

  auto none = store().GetManagerContactsOf({});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_P(DeliveryStore, EnqueueIsIdempotentPerSourceChannelAndAddress) {
  auto first = store().EnqueueDeliveries({MakeDelivery(7, "a@x.example.com"),
                                          MakeDelivery(7, "b@x.example.com")});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  auto again = store().EnqueueDeliveries({MakeDelivery(7, "a@x.example.com"),
                                          MakeDelivery(8, "a@x.example.com")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 1);
  auto listed = store().ListDeliveries(DeliverySource::kReminder, {7, 8});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 3u);
}

TEST_P(DeliveryStore, ALeasedDeliveryIsNotClaimedAgainUntilTheLeaseExpires) {
  ASSERT_TRUE(store().EnqueueDeliveries({MakeDelivery(7, "a@x.example.com")}).ok());
  auto a = store().ClaimDeliveries("server-a", kT0, absl::Seconds(30), 10);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->size(), 1u);
  auto b = store().ClaimDeliveries("server-b", kT0 + absl::Seconds(10), absl::Seconds(30), 10);
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->empty());
  // server-a died: after its lease, server-b takes the row over and server-a may not finish it.
  b = store().ClaimDeliveries("server-b", kT0 + absl::Seconds(31), absl::Seconds(30), 10);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 1u);
  db::Store::DeliveryAttempt sent{DeliveryState::kSent, "", kT0 + absl::Seconds(32), {}};
  EXPECT_EQ(store().FinishDeliveryAttempt((*a)[0].id, "server-a", sent).code(), kPrecondition);
  ASSERT_TRUE(store().FinishDeliveryAttempt((*b)[0].id, "server-b", sent).ok());
  auto got = store().GetDelivery((*b)[0].id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->state, DeliveryState::kSent);
  EXPECT_EQ(got->attempts, 1);
  EXPECT_EQ(got->sent_at, kT0 + absl::Seconds(32));
  auto later = store().ClaimDeliveries("server-c", kT0 + absl::Hours(1), absl::Seconds(30), 10);
  ASSERT_TRUE(later.ok());
  EXPECT_TRUE(later->empty());
}

TEST_P(DeliveryStore, ATemporaryFailureWaitsForItsRetryTimeAndAFailedOneCanBeRequeued) {
  ASSERT_TRUE(store().EnqueueDeliveries({MakeDelivery(7, "a@x.example.com")}).ok());
  auto claimed = store().ClaimDeliveries("s", kT0, absl::Seconds(30), 10);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);
  const int64_t id = (*claimed)[0].id;
  db::Store::DeliveryAttempt later{DeliveryState::kPending, "451 try later", kT0,
                                   kT0 + absl::Minutes(1)};
  ASSERT_TRUE(store().FinishDeliveryAttempt(id, "s", later).ok());
  auto early = store().ClaimDeliveries("s", kT0 + absl::Seconds(59), absl::Seconds(30), 10);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
  claimed = store().ClaimDeliveries("s", kT0 + absl::Minutes(1), absl::Seconds(30), 10);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);
  db::Store::DeliveryAttempt refused{DeliveryState::kFailed, "550 no such user", kT0, kT0};
  ASSERT_TRUE(store().FinishDeliveryAttempt(id, "s", refused).ok());
  auto failed = store().GetDelivery(id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state, DeliveryState::kFailed);
  EXPECT_EQ(failed->attempts, 2);
  EXPECT_EQ(failed->last_error, "550 no such user");

  auto counts = store().CountDeliveriesByState();
  ASSERT_TRUE(counts.ok());
  std::map<DeliveryState, int64_t> by_state(counts->begin(), counts->end());
  EXPECT_EQ(by_state[DeliveryState::kFailed], 1);
  EXPECT_EQ(by_state[DeliveryState::kPending], 0);

  auto requeued = store().RequeueDelivery(id, kT0 + absl::Hours(1));
  ASSERT_TRUE(requeued.ok()) << requeued.status();
  EXPECT_EQ(requeued->state, DeliveryState::kPending);
  EXPECT_EQ(requeued->attempts, 0);
  EXPECT_EQ(store().RequeueDelivery(id, kT0).status().code(), kPrecondition);
  EXPECT_EQ(store().RequeueDelivery(id + 1000, kT0).status().code(), kNotFound);
}

// A peer's reply can hold any bytes and any length: the attempt is recorded (PostgreSQL's text
// would refuse ill-formed UTF-8), scrubbed and cut at a character boundary.
TEST_P(DeliveryStore, AnIllFormedOrHugeErrorIsRecordedScrubbedAndCut) {
  ASSERT_TRUE(store().EnqueueDeliveries({MakeDelivery(8, "b@x.example.com")}).ok());
  auto claimed = store().ClaimDeliveries("s", kT0, absl::Seconds(30), 10);
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1u);
  const int64_t id = (*claimed)[0].id;
  const std::string reply = "451 caf\xe9 " + std::string(kMaxDeliveryErrorBytes, 'x');
  db::Store::DeliveryAttempt attempt{DeliveryState::kPending, reply, kT0, kT0};
  ASSERT_TRUE(store().FinishDeliveryAttempt(id, "s", attempt).ok());
  auto got = store().GetDelivery(id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(IsValidUtf8(got->last_error));
  EXPECT_EQ(got->last_error.size(), kMaxDeliveryErrorBytes);
  EXPECT_EQ(got->last_error.substr(0, 11), "451 caf\xef\xbf\xbd ");
}

TEST_P(DeliveryStore, ConcurrentClaimersNeverShareARow) {
  std::vector<Delivery> rows;
  for (int i = 0; i < 40; ++i) rows.push_back(MakeDelivery(i, "a@x.example.com"));
  ASSERT_TRUE(store().EnqueueDeliveries(rows).ok());
  std::vector<std::vector<int64_t>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        auto c = store().ClaimDeliveries(absl::StrCat("s", t), kT0, absl::Minutes(5), 3);
        if (!c.ok()) continue;  // lock timeouts under contention just retry
        for (const Delivery& d : *c) got[t].push_back(d.id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> seen;
  size_t total = 0;
  for (const auto& ids : got) {
    total += ids.size();
    seen.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(total, seen.size()) << "a row was claimed twice";
  EXPECT_EQ(seen.size(), 40u);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(DeliveryStore);

}  // namespace
}  // namespace riskcap::testing
