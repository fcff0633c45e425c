// Tests for core/rules/rules_config.{h,cc}: defaults, every key, bad values, text form, round trip.
#include "core/rules/rules_config.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/absl_compat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(StdView(status.message())); }

TEST(RulesConfig, DefaultsAreTheProductPolicy) {
  const RulesConfig config;
  EXPECT_EQ(config.rule_version, "2026.12-1");
  EXPECT_EQ(config.periodicity_otc_general_days, 7);
  EXPECT_EQ(config.periodicity_otc_qualified_days, 30);
  EXPECT_EQ(config.periodicity_otc_professional_days, 90);
  EXPECT_EQ(config.periodicity_offshore_days, 30);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kRendaFixa), 0.20);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kAcoes), 0.40);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kCambial), 0.40);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kMultimercado), 0.70);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kFidc), std::nullopt);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kFii), std::nullopt);
  EXPECT_EQ(config.ClassCap(RegulatoryClass::kOther), std::nullopt);
  EXPECT_EQ(config.warning_fraction, 0.8);
  EXPECT_EQ(config.implausible_margin_fraction, 0.5);
}

TEST(RulesConfig, KeysAreListedInDocumentationOrder) {
  EXPECT_THAT(
      RulesConfigKeys(),
      ElementsAre("rule_version", "periodicity.otc.general", "periodicity.otc.qualified",
                  "periodicity.otc.professional", "periodicity.offshore", "cap.multimercado",
                  "cap.acoes", "cap.renda_fixa", "cap.cambial", "cap.fidc", "cap.fii", "cap.other",
                  "warning_fraction", "implausible_margin_fraction"));
}

TEST(RulesConfig, EachKeySetsItsField) {
  struct Case {
    const char* name;
    const char* key;
    const char* value;
    void (*expect)(RulesConfig&);  // applies the expected change to the defaults
  };
  const std::vector<Case> cases = {
      {"version", "rule_version", "2027.01-2",
       [](RulesConfig& c) { c.rule_version = "2027.01-2"; }},
      {"otc general", "periodicity.otc.general", "5",
       [](RulesConfig& c) { c.periodicity_otc_general_days = 5; }},
      {"otc qualified", "periodicity.otc.qualified", "15",
       [](RulesConfig& c) { c.periodicity_otc_qualified_days = 15; }},
      {"otc professional", "periodicity.otc.professional", "60",
       [](RulesConfig& c) { c.periodicity_otc_professional_days = 60; }},
      {"offshore", "periodicity.offshore", "45",
       [](RulesConfig& c) { c.periodicity_offshore_days = 45; }},
      {"min days", "periodicity.offshore", "1",
       [](RulesConfig& c) { c.periodicity_offshore_days = 1; }},
      {"max days", "periodicity.offshore", "3660",
       [](RulesConfig& c) { c.periodicity_offshore_days = 3660; }},
      {"cap renda fixa", "cap.renda_fixa", "0.15",
       [](RulesConfig& c) {
         c.class_caps[static_cast<size_t>(RegulatoryClass::kRendaFixa)] = 0.15;
       }},
      {"cap acoes", "cap.acoes", "0.35",
       [](RulesConfig& c) { c.class_caps[static_cast<size_t>(RegulatoryClass::kAcoes)] = 0.35; }},
      {"cap cambial", "cap.cambial", "1",
       [](RulesConfig& c) { c.class_caps[static_cast<size_t>(RegulatoryClass::kCambial)] = 1.0; }},
      {"cap multimercado", "cap.multimercado", "0.6",
       [](RulesConfig& c) {
         c.class_caps[static_cast<size_t>(RegulatoryClass::kMultimercado)] = 0.6;
       }},
      {"cap for fidc", "cap.fidc", "0.5",
       [](RulesConfig& c) { c.class_caps[static_cast<size_t>(RegulatoryClass::kFidc)] = 0.5; }},
      {"cap removed", "cap.multimercado", "none",
       [](RulesConfig& c) {
         c.class_caps[static_cast<size_t>(RegulatoryClass::kMultimercado)].reset();
       }},
      {"warning", "warning_fraction", "0.9", [](RulesConfig& c) { c.warning_fraction = 0.9; }},
      {"warning exponent", "warning_fraction", "75e-2",
       [](RulesConfig& c) { c.warning_fraction = 0.75; }},
      {"implausible", "implausible_margin_fraction", "0.25",
       [](RulesConfig& c) { c.implausible_margin_fraction = 0.25; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RulesConfig expected;
    c.expect(expected);
    absl::StatusOr<RulesConfig> parsed = ParseRulesConfig({{c.key, c.value}});
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, expected);
  }
}

TEST(RulesConfig, BadValuesAreInvalidArgumentNamingTheKey) {
  struct Case {
    const char* name;
    const char* key;
    std::string value;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"unknown key", "periodicity.otc", "7", "unknown rules config key 'periodicity.otc'"},
      {"unknown class", "cap.fundo", "0.2", "unknown rules config key 'cap.fundo'"},
      {"upper-case class", "cap.RENDA_FIXA", "0.2", "unknown rules config key 'cap.RENDA_FIXA'"},
      {"zero days", "periodicity.otc.general", "0", "'periodicity.otc.general': value '0'"},
      {"negative days", "periodicity.offshore", "-30", "'periodicity.offshore': value '-30'"},
      {"too many days", "periodicity.offshore", "3661", "in [1, 3660]"},
      {"fractional days", "periodicity.otc.qualified", "7.5", "'periodicity.otc.qualified'"},
      {"days text", "periodicity.otc.professional", "ninety", "whole number of days"},
      {"empty days", "periodicity.otc.general", "", "'periodicity.otc.general': value ''"},
      {"percent sign", "cap.renda_fixa", "20%", "'cap.renda_fixa': value '20%'"},
      {"cap as percent", "cap.acoes", "40", "must be a number in (0, 1]"},
      {"zero cap", "cap.cambial", "0", "'cap.cambial'"},
      {"negative cap", "cap.multimercado", "-0.7", "'cap.multimercado'"},
      {"nan cap", "cap.acoes", "nan", "'cap.acoes': value 'nan'"},
      {"inf fraction", "warning_fraction", "inf", "'warning_fraction': value 'inf'"},
      {"fraction above one", "warning_fraction", "1.2", "'warning_fraction'"},
      {"zero fraction", "implausible_margin_fraction", "0", "'implausible_margin_fraction'"},
      {"empty version", "rule_version", "", "'rule_version'"},
      {"version with space", "rule_version", "2026 11", "'rule_version': value '2026 11'"},
      {"long version", "rule_version", std::string(65, 'v'), "1 to 64"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RulesConfig> parsed = ParseRulesConfig({{c.key, c.value}});
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(parsed.status()), HasSubstr(c.message));
  }
}

TEST(RulesConfig, FailedSettingLeavesConfigUnchanged) {
  RulesConfig config;
  EXPECT_EQ(ApplyRulesSetting("cap.acoes", "2", config).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyRulesSetting("periodicity.offshore", "x", config).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config, RulesConfig{});
}

TEST(RulesConfig, KeyGivenTwiceIsRejected) {
  absl::StatusOr<RulesConfig> parsed =
      ParseRulesConfig({{"warning_fraction", "0.8"}, {"warning_fraction", "0.9"}});
  ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(parsed.status()), HasSubstr("'warning_fraction' is given more than once"));
}

TEST(RulesConfig, SettingsApplyOnTopOfTheGivenBase) {
  RulesConfig base;
  base.periodicity_offshore_days = 10;
  absl::StatusOr<RulesConfig> parsed = ParseRulesConfig({{"periodicity.otc.general", "3"}}, base);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->periodicity_offshore_days, 10);
  EXPECT_EQ(parsed->periodicity_otc_general_days, 3);
}

TEST(RulesConfig, TextFormSkipsCommentsAndTrimsSpaces) {
  absl::StatusOr<RulesConfig> parsed = ParseRulesConfigText(
      "# administrator policy\r\n"
      "\n"
      "  periodicity.otc.general = 5 \r\n"
      "cap.renda_fixa=0.15\n"
      "   # indented comment\n"
      "cap.fii = 0.3");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->periodicity_otc_general_days, 5);
  EXPECT_EQ(parsed->ClassCap(RegulatoryClass::kRendaFixa), 0.15);
  EXPECT_EQ(parsed->ClassCap(RegulatoryClass::kFii), 0.3);
  EXPECT_EQ(parsed->periodicity_offshore_days, 30);
}

TEST(RulesConfig, TextFormErrorsNameTheLine) {
  struct Case {
    const char* name;
    const char* text;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"no equals", "warning_fraction=0.8\nperiodicity.offshore 30", "line 2: expected key=value"},
      {"bad value", "# c\n\ncap.acoes=abc", "line 3: rules config key 'cap.acoes': value 'abc'"},
      {"duplicate", "cap.acoes=0.3\ncap.acoes=0.35",
       "line 2: rules config key 'cap.acoes' is given"},
      {"unknown", "foo=1", "line 1: unknown rules config key 'foo'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<RulesConfig> parsed = ParseRulesConfigText(c.text);
    ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(parsed.status()), HasSubstr(c.message));
  }
}

TEST(RulesConfig, FormatParsesBackToAnEqualConfig) {
  RulesConfig config;
  config.rule_version = "test-7";
  config.periodicity_otc_professional_days = 61;
  config.class_caps[static_cast<size_t>(RegulatoryClass::kAcoes)].reset();
  config.class_caps[static_cast<size_t>(RegulatoryClass::kFidc)] =
      0.1 + 0.2;  // not a short decimal
  config.warning_fraction = 0.85;
  for (const RulesConfig& c : {RulesConfig{}, config}) {
    absl::StatusOr<RulesConfig> parsed = ParseRulesConfigText(FormatRulesConfig(c));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_THAT(FormatRulesConfig(RulesConfig{}),
              HasSubstr("cap.multimercado=0.7\ncap.acoes=0.4\ncap.renda_fixa=0.2\ncap.cambial=0.4\n"
                        "cap.fidc=none\ncap.fii=none\ncap.other=none\nwarning_fraction=0.8"));
}

}  // namespace
}  // namespace riskcap::rules
