// Tests of the job runner's pure rules (core/job_pipeline.cc).
#include "core/job_pipeline.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

TEST(PipelineJobs, RunInDependencyOrderWithoutBackup) {
  EXPECT_EQ(PipelineJobs(),
            (std::vector<std::string>{"nav_snapshot", "margin_ingest", "nav_history", "positions",
                                      "swaps", "exposure_snapshot", "margin_status",
                                      "reminders"}));
}

TEST(PipelineJobsFrom, EmptyMeansEveryJob) {
  EXPECT_EQ(PipelineJobsFrom("").value(), PipelineJobs());
}

TEST(PipelineJobsFrom, StartsAtTheNamedJob) {
  EXPECT_EQ(PipelineJobsFrom("swaps").value(),
            (std::vector<std::string>{"swaps", "exposure_snapshot", "margin_status", "reminders"}));
  EXPECT_EQ(PipelineJobsFrom("reminders").value(), std::vector<std::string>{"reminders"});
}

TEST(PipelineJobsFrom, RefusesJobsOutsideThePipeline) {
  for (const char* job : {"backup", "pipeline", "nope"}) {
    auto jobs = PipelineJobsFrom(job);
    EXPECT_EQ(jobs.status().code(), absl::StatusCode::kInvalidArgument) << job;
    EXPECT_TRUE(absl::StrContains(jobs.status().message(), job)) << jobs.status();
  }
}

TEST(IsFinalJobState, OnlyFinishedStatesAreFinal) {
  EXPECT_FALSE(IsFinalJobState(JobState::kQueued));
  EXPECT_FALSE(IsFinalJobState(JobState::kRunning));
  EXPECT_TRUE(IsFinalJobState(JobState::kSucceeded));
  EXPECT_TRUE(IsFinalJobState(JobState::kFailed));
  EXPECT_TRUE(IsFinalJobState(JobState::kCancelled));
}

TEST(ProgressFraction, IsClampedAndUnknownTotalsGiveZero) {
  EXPECT_DOUBLE_EQ(ProgressFraction(50, 200, false), 0.25);
  EXPECT_DOUBLE_EQ(ProgressFraction(300, 200, false), 1.0);
  EXPECT_DOUBLE_EQ(ProgressFraction(50, 0, false), 0.0);
  EXPECT_DOUBLE_EQ(ProgressFraction(0, 0, true), 1.0);
}

TEST(ParamsJson, SortsKeysAndEscapes) {
  EXPECT_EQ(ParamsJson({}), "{}");
  EXPECT_EQ(ParamsJson({{"to", "2024-01-31"}, {"from", "2024-01-01"}}),
            R"({"from":"2024-01-01","to":"2024-01-31"})");
  EXPECT_EQ(ParamsJson({{"q", "a\"b\\c\n"}}), R"({"q":"a\"b\\c\u000a"})");
}

TEST(ParseParamsJson, InvertsParamsJson) {
  const std::map<std::string, std::string> params = {
      {"from", "2024-01-01"}, {"q", "a\"b\\c\n"}, {"name", "S\xc3\xa3o Paulo"}};
  EXPECT_EQ(ParseParamsJson(ParamsJson(params)).value(), params);
  EXPECT_TRUE(ParseParamsJson(" { } ").value().empty());
  EXPECT_EQ(ParseParamsJson(R"({"a":"\u00e3"})").value().at("a"), "\xc3\xa3");
}

TEST(ParseParamsJson, RefusesAnythingButAFlatObjectOfStrings) {
  for (const char* bad : {"", "[]", R"({"a":1})", R"({"a":"b")", R"({"a":"b"} x)", R"({"a"})"}) {
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
}  // namespace riskcap
