// Exposure measures from positions.
#include "core/exposure_calc.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"

namespace riskcap {
namespace {

Money Abs(Money m) { return m < Money() ? Money::FromMicros(-m.micros()) : m; }

absl::Status AddTo(Money& total, Money amount) {
  ASSIGN_OR_RETURN(total, total.Add(amount));
  return absl::OkStatus();
}

absl::Status Accumulate(const Position& p, FundExposure& e) {
  bool option = p.classification == PositionClassification::kOtcOption;
  bool swap = p.classification == PositionClassification::kOtcSwap;
  if (option || swap) {
    e.otc = true;
    (option ? e.otc_option_count : e.otc_swap_count) += 1;
    RETURN_IF_ERROR(AddTo(e.otc_notional, Abs(p.notional)));
    RETURN_IF_ERROR(AddTo(e.otc_market_value, p.market_value));
    if (swap) RETURN_IF_ERROR(AddTo(e.swap_notional, Abs(p.notional)));
  } else if (p.classification == PositionClassification::kOffshoreFund) {
    e.offshore = true;
    e.offshore_fund_count += 1;
    RETURN_IF_ERROR(AddTo(e.offshore_market_value, p.market_value));
  }
  RETURN_IF_ERROR(AddTo(e.gross_exposure, Abs(p.market_value)));
  RETURN_IF_ERROR(AddTo(e.net_exposure, p.market_value));
  if (Abs(p.market_value) > e.largest_position_value) e.largest_position_value = Abs(p.market_value);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<FundExposure>> ComputeExposures(const std::vector<Position>& positions) {
  std::map<int64_t, FundExposure> by_fund;
  for (size_t i = 0; i < positions.size(); ++i) {
    const Position& p = positions[i];
    auto [it, inserted] = by_fund.try_emplace(p.fund_id);
    FundExposure& e = it->second;
    if (inserted) {
      e.fund_id = p.fund_id;
      e.position_date = p.position_date;
    } else if (e.position_date != p.position_date) {
      return absl::InvalidArgumentError(absl::StrCat(
          "positions[", i, "]: fund ", p.fund_id, " has positions dated both ",
          FormatDate(e.position_date), " and ", FormatDate(p.position_date)));
    }
    absl::Status st = Accumulate(p, e);
    if (!st.ok()) {
      return absl::OutOfRangeError(absl::StrCat("positions[", i, "]: fund ", p.fund_id,
                                                " exposure overflows: ", st.message()));
    }
  }
  std::vector<FundExposure> out;
  out.reserve(by_fund.size());
  for (auto& [id, e] : by_fund) out.push_back(std::move(e));
  return out;
}

void ApplyNavMeasures(const std::map<int64_t, FundNav>& navs, std::vector<FundExposure>& rows) {
  for (FundExposure& e : rows) {
    auto it = navs.find(e.fund_id);
    if (it == navs.end() || it->second.position_date != e.position_date) continue;
    const Money nav = it->second.nav;
    e.nav = nav;
    if (nav <= Money()) continue;
    e.offshore_share_of_nav = e.offshore_market_value.ToDouble() / nav.ToDouble();
    e.largest_position_share_of_nav = e.largest_position_value.ToDouble() / nav.ToDouble();
  }
}

}  // namespace riskcap
