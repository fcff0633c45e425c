// The administrator's configurable rules policy (periodicities, caps, thresholds) and its parser.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/enums.h"

namespace riskcap::rules {

inline constexpr size_t kRegulatoryClassCount = EnumNames<RegulatoryClass>::kNames.size();
using ClassCaps = std::array<std::optional<double>, kRegulatoryClassCount>;

// CVM Resolution 175, Anexo Normativo I, art. 73: Renda Fixa 20%, Ações and Cambial 40%,
// Multimercado 70% of NAV; other classes are outside these limits.
constexpr ClassCaps DefaultClassCaps() {
  ClassCaps caps{};
  caps[static_cast<size_t>(RegulatoryClass::kRendaFixa)] = 0.20;
  caps[static_cast<size_t>(RegulatoryClass::kAcoes)] = 0.40;
  caps[static_cast<size_t>(RegulatoryClass::kCambial)] = 0.40;
  caps[static_cast<size_t>(RegulatoryClass::kMultimercado)] = 0.70;
  return caps;
}

// Policy inputs of the submission-status and risk-capital rules. Value type; thread-compatible.
// Defaults are the product's (docs/rules.md). Ratios are fractions of NAV (0.2 = 20%).
//
// Configuration keys (ParseRulesConfig, ParseRulesConfigText), one per field:
//   rule_version=<text>               recorded on every result; 1..64 characters, no whitespace
//   periodicity.otc.general=<days>    OTC-exposed funds for the general public (default 7)
//   periodicity.otc.qualified=<days>  OTC-exposed funds for qualified investors (default 30)
//   periodicity.otc.professional=<days>  OTC, professional investors (default 90)
//   periodicity.offshore=<days>       offshore-exposed funds, any audience (default 30)
//       days: an integer in [1, 3660]
//   cap.<class>=<ratio>|none          gross-margin cap of a regulatory class, <class> being the
//       lower-case class name: renda_fixa (0.2), acoes (0.4), cambial (0.4), multimercado (0.7),
//       fidc, fii, other (none). A ratio in (0, 1]; "none" = the class has no cap (N/A).
//   warning_fraction=<ratio>          WARNING from this fraction of the cap (default 0.8), (0, 1]
//   implausible_margin_fraction=<ratio>  a submitted margin below this fraction of the server's
//       benchmark is implausible (default 0.5), (0, 1]
struct RulesConfig {
  std::string rule_version = "2026.12-1";
  int32_t periodicity_otc_general_days = 7;
  int32_t periodicity_otc_qualified_days = 30;
  int32_t periodicity_otc_professional_days = 90;
  int32_t periodicity_offshore_days = 30;
  // Indexed by RegulatoryClass; nullopt = no cap (the class is outside art. 73's limits).
  ClassCaps class_caps = DefaultClassCaps();
  double warning_fraction = 0.8;
  double implausible_margin_fraction = 0.5;

  // The cap of `regulatory_class`, nullopt when the class has none.
  std::optional<double> ClassCap(RegulatoryClass regulatory_class) const {
    return class_caps[static_cast<size_t>(regulatory_class)];
  }
  bool operator==(const RulesConfig&) const = default;
};

// Every accepted key, in documentation order (e.g. for mapping RISKCAP_RULES_* variables).
std::vector<std::string> RulesConfigKeys();

// Sets one key on `config`. InvalidArgument naming the key: unknown key, or a value that is not
// of the key's type or outside its range. `config` is unchanged on error.
absl::Status ApplyRulesSetting(std::string_view key, std::string_view value, RulesConfig& config);

// `base` (the defaults unless given) with each (key, value) applied in order. A key given twice
// is InvalidArgument, as it is almost certainly a mistake in the source.
absl::StatusOr<RulesConfig> ParseRulesConfig(
    const std::vector<std::pair<std::string, std::string>>& settings, RulesConfig base = {});

// Parses a file body: one "key=value" per line; blank lines and lines starting with '#' are
// skipped; spaces around key and value are trimmed. Errors name the line number and the key.
absl::StatusOr<RulesConfig> ParseRulesConfigText(std::string_view text, RulesConfig base = {});

// `config` as "key=value" lines in RulesConfigKeys() order, no trailing newline; parses back to
// an equal config. For recording the policy a job run used.
std::string FormatRulesConfig(const RulesConfig& config);

}  // namespace riskcap::rules
