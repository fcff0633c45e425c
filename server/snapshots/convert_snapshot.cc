// Snapshot row mapping and upload row validation.
#include "server/snapshots/convert_snapshot.h"

#include <array>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "server/rpc/convert_common.h"

namespace riskcap::server {
namespace {

constexpr std::array<std::string_view, 2> kDirections = {"LONG", "SHORT"};
constexpr std::array<std::string_view, 2> kOptionTypes = {"CALL", "PUT"};

// Builds a row's field paths only when a violation needs one: uploads carry millions of rows.
class RowFields {
 public:
  RowFields(std::string_view path, FieldErrors& errors) : path_(path), errors_(errors) {}

  std::string Path(std::string_view field) const {
    return absl::StrCat(AbslView(path_), ".", AbslView(field));
  }
  void Add(std::string_view field, std::string_view why) const { errors_.Add(Path(field), why); }
  FieldErrors& errors() const { return errors_; }

  int64_t FundId(int64_t id) const {
    if (id <= 0) Add("fund_id", "must be a fund code > 0");
    return id;
  }
  Money RequiredMoney(const std::string& text, std::string_view field) const {
    absl::StatusOr<Money> parsed = Money::Parse(text);
    if (parsed.ok()) return *parsed;
    return ParseMoneyField(text, Path(field), errors_);  // records why
  }
  std::optional<Money> OptionalMoney(const std::string& text, std::string_view field) const {
    if (text.empty()) return std::nullopt;
    return RequiredMoney(text, field);
  }
  Date RequiredDate(const std::string& text, std::string_view field) const {
    absl::StatusOr<Date> parsed = ParseDate(text);
    if (parsed.ok()) return *parsed;
    return ParseDateField(text, Path(field), errors_);  // records why
  }
  std::optional<Date> OptionalDate(const std::string& text, std::string_view field) const {
    if (text.empty()) return std::nullopt;
    return RequiredDate(text, field);
  }
  double Finite(double value, std::string_view field) const {
    if (!std::isfinite(value)) Add(field, "must be a finite number");
    return value;
  }
  const std::string& Text(const std::string& text, std::string_view field) const {
    if (text.size() > kMaxLabelLength) Add(field, "must be at most 200 characters");
    return text;
  }
  template <typename CoreEnum, typename ProtoEnum>
  CoreEnum RequiredEnum(ProtoEnum value, std::string_view field) const {
    int index = static_cast<int>(value) - 1;
    if (index >= 0 && index < static_cast<int>(EnumNames<CoreEnum>::kNames.size())) {
      return static_cast<CoreEnum>(index);
    }
    return FromProtoEnum<CoreEnum>(value, Path(field), errors_);  // records why
  }
  // The name of a proto enum value that may be UNSPECIFIED (""), from `names` (value 1, 2, ...).
  std::string OptionalName(int value, const std::array<std::string_view, 2>& names,
                           std::string_view field) const {
    if (value == 0) return "";
    if (value < 0 || value > static_cast<int>(names.size())) {
      Add(field, "is not one of the enum's named values");
      return "";
    }
    return std::string(names[static_cast<size_t>(value - 1)]);
  }

 private:
  std::string_view path_;
  FieldErrors& errors_;
};

bool IsIsin(const std::string& s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsCurrencyCode(const std::string& s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The proto number of a name from `names` (0 when empty or unknown).
int NameIndex(const std::string& name, const std::array<std::string_view, 2>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i) + 1;
  }
  return 0;
}

// Position fields beyond the identity and amounts: what OTC risk maths needs.
void ReadOtcFields(const v1::Position& in, const RowFields& f, Position& out) {
  if (in.otc_asset_class() != v1::OTC_ASSET_CLASS_UNSPECIFIED) {
    out.asset_class = f.RequiredEnum<OtcAssetClass>(in.otc_asset_class(), "otc_asset_class");
  }
  out.start_date = f.OptionalDate(in.start_date(), "start_date");
  out.end_date = f.OptionalDate(in.end_date(), "end_date");
  if (out.start_date && out.end_date && *out.end_date < *out.start_date) {
    f.Add("end_date", "must be on or after start_date");
  }
  out.direction = f.OptionalName(in.direction(), kDirections, "direction");
  out.option_type = f.OptionalName(in.option_type(), kOptionTypes, "option_type");
  if (in.has_strike()) out.strike = f.Finite(in.strike().value(), "strike");
  if (in.has_underlying_price()) {
    out.underlying_price = f.Finite(in.underlying_price().value(), "underlying_price");
  }
  if (!in.currency().empty() && !IsCurrencyCode(in.currency())) {
    f.Add("currency", "must be an ISO 4217 code of 3 upper-case letters, or empty");
  }
  out.currency = in.currency();
}

}  // namespace

NavSnapshot NavSnapshotFromProto(const v1::NavSnapshot& in, std::string_view path,
                                 FieldErrors& errors) {
  RowFields f(path, errors);
  NavSnapshot out;
  out.fund_id = f.FundId(in.fund_id());
  out.position_date = f.RequiredDate(in.position_date(), "position_date");
  out.nav = f.RequiredMoney(in.nav(), "nav");
  out.exchange_margin_pct = f.Finite(in.exchange_margin_pct(), "exchange_margin_pct");
  out.derivatives_exposure =
      f.OptionalMoney(in.derivatives_exposure(), "derivatives_exposure").value_or(Money());
  out.derivatives_exposure_pct =
      f.Finite(in.derivatives_exposure_pct(), "derivatives_exposure_pct");
  out.derivatives_at_risk =
      f.OptionalMoney(in.derivatives_at_risk(), "derivatives_at_risk").value_or(Money());
  out.derivatives_at_risk_pct = f.Finite(in.derivatives_at_risk_pct(), "derivatives_at_risk_pct");
  out.liquidity_ratio = f.Finite(in.liquidity_ratio(), "liquidity_ratio");
  out.var_95 = f.Finite(in.var_95(), "var_95");
  out.var_99 = f.Finite(in.var_99(), "var_99");
  out.stress_bull = f.Finite(in.stress_bull(), "stress_bull");
  out.stress_bear = f.Finite(in.stress_bear(), "stress_bear");
  out.return_day = f.Finite(in.return_day(), "return_day");
  out.return_month = f.Finite(in.return_month(), "return_month");
  out.return_year = f.Finite(in.return_year(), "return_year");
  out.criticality = f.Text(in.criticality_class(), "criticality_class");
  return out;
}

NavHistoryEntry NavHistoryFromProto(const v1::NavHistoryEntry& in, std::string_view path,
                                    FieldErrors& errors) {
  RowFields f(path, errors);
  NavHistoryEntry out;
  out.fund_id = f.FundId(in.fund_id());
  out.nav_date = f.RequiredDate(in.nav_date(), "nav_date");
  out.opening_nav = f.RequiredMoney(in.opening_nav(), "opening_nav");
  out.closing_nav = f.RequiredMoney(in.closing_nav(), "closing_nav");
  return out;
}

Position PositionFromProto(const v1::Position& in, std::string_view path, FieldErrors& errors) {
  RowFields f(path, errors);
  Position out;
  out.fund_id = f.FundId(in.fund_id());
  out.position_date = f.RequiredDate(in.position_date(), "position_date");
  out.asset_nickname = f.Text(in.asset_nickname(), "asset_nickname");
  if (!in.isin().empty() && !IsIsin(in.isin())) {
    f.Add("isin", "must be 12 upper-case letters or digits, or empty");
  }
  out.isin = in.isin();
  out.asset_code = f.Text(in.asset_code(), "asset_code");
  out.asset_type_code = f.Text(in.asset_type_code(), "asset_type_code");
  out.classification =
      f.RequiredEnum<PositionClassification>(in.classification(), "classification");
  out.quantity = f.RequiredMoney(in.quantity(), "quantity");
  out.price = f.RequiredMoney(in.price(), "price");
  out.notional = f.RequiredMoney(in.notional(), "notional");
  out.market_value = f.RequiredMoney(in.market_value(), "market_value");
  out.asset_leg_balance = f.OptionalMoney(in.asset_leg_balance(), "asset_leg_balance");
  out.liability_leg_balance = f.OptionalMoney(in.liability_leg_balance(), "liability_leg_balance");
  ReadOtcFields(in, f, out);
  return out;
}

void ToProto(const NavSnapshot& in, const SnapshotVersion& version, v1::NavSnapshot* out) {
  out->set_fund_id(in.fund_id);
  out->set_position_date(FormatDate(in.position_date));
  out->set_reference_date(FormatDate(version.reference_date));
  out->set_version(version.version);
  out->set_load_id(version.id);
  out->set_job_run_id(version.job_run_id.value_or(0));
  out->set_nav(in.nav.ToString());
  out->set_exchange_margin_pct(in.exchange_margin_pct);
  out->set_derivatives_exposure(in.derivatives_exposure.ToString());
  out->set_derivatives_exposure_pct(in.derivatives_exposure_pct);
  out->set_derivatives_at_risk(in.derivatives_at_risk.ToString());
  out->set_derivatives_at_risk_pct(in.derivatives_at_risk_pct);
  out->set_liquidity_ratio(in.liquidity_ratio);
  out->set_var_95(in.var_95);
  out->set_var_99(in.var_99);
  out->set_stress_bull(in.stress_bull);
  out->set_stress_bear(in.stress_bear);
  out->set_return_day(in.return_day);
  out->set_return_month(in.return_month);
  out->set_return_year(in.return_year);
  out->set_criticality_class(in.criticality);
}

void ToProto(const NavHistoryEntry& in, v1::NavHistoryEntry* out) {
  out->set_fund_id(in.fund_id);
  out->set_nav_date(FormatDate(in.nav_date));
  out->set_opening_nav(in.opening_nav.ToString());
  out->set_closing_nav(in.closing_nav.ToString());
}

void SetLoad(const SnapshotVersion& version, v1::NavHistoryEntry* out) {
  out->set_reference_date(FormatDate(version.reference_date));
  out->set_version(version.version);
  out->set_load_id(version.id);
  out->set_job_run_id(version.job_run_id.value_or(0));
}

void ToProto(const Position& in, std::string_view asset_type_description, v1::Position* out) {
  out->set_fund_id(in.fund_id);
  out->set_position_date(FormatDate(in.position_date));
  out->set_asset_nickname(in.asset_nickname);
  out->set_isin(in.isin);
  out->set_asset_code(in.asset_code);
  out->set_asset_type_code(in.asset_type_code);
  out->set_asset_type_description(std::string(asset_type_description));
  out->set_classification(
      ToProtoEnum<PositionClassification, v1::PositionClassification>(in.classification));
  out->set_quantity(in.quantity.ToString());
  out->set_price(in.price.ToString());
  out->set_notional(in.notional.ToString());
  out->set_market_value(in.market_value.ToString());
  if (in.asset_leg_balance) out->set_asset_leg_balance(in.asset_leg_balance->ToString());
  if (in.liability_leg_balance) {
    out->set_liability_leg_balance(in.liability_leg_balance->ToString());
  }
  if (in.asset_class) {
    out->set_otc_asset_class(ToProtoEnum<OtcAssetClass, v1::OtcAssetClass>(*in.asset_class));
  }
  if (in.start_date) out->set_start_date(FormatDate(*in.start_date));
  if (in.end_date) out->set_end_date(FormatDate(*in.end_date));
  out->set_direction(static_cast<v1::TradeDirection>(NameIndex(in.direction, kDirections)));
  out->set_option_type(static_cast<v1::OptionType>(NameIndex(in.option_type, kOptionTypes)));
  if (in.strike) out->mutable_strike()->set_value(*in.strike);
  if (in.underlying_price) out->mutable_underlying_price()->set_value(*in.underlying_price);
  out->set_currency(in.currency);
}

void ToProto(const FundExposure& in, const SnapshotVersion& version,
             std::optional<double> offshore_share_of_nav, v1::FundExposure* out) {
  out->set_fund_id(in.fund_id);
  out->set_position_date(FormatDate(in.position_date));
  out->set_reference_date(FormatDate(version.reference_date));
  out->set_version(version.version);
  out->set_load_id(version.id);
  out->set_job_run_id(version.job_run_id.value_or(0));
  out->set_exposed_otc(in.otc);
  out->set_exposed_offshore(in.offshore);
  out->set_consolidated_exposure(in.otc        ? v1::EXPOSURE_ORIGIN_OTC
                                 : in.offshore ? v1::EXPOSURE_ORIGIN_OFFSHORE
                                               : v1::EXPOSURE_ORIGIN_NONE);
  out->set_otc_option_count(in.otc_option_count);
  out->set_otc_swap_count(in.otc_swap_count);
  out->set_offshore_fund_count(in.offshore_fund_count);
  out->set_otc_notional(in.otc_notional.ToString());
  out->set_otc_market_value(in.otc_market_value.ToString());
  out->set_swap_notional(in.swap_notional.ToString());
  out->set_offshore_market_value(in.offshore_market_value.ToString());
  out->set_gross_exposure(in.gross_exposure.ToString());
  out->set_net_exposure(in.net_exposure.ToString());
  out->set_largest_position_value(in.largest_position_value.ToString());
  // The stored measure (exposure_snapshot computed it) wins over the caller's live figure.
  if (in.offshore_share_of_nav) offshore_share_of_nav = in.offshore_share_of_nav;
  if (offshore_share_of_nav)
    out->mutable_offshore_share_of_nav()->set_value(*offshore_share_of_nav);
  if (in.largest_position_share_of_nav) {
    out->mutable_largest_position_share_of_nav()->set_value(*in.largest_position_share_of_nav);
  }
  if (in.nav) out->set_nav(in.nav->ToString());
}

void ToProto(const SnapshotVersion& version, bool replayed, v1::UploadResponse* out) {
  out->set_reference_date(FormatDate(version.reference_date));
  out->set_version(version.version);
  out->set_load_id(version.id);
  out->set_row_count(version.row_count);
  out->set_content_hash(version.content_hash);
  out->set_job_run_id(version.job_run_id.value_or(0));
  out->set_replayed(replayed);
}

}  // namespace riskcap::server
