// Rules policy: key=value parsing with per-key validation, and formatting back.
#include "core/rules/rules_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"

namespace riskcap::rules {
namespace {

constexpr std::string_view kRuleVersionKey = "rule_version";
constexpr std::string_view kCapPrefix = "cap.";
constexpr std::string_view kNoCap = "none";
constexpr std::string_view kWarningFractionKey = "warning_fraction";
constexpr std::string_view kImplausibleFractionKey = "implausible_margin_fraction";
// A period longer than ten years is a typo, not a policy.
constexpr int32_t kMaxPeriodicityDays = 3660;
constexpr size_t kMaxRuleVersionLength = 64;

// One key=value with where it came from (line 0 = not from a file).
struct Setting {
  std::string_view key;
  std::string_view value;
  int line = 0;
};

absl::Status BadValue(std::string_view key, std::string_view value, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("rules config key '", AbslView(key), "': value '",
                                                 AbslView(value), "' ", AbslView(why)));
}

// The periodicity field a key names, or nullptr.
int32_t* PeriodicityField(std::string_view key, RulesConfig& config) {
  if (key == "periodicity.otc.general") return &config.periodicity_otc_general_days;
  if (key == "periodicity.otc.qualified") return &config.periodicity_otc_qualified_days;
  if (key == "periodicity.otc.professional") return &config.periodicity_otc_professional_days;
  if (key == "periodicity.offshore") return &config.periodicity_offshore_days;
  return nullptr;
}

// The plain ratio field a key names, or nullptr.
double* RatioField(std::string_view key, RulesConfig& config) {
  if (key == kWarningFractionKey) return &config.warning_fraction;
  if (key == kImplausibleFractionKey) return &config.implausible_margin_fraction;
  return nullptr;
}

std::string CapKey(RegulatoryClass regulatory_class) {
  return absl::StrCat(AbslView(kCapPrefix),
                      absl::AsciiStrToLower(AbslView(EnumName(regulatory_class))));
}

// The class a "cap.<class>" key names.
std::optional<RegulatoryClass> CapClass(std::string_view key) {
  for (size_t i = 0; i < kRegulatoryClassCount; ++i) {
    const auto regulatory_class = static_cast<RegulatoryClass>(i);
    if (key == CapKey(regulatory_class)) return regulatory_class;
  }
  return std::nullopt;
}

absl::StatusOr<int32_t> ParseDays(std::string_view key, std::string_view value) {
  int32_t days = 0;
  if (!absl::SimpleAtoi(AbslView(value), &days) || days < 1 || days > kMaxPeriodicityDays) {
    return BadValue(
        key, value,
        absl::StrCat("must be a whole number of days in [1, ", kMaxPeriodicityDays, "]"));
  }
  return days;
}

// A fraction in (0, 1]: caps above NAV and thresholds above the cap have no meaning.
absl::StatusOr<double> ParseRatio(std::string_view key, std::string_view value) {
  double ratio = 0;
  if (!absl::SimpleAtod(AbslView(value), &ratio) || !std::isfinite(ratio) || ratio <= 0 ||
      ratio > 1) {
    return BadValue(key, value, "must be a number in (0, 1], e.g. 0.2 for 20%");
  }
  return ratio;
}

absl::Status CheckRuleVersion(std::string_view value) {
  const bool has_space = std::any_of(value.begin(), value.end(), [](char c) {
    return !absl::ascii_isgraph(static_cast<unsigned char>(c));
  });
  if (value.empty() || value.size() > kMaxRuleVersionLength || has_space) {
    return BadValue(kRuleVersionKey, value, "must be 1 to 64 printable characters, no spaces");
  }
  return absl::OkStatus();
}

absl::Status ApplyCap(std::string_view key, std::string_view value, RulesConfig& config) {
  const std::optional<RegulatoryClass> regulatory_class = CapClass(key);
  if (!regulatory_class) {
    return absl::InvalidArgumentError(absl::StrCat("unknown rules config key '", AbslView(key),
                                                   "' (expected one of ",
                                                   absl::StrJoin(RulesConfigKeys(), ", "), ")"));
  }
  std::optional<double> cap;
  if (value != kNoCap) {
    ASSIGN_OR_RETURN(cap, ParseRatio(key, value));
  }
  config.class_caps[static_cast<size_t>(*regulatory_class)] = cap;
  return absl::OkStatus();
}

// Shortest text that parses back to exactly `value`.
std::string FormatRatio(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : absl::StrCat(value);
}

absl::StatusOr<RulesConfig> ApplyAll(const std::vector<Setting>& settings, RulesConfig config) {
  absl::flat_hash_set<std::string_view> seen;
  for (const Setting& s : settings) {
    const std::string where = s.line > 0 ? absl::StrCat("line ", s.line, ": ") : "";
    if (!seen.insert(s.key).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "rules config key '", AbslView(s.key), "' is given more than once"));
    }
    if (absl::Status status = ApplyRulesSetting(s.key, s.value, config); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, status.message()));
    }
  }
  return config;
}

}  // namespace

std::vector<std::string> RulesConfigKeys() {
  std::vector<std::string> keys = {std::string(kRuleVersionKey), "periodicity.otc.general",
                                   "periodicity.otc.qualified", "periodicity.otc.professional",
                                   "periodicity.offshore"};
  for (size_t i = 0; i < kRegulatoryClassCount; ++i) {
    keys.push_back(CapKey(static_cast<RegulatoryClass>(i)));
  }
  keys.emplace_back(kWarningFractionKey);
  keys.emplace_back(kImplausibleFractionKey);
  return keys;
}

absl::Status ApplyRulesSetting(std::string_view key, std::string_view value, RulesConfig& config) {
  if (key == kRuleVersionKey) {
    RETURN_IF_ERROR(CheckRuleVersion(value));
    config.rule_version = std::string(value);
  } else if (int32_t* days = PeriodicityField(key, config)) {
    ASSIGN_OR_RETURN(*days, ParseDays(key, value));
  } else if (double* ratio = RatioField(key, config)) {
    ASSIGN_OR_RETURN(*ratio, ParseRatio(key, value));
  } else {
    return ApplyCap(key, value, config);
  }
  return absl::OkStatus();
}

absl::StatusOr<RulesConfig> ParseRulesConfig(
    const std::vector<std::pair<std::string, std::string>>& settings, RulesConfig base) {
  std::vector<Setting> views;
  views.reserve(settings.size());
  for (const auto& [key, value] : settings) views.push_back({key, value});
  return ApplyAll(views, std::move(base));
}

absl::StatusOr<RulesConfig> ParseRulesConfigText(std::string_view text, RulesConfig base) {
  std::vector<Setting> settings;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(AbslView(text), '\n')) {
    ++line_number;
    const std::string_view line = StdView(absl::StripAsciiWhitespace(raw));
    if (line.empty() || line.front() == '#') continue;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": expected key=value, got '", AbslView(line), "'"));
    }
    settings.push_back({StdView(absl::StripAsciiWhitespace(AbslView(line.substr(0, equals)))),
                        StdView(absl::StripAsciiWhitespace(AbslView(line.substr(equals + 1)))),
                        line_number});
  }
  return ApplyAll(settings, std::move(base));
}

std::string FormatRulesConfig(const RulesConfig& config) {
  std::vector<std::string> lines = {
      absl::StrCat(AbslView(kRuleVersionKey), "=", config.rule_version),
      absl::StrCat("periodicity.otc.general=", config.periodicity_otc_general_days),
      absl::StrCat("periodicity.otc.qualified=", config.periodicity_otc_qualified_days),
      absl::StrCat("periodicity.otc.professional=", config.periodicity_otc_professional_days),
      absl::StrCat("periodicity.offshore=", config.periodicity_offshore_days)};
  for (size_t i = 0; i < kRegulatoryClassCount; ++i) {
    const std::optional<double>& cap = config.class_caps[i];
    lines.push_back(absl::StrCat(CapKey(static_cast<RegulatoryClass>(i)), "=",
                                 cap ? FormatRatio(*cap) : std::string(kNoCap)));
  }
  lines.push_back(
      absl::StrCat(AbslView(kWarningFractionKey), "=", FormatRatio(config.warning_fraction)));
  lines.push_back(absl::StrCat(AbslView(kImplausibleFractionKey), "=",
                               FormatRatio(config.implausible_margin_fraction)));
  return absl::StrJoin(lines, "\n");
}

}  // namespace riskcap::rules
