// CalculateBenchmark request mapping: proto enums and limits checked here, trade and netting-set
// rules by core ValidateNettingSet, whose messages are turned into precise field paths.
#include "server/risk/convert_benchmark.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"
#include "core/enums.h"
#include "core/field_errors.h"
#include "core/status_macros.h"

namespace riskcap::server {
namespace {

// Fields a core validation message may start with ("end_years must be >= start_years").
constexpr std::string_view kSetFields[] = {"collateral", "threshold", "mta", "nica", "mpor_days"};
constexpr std::string_view kTradeFields[] = {
    "id",  "asset_class", "hedging_key", "notional", "start_years",   "end_years",
    "mtm", "direction",   "rating",      "index",    "commodity_set", "maturity_years"};
constexpr std::string_view kOptionFields[] = {"type", "expiry_years", "strike", "underlying_price"};

template <size_t N>
bool Known(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

std::string_view FirstWord(std::string_view text) { return text.substr(0, text.find(' ')); }

// The request path (relative to the set or trade) of the field a core message names:
// "end_years must be ..." -> "end_years", "option strike must be > 0" -> "option.strike";
// empty when the message names no known field.
std::string FieldNamed(std::string_view message, bool trade) {
  std::string_view first = FirstWord(message);
  if (!trade) return Known(kSetFields, first) ? std::string(first) : "";
  if (first != "option") return Known(kTradeFields, first) ? std::string(first) : "";
  std::string_view second = FirstWord(message.substr(std::min(message.size(), first.size() + 1)));
  return Known(kOptionFields, second) ? absl::StrCat("option.", AbslView(second)) : "option";
}

template <typename CoreEnum>
std::string AcceptedNames() {
  std::string out;
  for (std::string_view name : EnumNames<CoreEnum>::kNames) {
    absl::StrAppend(&out, out.empty() ? "" : ", ", AbslView(name));
  }
  return out;
}

// Proto enums number their values as the core enum + 1, with 0 = *_UNSPECIFIED.
template <typename CoreEnum>
std::optional<CoreEnum> CoreValue(int proto_value) {
  int index = proto_value - 1;
  if (index < 0 || index >= static_cast<int>(EnumNames<CoreEnum>::kNames.size())) {
    return std::nullopt;
  }
  return static_cast<CoreEnum>(index);
}

void AddCapped(FieldErrors& errors, std::string_view field, std::string_view description) {
  if (errors.violations().size() < kMaxBenchmarkViolations) errors.Add(field, description);
}

// Maps and validates one request netting set, recording violations against its paths.
class SetParser {
 public:
  SetParser(const v1::BenchmarkNettingSet& proto, int index, FieldErrors& errors)
      : proto_(proto),
        index_(index),
        errors_(errors),
        name_(proto.id().empty() ? absl::StrCat("#", index + 1) : proto.id()) {}

  BenchmarkInput Parse();

 private:
  void SetViolation(std::string_view field, std::string_view message);
  void TradeViolation(int j, std::string_view field, std::string_view message);
  void AddCoreError(int j, const risk::Trade* trade, const absl::Status& status);
  risk::NettingSet Terms() const;
  risk::Trade MapTrade(int j);
  void MapOption(int j, const v1::BenchmarkOption& option, risk::Trade& trade);
  template <typename CoreEnum>
  void MapRequired(int j, int proto_value, std::string_view field, CoreEnum& out);
  template <typename CoreEnum>
  void MapOptional(int j, int proto_value, std::string_view field, std::optional<CoreEnum>& out);
  void RequireDirections();
  void CheckUniqueTradeIds();
  void Validate(const risk::NettingSet& set, risk::Method method, const std::vector<bool>& mapped);

  const v1::BenchmarkNettingSet& proto_;
  const int index_;
  FieldErrors& errors_;
  const std::string name_;  // the set's id, or "#n" when empty
};

void SetParser::SetViolation(std::string_view field, std::string_view message) {
  std::string path = absl::StrCat("netting_sets[", index_, "]");
  if (!field.empty()) absl::StrAppend(&path, ".", AbslView(field));
  AddCapped(errors_, path, absl::StrCat("netting set ", name_, ": ", AbslView(message)));
}

void SetParser::TradeViolation(int j, std::string_view field, std::string_view message) {
  const std::string& id = proto_.trades(j).id();
  std::string path = absl::StrCat("netting_sets[", index_, "].trades[", j, "]");
  if (!field.empty()) absl::StrAppend(&path, ".", AbslView(field));
  std::string trade = id.empty() ? absl::StrCat("#", j + 1) : id;
  AddCapped(errors_, path,
            absl::StrCat("netting set ", name_, " trade ", trade, ": ", AbslView(message)));
}

// A core message is "netting set <id>[ trade <name>]: <field> ..."; a trade was validated alone
// in a set named name_, so an unnamed trade is "#1" there.
void SetParser::AddCoreError(int j, const risk::Trade* trade, const absl::Status& status) {
  std::string_view message = StdView(status.message());
  std::string prefix = absl::StrCat("netting set ", proto_.id(), ": ");
  if (trade != nullptr) {
    prefix =
        absl::StrCat("netting set ", name_, " trade ", trade->id.empty() ? "#1" : trade->id, ": ");
  }
  if (absl::StartsWith(AbslView(message), prefix)) message.remove_prefix(prefix.size());
  if (trade == nullptr && message == "netting set id must not be empty") {
    return SetViolation("id", "id must not be empty");
  }
  std::string field = FieldNamed(message, trade != nullptr);
  if (trade == nullptr) return SetViolation(field, message);
  TradeViolation(j, field, message);
}

risk::NettingSet SetParser::Terms() const {
  risk::NettingSet set;
  set.id = proto_.id();
  set.margined = proto_.margined();
  set.collateral = proto_.collateral();
  set.threshold = proto_.threshold();
  set.mta = proto_.mta();
  set.nica = proto_.nica();
  set.mpor_days = proto_.mpor_days() == 0 ? 10 : proto_.mpor_days();
  return set;
}

template <typename CoreEnum>
void SetParser::MapRequired(int j, int proto_value, std::string_view field, CoreEnum& out) {
  if (std::optional<CoreEnum> value = CoreValue<CoreEnum>(proto_value)) {
    out = *value;
    return;
  }
  std::string problem =
      proto_value == 0 ? "is required" : absl::StrCat("has unknown value ", proto_value);
  TradeViolation(
      j, field,
      absl::StrCat(AbslView(field), " ", problem, ": one of ", AcceptedNames<CoreEnum>()));
}

template <typename CoreEnum>
void SetParser::MapOptional(int j, int proto_value, std::string_view field,
                            std::optional<CoreEnum>& out) {
  if (proto_value == 0) return;
  out = CoreValue<CoreEnum>(proto_value);
  if (!out) {
    TradeViolation(j, field,
                   absl::StrCat(AbslView(field), " has unknown value ", proto_value, ": one of ",
                                AcceptedNames<CoreEnum>()));
  }
}

void SetParser::MapOption(int j, const v1::BenchmarkOption& option, risk::Trade& trade) {
  risk::OptionTerms terms;
  MapRequired(j, option.type(), "option.type", terms.type);
  terms.bought = option.bought();
  terms.expiry_years = option.expiry_years();
  terms.strike = option.strike();
  terms.underlying_price = option.underlying_price();
  trade.option = terms;
}

risk::Trade SetParser::MapTrade(int j) {
  const v1::BenchmarkTrade& p = proto_.trades(j);
  risk::Trade t;
  t.id = p.id();
  t.hedging_key = p.hedging_key();
  t.notional = p.notional();
  t.start_years = p.start_years();
  t.end_years = p.end_years();
  t.maturity_years = p.maturity_years();
  t.mtm = p.mtm();
  t.index = p.index();
  MapRequired(j, p.asset_class(), "asset_class", t.asset_class);
  if (p.has_option()) MapOption(j, p.option(), t);
  // Required only by SA-CCR, and only without an option: see RequireDirections.
  if (p.direction() != v1::TRADE_DIRECTION_UNSPECIFIED) {
    MapRequired(j, p.direction(), "direction", t.direction);
  }
  MapOptional(j, p.rating(), "rating", t.rating);
  MapOptional(j, p.commodity_set(), "commodity_set", t.commodity_set);
  return t;
}

// SA-CCR needs the sign of a linear trade's delta; an option's type and side fix it instead.
void SetParser::RequireDirections() {
  for (int j = 0; j < proto_.trades_size(); ++j) {
    const v1::BenchmarkTrade& trade = proto_.trades(j);
    if (!trade.has_option() && trade.direction() == v1::TRADE_DIRECTION_UNSPECIFIED) {
      TradeViolation(j, "direction",
                     "direction is required for SA-CCR unless option is set: one of LONG, SHORT");
    }
  }
}

void SetParser::CheckUniqueTradeIds() {
  absl::flat_hash_map<std::string, int> first_index;
  for (int j = 0; j < proto_.trades_size(); ++j) {
    const std::string& id = proto_.trades(j).id();
    if (id.empty()) continue;  // core reports the empty id
    auto [it, inserted] = first_index.try_emplace(id, j);
    if (!inserted) {
      TradeViolation(j, "id",
                     absl::StrCat("id is used by trades[", it->second, "] of this netting set"));
    }
  }
}

// Core validation of the set's terms, then of each well-mapped trade on its own (in a set with
// default terms, named like this one), so that every bad trade is reported at its own index.
void SetParser::Validate(const risk::NettingSet& set, risk::Method method,
                         const std::vector<bool>& mapped) {
  if (absl::Status st = risk::ValidateNettingSet(Terms(), method); !st.ok()) {
    AddCoreError(-1, nullptr, st);
  }
  risk::NettingSet scratch;
  scratch.id = name_;
  for (size_t j = 0; j < set.trades.size(); ++j) {
    if (!mapped[j]) continue;
    scratch.trades.assign(1, set.trades[j]);
    if (absl::Status st = risk::ValidateNettingSet(scratch, method); !st.ok()) {
      AddCoreError(static_cast<int>(j), &set.trades[j], st);
    }
  }
}

BenchmarkInput SetParser::Parse() {
  BenchmarkInput input;
  input.netting_set = Terms();
  std::vector<bool> mapped;
  for (int j = 0; j < proto_.trades_size(); ++j) {
    size_t before = errors_.violations().size();
    input.netting_set.trades.push_back(MapTrade(j));
    mapped.push_back(errors_.violations().size() == before);
  }
  input.saccr =
      std::none_of(input.netting_set.trades.begin(), input.netting_set.trades.end(),
                   [](const risk::Trade& t) { return t.asset_class == risk::AssetClass::kOther; });
  if (input.saccr) RequireDirections();
  CheckUniqueTradeIds();
  Validate(input.netting_set, input.saccr ? risk::Method::kSaccr : risk::Method::kImSchedule,
           mapped);
  return input;
}

absl::Status CheckLimits(const v1::CalculateBenchmarkRequest& request) {
  int sets = request.netting_sets_size();
  if (sets == 0 || sets > kMaxBenchmarkNettingSets) {
    return FieldError("netting_sets", absl::StrCat("must hold 1..", kMaxBenchmarkNettingSets,
                                                   " netting sets, got ", sets));
  }
  int64_t trades = 0;
  for (const v1::BenchmarkNettingSet& set : request.netting_sets()) trades += set.trades_size();
  if (trades == 0 || trades > kMaxBenchmarkTrades) {
    return FieldError("netting_sets", absl::StrCat("must hold 1..", kMaxBenchmarkTrades,
                                                   " trades in all, got ", trades));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<BenchmarkInput>> ParseBenchmarkRequest(
    const v1::CalculateBenchmarkRequest& request) {
  RETURN_IF_ERROR(CheckLimits(request));
  FieldErrors errors;
  absl::flat_hash_map<std::string, int> first_index;
  std::vector<BenchmarkInput> inputs;
  for (int i = 0; i < request.netting_sets_size(); ++i) {
    const v1::BenchmarkNettingSet& set = request.netting_sets(i);
    if (!set.id().empty()) {
      auto [it, inserted] = first_index.try_emplace(set.id(), i);
      if (!inserted) {
        AddCapped(errors, absl::StrCat("netting_sets[", i, "].id"),
                  absl::StrCat("netting set ", set.id(), ": id is used by netting_sets[",
                               it->second, "]"));
      }
    }
    inputs.push_back(SetParser(set, i, errors).Parse());
  }
  RETURN_IF_ERROR(errors.ToStatus());
  return inputs;
}

void ToProto(const risk::SaccrResult& result, v1::SaCcrResult* out) {
  out->set_replacement_cost(result.replacement_cost);
  v1::AssetClassAddOn* addon = out->mutable_addon();
  addon->set_ir(result.addon.interest_rate);
  addon->set_fx(result.addon.foreign_exchange);
  addon->set_credit(result.addon.credit);
  addon->set_equity(result.addon.equity);
  addon->set_commodity(result.addon.commodity);
  out->set_addon_aggregate(result.addon_aggregate);
  out->set_multiplier(result.multiplier);
  out->set_pfe(result.pfe);
  out->set_ead(result.ead);
}

void ToProto(const risk::ImScheduleResult& result, v1::ImScheduleResult* out) {
  out->set_gross_im(result.gross_im);
  out->set_gross_replacement_cost(result.gross_replacement_cost);
  out->set_net_replacement_cost(result.net_replacement_cost);
  out->set_ngr(result.ngr);
  out->set_net_im(result.net_im);
}

}  // namespace riskcap::server
