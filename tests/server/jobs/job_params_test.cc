// Job parameters read back from their canonical JSON (server/jobs/job_params.cc).
#include "server/jobs/job_params.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/job_pipeline.h"
#include "gtest/gtest.h"

namespace riskcap::server::jobs {
namespace {

TEST(ParseParamsJson, InvertsParamsJson) {
  const std::map<std::string, std::string> params = {
      {"from", "2024-01-01"}, {"q", "a\"b\\c\n"}, {"name", "S\xc3\xa3o Paulo"}};
  EXPECT_EQ(ParseParamsJson(ParamsJson(params)).value(), params);
  EXPECT_TRUE(ParseParamsJson(" { } ").value().empty());
  EXPECT_EQ(ParseParamsJson(R"({"a":"\u00e3"})").value().at("a"), "\xc3\xa3");
}

TEST(ParseParamsJson, RefusesAnythingButAFlatObjectOfStrings) {
  for (const char* bad : {"", "[]", "\"a\"", R"({"a":1})", R"({"a":null})", R"({"a":["b"]})",
                          R"({"a":1e999})", R"({"a":"b")", R"({"a":"b"} x)", R"({"a"})"}) {
    EXPECT_EQ(ParseParamsJson(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseParamsJson, IsBoundedInSizeCountAndEncoding) {
  EXPECT_TRUE(absl::StrContains(
      ParseParamsJson(absl::StrCat("{\"a\":\"", std::string(kMaxParamsJsonBytes, 'x'), "\"}"))
          .status().message(),
      "at most 65536"));
  std::map<std::string, std::string> many;
  for (size_t i = 0; i < kMaxParams; ++i) many.emplace(absl::StrCat("k", i), "v");
  EXPECT_TRUE(ParseParamsJson(ParamsJson(many)).ok());
  many.emplace("one_more", "v");
  EXPECT_TRUE(absl::StrContains(ParseParamsJson(ParamsJson(many)).status().message(),
                                "more than 64 parameters"));
  // Nothing below decodes to text that is not UTF-8, nor is accepted loosely.
  for (const char* bad : {"{\"a\":\"\xe7\"}", "{\"a\":\"\xed\xa0\x80\"}", R"({"a":"\ud800"})",
                          R"({"a":"\udc00"})", R"({"a":"\ud800\u0041"})", R"({"a":"\x"})",
                          "{\"a\":\"line\nbreak\"}", R"({"a":"1","a":"2"})",
                          R"({"a":{"b":"c"}})"}) {
    EXPECT_EQ(ParseParamsJson(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseParamsJson(R"({"a":"\ud83d\ude00"})").value().at("a"), "\xf0\x9f\x98\x80");
  // Deep nesting is a plain syntax error: the reader never nests.
  EXPECT_FALSE(ParseParamsJson(std::string(100000, '{')).ok());
}

}  // namespace
}  // namespace riskcap::server::jobs
