// calc file format: JSON netting sets -> CalculateBenchmarkRequest, results -> documented JSON.
#include "client/benchmark_json.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "client/json_reader.h"
#include "core/field_errors.h"
#include "core/risk/netting_set.h"
#include "core/utf8.h"

namespace riskcap::client {
namespace {

// "NS1", or "#2" for an unnamed second netting set / trade.
std::string NameOf(const Json& object, int index) {
  if (object.is_object() && object.contains("id") && object["id"].is_string() &&
      !object["id"].get<std::string>().empty()) {
    return object["id"].get<std::string>();
  }
  return absl::StrCat("#", index + 1);
}

void ReadOption(JsonObjectReader& trade, const std::string& who, FieldErrors& errors,
                v1::BenchmarkOption* out) {
  const Json* json = trade.Object("option", false);
  if (json == nullptr) return;
  JsonObjectReader r(*json, trade.PathOf("option"), who, errors, "option.");
  r.RejectUnknownKeys({"type", "bought", "expiry_years", "strike", "underlying_price"});
  out->set_type(static_cast<v1::OptionType>(r.Enum<risk::OptionType>("type", true)));
  out->set_bought(r.Bool("bought", true));
  out->set_expiry_years(r.Number("expiry_years", true));
  out->set_strike(r.Number("strike", true));
  out->set_underlying_price(r.Number("underlying_price", true));
}

void ReadTrade(const Json& json, const std::string& path, const std::string& who,
               CalcMethod method, FieldErrors& errors, v1::BenchmarkTrade* out) {
  JsonObjectReader r(json, path, who, errors);
  r.RejectUnknownKeys({"id", "asset_class", "hedging_key", "notional", "start_years", "end_years",
                       "maturity_years", "mtm", "direction", "option", "rating", "index",
                       "commodity_set"});
  out->set_id(r.String("id", true));
  out->set_asset_class(
      static_cast<v1::BenchmarkAssetClass>(r.Enum<risk::AssetClass>("asset_class", true)));
  out->set_hedging_key(r.String("hedging_key", false));
  out->set_notional(r.Number("notional", true));
  out->set_start_years(r.Number("start_years", false));
  // SA-CCR's IR and credit add-ons reference a period; a silent 0 for its end would understate
  // the exposure. The schedule never reads it.
  bool has_period = out->asset_class() == v1::BENCHMARK_ASSET_CLASS_IR ||
                    out->asset_class() == v1::BENCHMARK_ASSET_CLASS_CREDIT;
  out->set_end_years(r.Number("end_years", has_period && method == CalcMethod::kSaccr));
  out->set_maturity_years(r.Number("maturity_years", true));
  out->set_mtm(r.Number("mtm", true));
  out->set_direction(static_cast<v1::TradeDirection>(r.Enum<risk::Direction>("direction", false)));
  if (r.Has("option")) ReadOption(r, who, errors, out->mutable_option());
  out->set_rating(static_cast<v1::CreditRating>(r.Enum<risk::CreditRating>("rating", false)));
  out->set_index(r.Bool("index", false));
  out->set_commodity_set(
      static_cast<v1::CommoditySet>(r.Enum<risk::CommoditySet>("commodity_set", false)));
}

void ReadNettingSet(const Json& json, int i, CalcMethod method, FieldErrors& errors,
                    v1::BenchmarkNettingSet* out) {
  std::string name = NameOf(json, i);
  JsonObjectReader r(json, absl::StrCat("netting_sets[", i, "]"),
                     absl::StrCat("netting set ", name), errors);
  r.RejectUnknownKeys(
      {"id", "margined", "collateral", "threshold", "mta", "nica", "mpor_days", "trades"});
  out->set_id(r.String("id", true));
  out->set_margined(r.Bool("margined", false));
  out->set_collateral(r.Number("collateral", false));
  out->set_threshold(r.Number("threshold", false));
  out->set_mta(r.Number("mta", false));
  out->set_nica(r.Number("nica", false));
  out->set_mpor_days(r.Int("mpor_days", 10));
  const Json* trades = r.Array("trades", true);
  if (trades == nullptr) return;
  for (size_t j = 0; j < trades->size(); ++j) {
    const Json& trade = (*trades)[j];
    std::string who = absl::StrCat("netting set ", name, " trade ", NameOf(trade, j));
    ReadTrade(trade, absl::StrCat(r.PathOf("trades"), "[", j, "]"), who, method, errors,
              out->add_trades());
  }
}

// Text after nlohmann's "[json.exception.parse_error.101] " tag.
std::string ParseErrorText(const std::string& what) {
  size_t tag_end = what.find("] ");
  return tag_end == std::string::npos ? what : what.substr(tag_end + 2);
}

Json SaccrSet(const v1::NettingSetBenchmark& set) {
  const v1::SaCcrResult& s = set.sa_ccr();
  const bool has = set.has_sa_ccr();
  auto figure = [has](double value) { return has ? Json(value) : Json(); };
  Json addon = {{"IR", figure(s.addon().ir())},
                {"FX", figure(s.addon().fx())},
                {"CREDIT", figure(s.addon().credit())},
                {"EQUITY", figure(s.addon().equity())},
                {"COMMODITY", figure(s.addon().commodity())}};
  return {{"id", set.id()},
          {"replacement_cost", figure(s.replacement_cost())},
          {"addon", addon},
          {"addon_aggregate", figure(s.addon_aggregate())},
          {"multiplier", figure(s.multiplier())},
          {"pfe", figure(s.pfe())},
          {"ead", figure(s.ead())}};
}

}  // namespace

absl::StatusOr<v1::CalculateBenchmarkRequest> BenchmarkRequestFromJson(const Json& input,
                                                                       CalcMethod method) {
  FieldErrors errors;
  v1::CalculateBenchmarkRequest request;
  JsonObjectReader r(input, "", "input", errors);
  r.RejectUnknownKeys({"netting_sets"});
  if (const Json* sets = r.Array("netting_sets", true)) {
    for (size_t i = 0; i < sets->size(); ++i) {
      ReadNettingSet((*sets)[i], static_cast<int>(i), method, errors,
                     request.add_netting_sets());
    }
  }
  if (!errors.empty()) return errors.ToStatus();
  return request;
}

absl::StatusOr<v1::CalculateBenchmarkRequest> BenchmarkRequestFromText(std::string_view text,
                                                                       const std::string& path,
                                                                       CalcMethod method) {
  struct TooDeep {};
  // nlohmann's parser is iterative, but the document it builds is walked recursively later
  // (dump, destruction): refuse depth while parsing. `depth` is that of the opening container.
  auto limit_depth = [](int depth, Json::parse_event_t event, Json&) {
    const bool opens = event == Json::parse_event_t::object_start ||
                       event == Json::parse_event_t::array_start;
    if (opens && depth >= kMaxCalcInputNesting) throw TooDeep{};
    return true;
  };
  Json input;
  try {
    input = Json::parse(text.data(), text.data() + text.size(), limit_depth);
  } catch (const TooDeep&) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": JSON nested more than ",
                                                   kMaxCalcInputNesting, " levels deep"));
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for 1e999
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": malformed JSON: ", ScrubUtf8(ParseErrorText(e.what()))));
  }
  return BenchmarkRequestFromJson(input, method);
}

absl::StatusOr<v1::CalculateBenchmarkRequest> ReadBenchmarkFile(const std::string& path,
                                                                CalcMethod method) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxCalcInputBytes) {
    return absl::InvalidArgumentError(absl::StrCat("input file '", path, "' has ", size,
                                                   " bytes; at most ", kMaxCalcInputBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read input file '", path, "'"));
  std::string text;
  char buffer[1 << 16];
  while (in) {  // bounded even when the file grows or is a pipe
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxCalcInputBytes) {
      return absl::InvalidArgumentError(absl::StrCat("input file '", path, "' holds more than ",
                                                     kMaxCalcInputBytes, " bytes"));
    }
  }
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read input file '", path, "'"));
  }
  return BenchmarkRequestFromText(text, path, method);
}

absl::Status RequireSaccrAssetClasses(const v1::CalculateBenchmarkRequest& request) {
  FieldErrors errors;
  for (int i = 0; i < request.netting_sets_size(); ++i) {
    const v1::BenchmarkNettingSet& set = request.netting_sets(i);
    for (int j = 0; j < set.trades_size(); ++j) {
      if (set.trades(j).asset_class() != v1::BENCHMARK_ASSET_CLASS_OTHER) continue;
      errors.Add(absl::StrCat("netting_sets[", i, "].trades[", j, "].asset_class"),
                 absl::StrCat("netting set ", set.id(), " trade ", set.trades(j).id(),
                              ": asset_class OTHER is not covered by SA-CCR (riskcap calc "
                              "im-schedule accepts it)"));
    }
  }
  return errors.ToStatus();
}

Json SaccrToJson(const v1::CalculateBenchmarkResponse& response) {
  Json sets = Json::array();
  for (const v1::NettingSetBenchmark& set : response.netting_sets()) sets.push_back(SaccrSet(set));
  return {{"netting_sets", sets}};
}

Json ImScheduleToJson(const v1::CalculateBenchmarkResponse& response) {
  Json sets = Json::array();
  for (const v1::NettingSetBenchmark& set : response.netting_sets()) {
    const v1::ImScheduleResult& s = set.schedule();
    sets.push_back({{"id", set.id()},
                    {"gross_im", s.gross_im()},
                    {"gross_replacement_cost", s.gross_replacement_cost()},
                    {"net_replacement_cost", s.net_replacement_cost()},
                    {"ngr", s.ngr()},
                    {"net_im", s.net_im()}});
  }
  return {{"netting_sets", sets}};
}

}  // namespace riskcap::client
