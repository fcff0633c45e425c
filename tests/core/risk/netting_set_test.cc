// Tests for core/risk/netting_set.{h,cc}: text<->enum parsing and input validation.
#include "core/risk/netting_set.h"

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::risk {
namespace {

using ::testing::HasSubstr;

TEST(NettingSetParse, AcceptsCanonicalNamesAndRoundTrips) {
  EXPECT_EQ(ParseAssetClass("IR").value(), AssetClass::kInterestRate);
  EXPECT_EQ(ParseAssetClass("OTHER").value(), AssetClass::kOther);
  EXPECT_EQ(ParseDirection("SHORT").value(), Direction::kShort);
  EXPECT_EQ(ParseOptionType("PUT").value(), OptionType::kPut);
  EXPECT_EQ(ParseCreditRating("BBB").value(), CreditRating::kBBB);
  EXPECT_EQ(ParseCreditRating("SG").value(), CreditRating::kSG);
  EXPECT_EQ(ParseCommoditySet("AGRICULTURAL").value(), CommoditySet::kAgricultural);
  for (std::string_view name : EnumNames<CreditRating>::kNames) {
    EXPECT_EQ(EnumName(ParseCreditRating(name).value()), name);
  }
}

TEST(NettingSetParse, RejectsUnknownNamesListingTheAcceptedOnes) {
  absl::StatusOr<AssetClass> asset_class = ParseAssetClass("ir");
  EXPECT_EQ(asset_class.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(asset_class.status().message()),
              HasSubstr("IR, FX, CREDIT, EQUITY, COMMODITY, OTHER"));
  EXPECT_EQ(ParseCreditRating("AA+").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCommoditySet("GAS").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDirection("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseOptionType("STRADDLE").status().code(), absl::StatusCode::kInvalidArgument);
}

// A netting set valid for both methods: an IR swaption, a CDS and a commodity forward.
NettingSet ValidSet() {
  NettingSet ns;
  ns.id = "NS1";
  Trade swaption;
  swaption.id = "T1";
  swaption.hedging_key = "USD";
  swaption.notional = 1000;
  swaption.start_years = 1;
  swaption.end_years = 11;
  swaption.maturity_years = 11;
  swaption.option = OptionTerms{OptionType::kPut, true, 1, 0.05, 0.06};
  Trade cds = swaption;
  cds.id = "T2";
  cds.option.reset();
  cds.asset_class = AssetClass::kCredit;
  cds.hedging_key = "FirmA";
  cds.rating = CreditRating::kA;
  Trade forward = cds;
  forward.id = "T3";
  forward.asset_class = AssetClass::kCommodity;
  forward.hedging_key = "CRUDE_OIL";
  forward.commodity_set = CommoditySet::kEnergy;
  ns.trades = {swaption, cds, forward};
  return ns;
}

struct InvalidCase {
  std::string name;
  std::function<void(NettingSet&)> mutate;
  std::string message;        // expected for SA-CCR
  bool schedule_rejects_too;  // the IM schedule needs the field as well
};

std::vector<InvalidCase> InvalidCases() {
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  return {
      {"EndBeforeStart", [](NettingSet& ns) { ns.trades[0].end_years = 0.5; },
       "netting set NS1 trade T1: end_years must be >= start_years", false},
      {"NegativeMaturity", [](NettingSet& ns) { ns.trades[1].maturity_years = -1; },
       "netting set NS1 trade T2: maturity_years must be >= 0", true},
      {"NonFiniteNotional", [=](NettingSet& ns) { ns.trades[1].notional = kNaN; },
       "netting set NS1 trade T2: notional must be a finite number", true},
      {"NonFiniteMtm", [=](NettingSet& ns) { ns.trades[2].mtm = kInf; },
       "netting set NS1 trade T3: mtm must be a finite number", true},
      {"ZeroStrike", [](NettingSet& ns) { ns.trades[0].option->strike = 0; },
       "netting set NS1 trade T1: option strike must be > 0", true},
      {"NegativeUnderlying", [](NettingSet& ns) { ns.trades[0].option->underlying_price = -0.01; },
       "netting set NS1 trade T1: option underlying_price must be > 0", true},
      {"ExpiredOption", [](NettingSet& ns) { ns.trades[0].option->expiry_years = 0; },
       "netting set NS1 trade T1: option expiry_years must be > 0", true},
      {"MissingHedgingKey", [](NettingSet& ns) { ns.trades[2].hedging_key.clear(); },
       "netting set NS1 trade T3: hedging_key must not be empty", false},
      {"OtherAssetClass", [](NettingSet& ns) { ns.trades[2].asset_class = AssetClass::kOther; },
       "netting set NS1 trade T3: asset_class OTHER is not covered by SA-CCR", false},
      {"UnknownAssetClass",
       [](NettingSet& ns) { ns.trades[2].asset_class = static_cast<AssetClass>(42); },
       "netting set NS1 trade T3: asset_class is not a known asset class", true},
      {"MissingRating", [](NettingSet& ns) { ns.trades[1].rating.reset(); },
       "netting set NS1 trade T2: rating is required for CREDIT", false},
      {"UnknownRating", [](NettingSet& ns) { ns.trades[1].rating = static_cast<CreditRating>(99); },
       "netting set NS1 trade T2: rating is not a known rating", false},
      {"IndexWithSingleNameRating", [](NettingSet& ns) { ns.trades[1].index = true; },
       "netting set NS1 trade T2: rating of a credit index must be IG or SG", false},
      {"SingleNameWithIndexRating", [](NettingSet& ns) { ns.trades[1].rating = CreditRating::kIG; },
       "netting set NS1 trade T2: rating of a single name must be one of", false},
      {"MissingCommoditySet", [](NettingSet& ns) { ns.trades[2].commodity_set.reset(); },
       "netting set NS1 trade T3: commodity_set is required for COMMODITY", false},
      {"NegativeNotional", [](NettingSet& ns) { ns.trades[1].notional = -5; },
       "netting set NS1 trade T2: notional must be >= 0 for SA-CCR", false},
      {"DuplicateTradeId", [](NettingSet& ns) { ns.trades[2].id = "T1"; },
       "netting set NS1 trade T1: id is used by an earlier trade", true},
      {"EmptyTradeId", [](NettingSet& ns) { ns.trades[1].id.clear(); },
       "netting set NS1 trade #2: id must not be empty", true},
      {"EmptySetId", [](NettingSet& ns) { ns.id.clear(); }, "netting set id must not be empty",
       true},
      {"NonFiniteCollateral", [=](NettingSet& ns) { ns.collateral = kNaN; },
       "netting set NS1: collateral must be a finite number", true},
      {"NegativeThreshold", [](NettingSet& ns) { ns.threshold = -1; },
       "netting set NS1: threshold must be >= 0", true},
      {"MarginedWithoutMpor",
       [](NettingSet& ns) {
         ns.margined = true;
         ns.mpor_days = 0;
       },
       "netting set NS1: mpor_days must be > 0 for a margined netting set", false},
  };
}

TEST(NettingSetValidation, AcceptsAValidSetForBothMethods) {
  EXPECT_TRUE(ValidateNettingSet(ValidSet(), Method::kSaccr).ok());
  EXPECT_TRUE(ValidateNettingSet(ValidSet(), Method::kImSchedule).ok());
}

TEST(NettingSetValidation, RejectsNamingSetTradeAndField) {
  for (const InvalidCase& c : InvalidCases()) {
    SCOPED_TRACE(c.name);
    NettingSet ns = ValidSet();
    c.mutate(ns);
    absl::Status saccr = ValidateNettingSet(ns, Method::kSaccr);
    EXPECT_EQ(saccr.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(saccr.message()), HasSubstr(c.message));
    absl::Status schedule = ValidateNettingSet(ns, Method::kImSchedule);
    if (c.schedule_rejects_too) {
      EXPECT_EQ(schedule.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(schedule.message()), HasSubstr(c.message));
    } else {
      EXPECT_TRUE(schedule.ok()) << schedule;
    }
  }
}

}  // namespace
}  // namespace riskcap::risk
