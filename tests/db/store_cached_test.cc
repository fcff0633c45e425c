// The store's cached look-ups (db/store_cached.cc): changes through the same store show at once,
// changes through another store (another process) within Store::kLookupTtl; on both backends.
#include "absl/time/clock.h"
#include "db/internal/lookup_cache.h"
#include "db/store.h"
#include "gtest/gtest.h"
#include "tests/testing/test_store.h"

namespace riskcap::db {
namespace {

class StoreCachedTest : public riskcap::testing::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    ASSERT_TRUE(store().CreateManager({1, "Alpha Gestora", "11111111000191"}).ok());
    fund_.id = 101;
    fund_.name = "Fund 101";
    fund_.tax_id = "11444777000161";
    fund_.manager_id = 1;
    fund_.regulatory_class = RegulatoryClass::kMultimercado;
    fund_.target_audience = TargetAudience::kGeneral;
    fund_.active = true;
    ASSERT_TRUE(store().CreateFund(fund_).ok());
    ApiKey key;
    key.label = "bench";
    key.role = Role::kService;
    key.secret_hash = std::string(64, 'b');
    key.created_at = absl::FromUnixSeconds(1'700'000'000);
    key.created_by = "cli:local";
    auto created = store().CreateApiKey(key);
    ASSERT_TRUE(created.ok()) << created.status();
    key_ = *created;
  }

  Fund fund_;
  ApiKey key_;
};

TEST_P(StoreCachedTest, RevocationThroughThisStoreShowsAtOnce) {
  auto before = store().FindApiKeyByHashCached(key_.secret_hash);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(before->revoked_at.has_value());
  ASSERT_TRUE(store().RevokeApiKey(key_.id, absl::FromUnixSeconds(1'700'000'100)).ok());
  auto after = store().FindApiKeyByHashCached(key_.secret_hash);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->revoked_at.has_value());
}

TEST_P(StoreCachedTest, UnknownKeysAndFundsAreNotCached) {
  EXPECT_TRUE(absl::IsNotFound(store().FindApiKeyByHashCached(std::string(64, 'c')).status()));
  EXPECT_TRUE(absl::IsNotFound(store().GetFundCached(102).status()));
  Fund other = fund_;
  other.id = 102;
  other.tax_id = "33555777000171";
  ASSERT_TRUE(store().CreateFund(other).ok());
  EXPECT_TRUE(store().GetFundCached(102).ok());
}

TEST_P(StoreCachedTest, FundUpdateThroughThisStoreShowsAtOnce) {
  ASSERT_TRUE(store().GetFundCached(101).value().active);
  Fund inactive = fund_;
  inactive.active = false;
  ASSERT_TRUE(store().UpdateFund(inactive).ok());
  EXPECT_FALSE(store().GetFundCached(101).value().active);
}

TEST_P(StoreCachedTest, ExposureLoadThroughThisStoreShowsAtOnce) {
  Date today(2026, 11, 24);
  auto none = store().GetLatestExposureCached(101, today);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  FundExposure otc;
  otc.fund_id = 101;
  otc.position_date = Date(2026, 11, 23);
  otc.otc = true;
  otc.otc_option_count = 1;
  NewVersion load{otc.position_date, "h", std::nullopt, std::nullopt, "test"};
  ASSERT_TRUE(store().WriteExposure(load, {otc}).ok());
  auto latest = store().GetLatestExposureCached(101, today);
  ASSERT_TRUE(latest.ok()) << latest.status();
  ASSERT_TRUE(latest->has_value());
  EXPECT_TRUE((*latest)->otc);
}

// Another Store on the same database stands for another process (a second riskcapd, `riskcapd
// keys`): its changes are not seen at once, but within Store::kLookupTtl.
TEST_P(StoreCachedTest, ChangesByAnotherProcessShowWithinTheTtl) {
  auto other = Store::Open(scratch_->url(), 1);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(store().FindApiKeyByHashCached(key_.secret_hash).ok());
  ASSERT_TRUE(store().GetFundCached(101).value().active);
  ASSERT_TRUE((*other)->RevokeApiKey(key_.id, absl::FromUnixSeconds(1'700'000'100)).ok());
  Fund inactive = fund_;
  inactive.active = false;
  ASSERT_TRUE((*other)->UpdateFund(inactive).ok());
  EXPECT_FALSE(store().FindApiKeyByHashCached(key_.secret_hash)->revoked_at.has_value());
  EXPECT_TRUE(store().GetFundCached(101)->active);
  absl::SleepFor(Store::kLookupTtl + absl::Milliseconds(50));
  EXPECT_TRUE(store().FindApiKeyByHashCached(key_.secret_hash)->revoked_at.has_value());
  EXPECT_FALSE(store().GetFundCached(101)->active);
}

RISKCAP_INSTANTIATE_ON_BOTH_BACKENDS(StoreCachedTest);

}  // namespace
}  // namespace riskcap::db
