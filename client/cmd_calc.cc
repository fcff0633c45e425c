// riskcap calc: SA-CCR and IM schedule what-if calculations (RiskService.CalculateBenchmark).
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/benchmark_json.h"
#include "client/command.h"
#include "core/status_macros.h"
#include "riskcap/v1/risk.grpc.pb.h"

namespace riskcap::client {
namespace {

enum class Benchmark { kSaccr, kImSchedule };

constexpr char kInputHelp[] = R"(Input (--input FILE.json): netting sets of hypothetical OTC trades,
amounts in one currency, times in years (docs/risk-methods.md):
  {"netting_sets": [{"id": "NS1", "margined": false, "collateral": 0,
    "threshold": 0, "mta": 0, "nica": 0, "mpor_days": 10,
    "trades": [{"id": "T1", "asset_class": "IR", "hedging_key": "USD",
      "notional": 10000, "start_years": 0, "end_years": 10,
      "maturity_years": 10, "mtm": 30, "direction": "LONG"}]}]}
asset_class: IR FX CREDIT EQUITY COMMODITY OTHER (OTHER: im-schedule only).
direction: LONG or SHORT. An option adds "option": {"type": "CALL"|"PUT",
"bought": true, "expiry_years", "strike", "underlying_price"}. Credit adds
"rating" (AAA..CCC, or IG/SG with "index": true); commodity adds
"commodity_set" (ENERGY METALS AGRICULTURAL OTHER).
)";

// Appends the columns (or cells) of `object`; a nested object, such as the SA-CCR add-ons,
// contributes addon_ir, addon_fx, ...
void Flatten(const Json& object, std::vector<std::string>* columns, std::vector<Json>* cells) {
  for (const auto& [key, value] : object.items()) {
    if (!value.is_object()) {
      if (columns != nullptr) columns->push_back(key);
      if (cells != nullptr) cells->push_back(value);
      continue;
    }
    for (const auto& [inner, cell] : value.items()) {
      if (columns != nullptr)
        columns->push_back(absl::AsciiStrToLower(absl::StrCat(key, "_", inner)));
      if (cells != nullptr) cells->push_back(cell);
    }
  }
}

// One row per netting set of a result document.
Table ResultTable(const Json& document) {
  const Json& sets = document.at("netting_sets");
  std::vector<std::string> columns;
  if (!sets.empty()) Flatten(sets[0], &columns, nullptr);
  Table table(columns);
  for (const Json& set : sets) {
    std::vector<Json> cells;
    Flatten(set, nullptr, &cells);
    table.AddRow(std::move(cells));
  }
  return table;
}

absl::Status RunCalc(const CommandContext& context, const std::string& input, Benchmark benchmark) {
  ASSIGN_OR_RETURN(v1::CalculateBenchmarkRequest request,
                   ReadBenchmarkFile(input, benchmark == Benchmark::kSaccr
                                                ? CalcMethod::kSaccr
                                                : CalcMethod::kImSchedule));
  if (benchmark == Benchmark::kSaccr) RETURN_IF_ERROR(RequireSaccrAssetClasses(request));
  ASSIGN_OR_RETURN(auto risk, context.Open<v1::RiskService>());
  v1::CalculateBenchmarkResponse response;
  RETURN_IF_ERROR(risk.Call(&v1::RiskService::Stub::CalculateBenchmark, request, &response));
  Json document =
      benchmark == Benchmark::kSaccr ? SaccrToJson(response) : ImScheduleToJson(response);
  context.Print(ResultTable(document), &document);
  return absl::OkStatus();
}

void AddCalcCommand(CLI::App& calc, CommandContext& context, Benchmark benchmark,
                    const std::string& name, const std::string& description) {
  std::string example =
      absl::StrCat("riskcap calc ", name, " --input netting_sets.json --output json");
  CLI::App* command = AddCommand(calc, name, description, example);
  command->footer(absl::StrCat(kInputHelp, "\n", command->get_footer()));
  auto input = std::make_shared<std::string>();
  command->add_option("-i,--input", *input, "JSON file of netting sets (format below)")->required();
  context.SetAction(command,
                    [&context, input, benchmark] { return RunCalc(context, *input, benchmark); });
}

}  // namespace

void RegisterCalcCommands(CLI::App& app, CommandContext& context) {
  CLI::App* calc = AddGroup(
      app, "calc", "What-if margin benchmarks for hypothetical netting sets (stores nothing)",
      "riskcap calc saccr --input netting_sets.json");
  AddCalcCommand(*calc, context, Benchmark::kSaccr, "saccr",
                 "Basel SA-CCR exposure (BCBS 279 / CRE52) per netting set: replacement cost, "
                 "add-on per asset class, multiplier, PFE and EAD = 1.4 x (RC + PFE)");
  AddCalcCommand(
      *calc, context, Benchmark::kImSchedule, "im-schedule",
      "BCBS-IOSCO standardised initial margin schedule per netting set: gross IM, "
      "gross and net replacement cost, NGR and net IM = 0.4 x gross + 0.6 x NGR x gross");
}

}  // namespace riskcap::client
