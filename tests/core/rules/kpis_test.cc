// The status KPIs from grouped fund counts (core/rules/kpis.cc): every group counted under each
// status it has, the identities of docs/kpis.md, and the rates unset when no fund is monitored.
#include "core/rules/kpis.h"

#include "gtest/gtest.h"

namespace riskcap::rules {
namespace {

StatusGroup Group(ConsolidatedExposure exposure, DeadlineStatus deadline,
                  ValidationStatus validation, LimitStatus limit, bool stale, int64_t funds,
                  RegulatoryClass cls = RegulatoryClass::kMultimercado) {
  return {cls, exposure, deadline, validation, limit, stale, funds};
}

TEST(StatusKpis, EachGroupCountsUnderEveryStatusItHas) {
  const std::vector<StatusGroup> groups = {
      Group(ConsolidatedExposure::kOtc, DeadlineStatus::kOnTime,
            ValidationStatus::kReceivedValidated, LimitStatus::kWithinLimit, false, 5),
      Group(ConsolidatedExposure::kOtc, DeadlineStatus::kOverdue,
            ValidationStatus::kReceivedNotValidated, LimitStatus::kWarning, true, 2,
            RegulatoryClass::kAcoes),
      Group(ConsolidatedExposure::kOffshore, DeadlineStatus::kNeverSubmitted,
            ValidationStatus::kNotReceived, LimitStatus::kNotApplicable, false, 3,
            RegulatoryClass::kFidc),
      Group(ConsolidatedExposure::kOffshore, DeadlineStatus::kOnTime,
            ValidationStatus::kReceivedValidated, LimitStatus::kBreach, false, 1),
      Group(ConsolidatedExposure::kOtc, DeadlineStatus::kOnTime,
            ValidationStatus::kReceivedValidated, LimitStatus::kCritical, true, 1),
  };
  const StatusKpis k = CountStatusKpis(groups);
  EXPECT_EQ(k.monitored, 12);
  EXPECT_EQ(k.otc, 8);
  EXPECT_EQ(k.offshore, 4);
  EXPECT_EQ(k.on_time, 7);
  EXPECT_EQ(k.overdue, 2);
  EXPECT_EQ(k.never_submitted, 3);
  EXPECT_EQ(k.validated, 7);
  EXPECT_EQ(k.not_validated, 2);
  EXPECT_EQ(k.not_received, 3);
  EXPECT_EQ(k.received(), 9);
  EXPECT_EQ(k.within_limit, 5);
  EXPECT_EQ(k.warning, 2);
  EXPECT_EQ(k.breach, 1);
  EXPECT_EQ(k.critical, 1);  // the 3 NOT_APPLICABLE funds are in no limit count
  EXPECT_EQ(k.stale, 3);
  EXPECT_EQ(k.per_class[static_cast<size_t>(RegulatoryClass::kMultimercado)], 7);
  EXPECT_EQ(k.per_class[static_cast<size_t>(RegulatoryClass::kAcoes)], 2);
  EXPECT_EQ(k.per_class[static_cast<size_t>(RegulatoryClass::kFidc)], 3);
  // The identities docs/kpis.md states.
  EXPECT_EQ(k.received() + k.not_received, k.monitored);
  EXPECT_EQ(k.on_time + k.overdue + k.never_submitted, k.monitored);
  EXPECT_EQ(k.otc + k.offshore, k.monitored);
  ASSERT_TRUE(k.on_time_rate().has_value());
  EXPECT_DOUBLE_EQ(*k.on_time_rate(), 7.0 / 12.0);
  EXPECT_DOUBLE_EQ(*k.validation_rate(), 7.0 / 12.0);
  EXPECT_DOUBLE_EQ(*k.otc_share(), 8.0 / 12.0);
}

TEST(StatusKpis, RatesAreUnsetWhenNoFundIsMonitored) {
  const StatusKpis k = CountStatusKpis({});
  EXPECT_EQ(k.monitored, 0);
  EXPECT_FALSE(k.on_time_rate().has_value());
  EXPECT_FALSE(k.validation_rate().has_value());
  EXPECT_FALSE(k.otc_share().has_value());
}

}  // namespace
}  // namespace riskcap::rules
