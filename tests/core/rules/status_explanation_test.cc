// Tests for core/rules/status_explanation.{h,cc} and status_steps.cc: canonical field names match
// CanonicalLine, comparison names exactly the figures that differ, and each step states its
// numbers.
#include "core/rules/status_explanation.h"

#include <string>
#include <vector>

#include "core/rules/margin_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Date kRef(2026, 11, 24);
Money M(const char* text) { return *Money::Parse(text); }

// Fund 7 (Multimercado, bylaws cap 50%): NAV 1,000,000, exchange 10%, manager local 300,000 and
// offshore 5,000 (no positions): gross 405,000 = 40.5% against a 50% cap, warning from 40%.
MarginStatusInput Input() {
  MarginStatusInput in;
  in.fund.id = 7;
  in.fund.manager_id = 3;
  in.fund.regulatory_class = RegulatoryClass::kMultimercado;
  in.fund.bylaws_margin_cap = 0.5;
  in.reference_date = kRef;
  FundExposure e;
  e.fund_id = 7;
  e.position_date = kRef - 1;
  e.offshore = true;
  in.exposure = e;
  MarginSubmission s;
  s.id = 70;
  s.fund_id = 7;
  s.reference_date = kRef - 2;
  s.submitted_at = absl::FromCivil(kRef - 2, absl::UTCTimeZone());
  s.local_margin = M("300000");
  s.offshore_margin = M("5000");
  in.submissions = {s};
  NavSnapshot n;
  n.fund_id = 7;
  n.position_date = kRef;
  n.nav = M("1000000");
  n.exchange_margin_pct = 0.1;
  in.nav = n;
  return in;
}

FundStatusRow Row(const MarginStatusInput& in) {
  absl::StatusOr<FundStatusRow> row = ComputeFundStatusRow(in, RulesConfig{});
  EXPECT_TRUE(row.ok()) << row.status();
  return *row;
}

std::string StepText(const std::vector<ExplanationStep>& steps, const std::string& name) {
  for (const ExplanationStep& s : steps) {
    if (s.name == name) return s.text;
  }
  return "(no step " + name + ")";
}

TEST(StatusExplanation, FieldNamesCoverEveryCanonicalField) {
  const FundStatusRow row = Row(Input());
  const std::vector<std::string> fields = SplitCanonicalLine(CanonicalLine(row));
  ASSERT_EQ(fields.size(), CanonicalFieldNames().size());
  EXPECT_EQ(CanonicalValue(row, "fund_id"), "7");
  EXPECT_EQ(CanonicalValue(row, "gross_margin"), "405000000000");
  EXPECT_EQ(CanonicalValue(row, "limit_status"), "WARNING");
  EXPECT_EQ(CanonicalValue(row, "breach_start_date"), "");
}

TEST(StatusExplanation, SplitUnescapesFields) {
  EXPECT_THAT(SplitCanonicalLine("a\\|b|c\\\\|\\n|\n"), ElementsAre("a|b", "c\\", "\n", ""));
}

TEST(StatusExplanation, CompareNamesExactlyTheFiguresThatDiffer) {
  const FundStatusRow stored = Row(Input());
  EXPECT_TRUE(CompareRows(stored, stored).empty());
  MarginStatusInput changed = Input();
  changed.nav->nav = M("1000000.00001");
  const std::vector<FigureDifference> diff = CompareRows(stored, Row(changed));
  std::vector<std::string> figures;
  for (const FigureDifference& d : diff) figures.push_back(d.figure);
  EXPECT_THAT(figures, ElementsAre("nav", "exchange_margin", "gross_margin", "utilisation"));
  EXPECT_EQ(diff[0].stored, "1000000000000");
  EXPECT_EQ(diff[0].recomputed, "1000000000010");
}

TEST(StatusExplanation, StepsStateTheArithmeticInWordsAndNumbers) {
  const FundStatusRow row = Row(Input());
  ExplanationFacts facts;
  facts.exchange_margin_pct = 0.1;
  facts.class_cap = 0.7;
  facts.bylaws_cap = 0.5;
  const std::vector<ExplanationStep> steps = ExplainRow(row, facts);
  EXPECT_EQ(StepText(steps, "exchange_margin"),
            "exchange margin = exchange_margin_pct 0.1 x NAV 1000000.00 (rounded half-even to "
            "micro-units) = 100000.00, from the NAV snapshot of 2026-11-24");
  EXPECT_EQ(StepText(steps, "gross_margin"),
            "gross margin = exchange 100000.00 + OTC 300000.00 + offshore 5000.00 = 405000.00");
  EXPECT_THAT(StepText(steps, "otc_margin"), HasSubstr("manager's local margin 300000.00"));
  EXPECT_EQ(StepText(steps, "utilisation"),
            "utilisation = gross 405000.00 / NAV 1000000.00 = 0.405 (40.5000%)");
  EXPECT_EQ(StepText(steps, "cap"),
            "cap = min(class cap 0.7 (70.0000%) for MULTIMERCADO, bylaws cap 0.5 (50.0000%)) = "
            "0.5 (50.0000%) (BYLAWS)");
  EXPECT_THAT(StepText(steps, "limit_status"), HasSubstr(">= warning level 0.4 (40.0000%)"));
  EXPECT_THAT(StepText(steps, "limit_status"), HasSubstr("WARNING"));
  EXPECT_EQ(StepText(steps, "breach_business_days"), "not in breach: 0 business days");
  for (const ExplanationStep& s : steps) EXPECT_EQ(s.value, CanonicalValue(row, s.name)) << s.name;
}

TEST(StatusExplanation, BreachStepSaysWhereTheBreachStarted) {
  MarginStatusInput in = Input();
  in.nav->exchange_margin_pct = 0.3;  // gross 60.5% > 50%
  FundStatusRow previous = Row(in);
  in.reference_date = kRef + 1;
  in.nav->position_date = kRef + 1;
  in.previous = previous;
  const FundStatusRow row = Row(in);
  ExplanationFacts facts;
  facts.previous_date = kRef;
  facts.previous_breach_start = kRef;
  EXPECT_EQ(StepText(ExplainRow(row, facts), "breach_business_days"),
            "in breach since 2026-11-24, continuing the breach of the previous result "
            "(2026-11-24): 2 business days (weekdays from 2026-11-24 to 2026-11-25)");
}

}  // namespace
}  // namespace riskcap::rules
