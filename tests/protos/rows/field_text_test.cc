// One field from text (protos/rows/field_text.cc): the rules a CSV cell and a JSON scalar share.
#include "protos/rows/field_text.h"

#include <google/protobuf/wrappers.pb.h>

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "riskcap/v1/common.pb.h"

namespace riskcap::rows {
namespace {

using google::protobuf::Message;

// Sets field `name` of `row` from `text`; the status.
absl::Status Set(Message& row, const std::string& name, const std::string& text) {
  const google::protobuf::FieldDescriptor* field = row.GetDescriptor()->FindFieldByName(name);
  EXPECT_NE(field, nullptr) << name;
  return SetFieldFromText(row, *field, text);
}

TEST(FieldText, BooleansTakeEverySpellingInAnyCase) {
  for (const char* yes : {"true", "TRUE", "t", "yes", "Y", "1"}) {
    google::protobuf::BoolValue row;
    ASSERT_TRUE(Set(row, "value", yes).ok()) << yes;
    EXPECT_TRUE(row.value()) << yes;
  }
  for (const char* no : {"false", "False", "f", "no", "N", "0"}) {
    google::protobuf::BoolValue row;
    row.set_value(true);
    ASSERT_TRUE(Set(row, "value", no).ok()) << no;
    EXPECT_FALSE(row.value()) << no;
  }
  google::protobuf::BoolValue row;
  absl::Status bad = Set(row, "value", "maybe");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.message(), "must be true or false, got 'maybe'")) << bad;
}

TEST(FieldText, EnumsByFullNameShortNameAnyCaseOrNumber) {
  struct Case {
    const char* text;
    v1::PositionClassification want;
  };
  for (const Case& c : {Case{"POSITION_CLASSIFICATION_OTC_SWAP",
                             v1::POSITION_CLASSIFICATION_OTC_SWAP},
                        Case{"OTC_SWAP", v1::POSITION_CLASSIFICATION_OTC_SWAP},
                        Case{"otc_swap", v1::POSITION_CLASSIFICATION_OTC_SWAP},
                        Case{"position_classification_offshore_fund",
                             v1::POSITION_CLASSIFICATION_OFFSHORE_FUND},
                        Case{"2", static_cast<v1::PositionClassification>(2)}}) {
    v1::Position row;
    ASSERT_TRUE(Set(row, "classification", c.text).ok()) << c.text;
    EXPECT_EQ(row.classification(), c.want) << c.text;
  }
  for (const char* bad : {"SWAPS", "999", "OTC"}) {
    v1::Position row;
    absl::Status status = Set(row, "classification", bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(status.message(), "must be a PositionClassification")) << status;
  }
}

TEST(FieldText, IntegersOfEveryWidthAndSign) {
  google::protobuf::Int32Value i32;
  EXPECT_TRUE(Set(i32, "value", "-7").ok());
  EXPECT_EQ(i32.value(), -7);
  EXPECT_FALSE(Set(i32, "value", "2147483648").ok());
  google::protobuf::Int64Value i64;
  EXPECT_TRUE(Set(i64, "value", "-9000000000").ok());
  EXPECT_EQ(i64.value(), -9000000000);
  EXPECT_FALSE(Set(i64, "value", "1.5").ok());
  google::protobuf::UInt32Value u32;
  EXPECT_TRUE(Set(u32, "value", "4294967295").ok());
  EXPECT_EQ(u32.value(), 4294967295u);
  EXPECT_FALSE(Set(u32, "value", "-1").ok());
  google::protobuf::UInt64Value u64;
  EXPECT_TRUE(Set(u64, "value", "18446744073709551615").ok());
  EXPECT_EQ(u64.value(), 18446744073709551615u);
  absl::Status negative = Set(u64, "value", "-1");
  EXPECT_TRUE(absl::StrContains(negative.message(), "must be an integer >= 0")) << negative;
}

TEST(FieldText, NumbersMustBeFiniteAndFloatsInRange) {
  google::protobuf::DoubleValue d;
  EXPECT_TRUE(Set(d, "value", "-1.25e3").ok());
  EXPECT_DOUBLE_EQ(d.value(), -1250);
  for (const char* bad : {"inf", "nan", "1e999", "abc"}) {
    EXPECT_EQ(Set(d, "value", bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  google::protobuf::FloatValue f;
  EXPECT_TRUE(Set(f, "value", "2.5").ok());
  EXPECT_FLOAT_EQ(f.value(), 2.5f);
  EXPECT_FALSE(Set(f, "value", "1e39").ok());
}

TEST(FieldText, StringsAsTheyAreWrappersAsTheirValueAndEmptyLeavesUnset) {
  v1::Position row;
  ASSERT_TRUE(Set(row, "market_value", " -1.50 ").ok());
  EXPECT_EQ(row.market_value(), " -1.50 ");
  ASSERT_TRUE(Set(row, "strike", "5.25").ok());
  EXPECT_DOUBLE_EQ(row.strike().value(), 5.25);
  ASSERT_TRUE(Set(row, "underlying_price", "").ok());
  EXPECT_FALSE(row.has_underlying_price());
  ASSERT_TRUE(Set(row, "fund_id", "").ok());
  EXPECT_EQ(row.fund_id(), 0);
}

TEST(FieldText, ScalarFieldsAndNamesInEitherCase) {
  const google::protobuf::Descriptor& position = *v1::Position::descriptor();
  EXPECT_EQ(FindRowField(position, "position_date")->name(), "position_date");
  EXPECT_EQ(FindRowField(position, "positionDate")->name(), "position_date");
  EXPECT_EQ(FindRowField(position, "colour"), nullptr);
  EXPECT_TRUE(IsScalarField(*FindRowField(position, "strike")));
  EXPECT_TRUE(IsScalarField(*FindRowField(position, "classification")));
  const google::protobuf::Descriptor& manager = *v1::Manager::descriptor();
  EXPECT_FALSE(IsScalarField(*manager.FindFieldByName("contact_emails")));
}

// The table answers as the searches by name it replaces, so the readers' rules do not change.
TEST(RowFields, FindsTheFieldsFindRowFieldFinds) {
  const google::protobuf::Descriptor& position = *v1::Position::descriptor();
  const RowFields fields(position);
  for (const char* name : {"position_date", "positionDate", "strike", "colour", "",
                           "POSITION_DATE", "underlyingPrice", "underlying_price"}) {
    EXPECT_EQ(fields.Find(name), FindRowField(position, name)) << name;
  }
  EXPECT_NE(fields.Find("positionDate"), nullptr);
}

TEST(RowFields, SetsEnumsAsSetFieldFromTextDoes) {
  const RowFields fields(*v1::Position::descriptor());
  const google::protobuf::FieldDescriptor& classification =
      *v1::Position::descriptor()->FindFieldByName("classification");
  const std::string long_number = std::string(200, '0') + "2";
  for (const std::string& text :
       {std::string("POSITION_CLASSIFICATION_OTC_SWAP"), std::string("otc_swap"),
        std::string("Otc_Swap"), std::string("position_classification_offshore_fund"),
        std::string("UNSPECIFIED"), std::string("2"), std::string("999"), std::string("OTC"),
        std::string("SWAPS"), long_number, std::string(200, 'A')}) {
    v1::Position by_table;
    v1::Position by_search;
    absl::Status table_status = fields.Set(by_table, classification, text);
    absl::Status search_status = SetFieldFromText(by_search, classification, text);
    EXPECT_EQ(table_status, search_status) << text;
    EXPECT_EQ(by_table.classification(), by_search.classification()) << text;
  }
  v1::Position row;
  ASSERT_TRUE(fields.Set(row, classification, "otc_swap").ok());
  EXPECT_EQ(row.classification(), v1::POSITION_CLASSIFICATION_OTC_SWAP);
  ASSERT_TRUE(fields.Set(row, classification, long_number).ok());
  EXPECT_EQ(row.classification(), static_cast<v1::PositionClassification>(2));
}

TEST(RowFields, SetsWrappersAndScalarsAsSetFieldFromTextDoes) {
  const RowFields fields(*v1::Position::descriptor());
  v1::Position row;
  ASSERT_TRUE(fields.Set(row, *fields.Find("strike"), "5.25").ok());
  EXPECT_DOUBLE_EQ(row.strike().value(), 5.25);
  ASSERT_TRUE(fields.Set(row, *fields.Find("fundId"), "101").ok());
  EXPECT_EQ(row.fund_id(), 101);
  absl::Status bad = fields.Set(row, *fields.Find("strike"), "abc");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.message(), "must be a number, got 'abc'")) << bad;
}

}  // namespace
}  // namespace riskcap::rows
