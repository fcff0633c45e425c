// Tests for core/logger: logfmt formatting, quoting, level filtering and atomic records.
#include "core/logger.h"

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

using ::testing::MatchesRegex;

// The minimum level is process-wide; each test starts from kInfo and leaves it as it found it.
class Logger : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = MinLogLevel();
    SetMinLogLevel(LogLevel::kInfo);
  }
  void TearDown() override { SetMinLogLevel(saved_); }

 private:
  LogLevel saved_ = LogLevel::kInfo;
};

constexpr char kTimestampPattern[] =
    "ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z ";

TEST_F(Logger, FormatsLevelQuotedMessageAndFieldsInOrder) {
  EXPECT_EQ(FormatLogRecord(LogLevel::kInfo, "fund loaded",
                            {{"fund", "F1"}, {"positions", 3}, {"nav", std::string("1234.50")}}),
            "level=info msg=\"fund loaded\" fund=F1 positions=3 nav=1234.50");
}

TEST_F(Logger, NamesEachLevel) {
  EXPECT_EQ(FormatLogRecord(LogLevel::kDebug, "m", {}), "level=debug msg=\"m\"");
  EXPECT_EQ(FormatLogRecord(LogLevel::kInfo, "m", {}), "level=info msg=\"m\"");
  EXPECT_EQ(FormatLogRecord(LogLevel::kWarning, "m", {}), "level=warning msg=\"m\"");
  EXPECT_EQ(FormatLogRecord(LogLevel::kError, "m", {}), "level=error msg=\"m\"");
}

TEST_F(Logger, QuotesAndEscapesValuesOnlyWhenNeeded) {
  struct Case {
    std::string value;
    std::string rendered;
  };
  const std::vector<Case> cases = {
      {"plain", "plain"},
      {"1234.50", "1234.50"},
      {"C:\\dir", "C:\\dir"},  // a backslash alone is unambiguous unquoted
      {"", "\"\""},
      {"two words", "\"two words\""},
      {"a=b", "\"a=b\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"C:\\dir x", "\"C:\\\\dir x\""},
      {"line1\nline2", "\"line1\\nline2\""},
      {"tab\there", "\"tab\\there\""},
      {"cr\r", "\"cr\\r\""},
      {std::string("nul\0", 4), "\"nul\\x00\""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatLogRecord(LogLevel::kInfo, "m", {{"k", c.value}}),
              "level=info msg=\"m\" k=" + c.rendered)
        << c.value;
  }
}

TEST_F(Logger, AlwaysQuotesAndEscapesTheMessage) {
  EXPECT_EQ(FormatLogRecord(LogLevel::kError, "", {}), "level=error msg=\"\"");
  EXPECT_EQ(FormatLogRecord(LogLevel::kError, "bad \"row\"\nat 3", {}),
            "level=error msg=\"bad \\\"row\\\"\\nat 3\"");
}

TEST_F(Logger, WritesBoolsAsWordsAndNumbersInDecimal) {
  EXPECT_EQ(FormatLogRecord(LogLevel::kInfo, "m", {{"ok", true}, {"stale", false}}),
            "level=info msg=\"m\" ok=true stale=false");
  EXPECT_EQ(FormatLogRecord(LogLevel::kInfo, "m", {{"n", -42}, {"big", 9'000'000'000LL}}),
            "level=info msg=\"m\" n=-42 big=9000000000");
}

TEST_F(Logger, ReplacesCharactersThatWouldBreakKeys) {
  EXPECT_EQ(FormatLogRecord(LogLevel::kInfo, "m", {{"fund id", "F1"}, {"a=b", 1}, {"", 2}}),
            "level=info msg=\"m\" fund_id=F1 a_b=1 _=2");
}

TEST_F(Logger, LogWritesOneTimestampedLineToStderr) {
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kWarning, "disk low", {{"free_mb", 12}});
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, MatchesRegex(std::string(kTimestampPattern) +
                                "level=warning msg=\"disk low\" free_mb=12\n"));
}

TEST_F(Logger, LogDropsRecordsBelowTheMinimumLevel) {
  SetMinLogLevel(LogLevel::kWarning);
  EXPECT_EQ(MinLogLevel(), LogLevel::kWarning);
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kDebug, "dropped");
  Log(LogLevel::kInfo, "dropped");
  Log(LogLevel::kError, "kept");
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, MatchesRegex(std::string(kTimestampPattern) + "level=error msg=\"kept\"\n"));
}

TEST_F(Logger, ConcurrentRecordsNeverInterleave) {
  constexpr int kThreads = 8, kRecordsPerThread = 200;
  const std::string payload(2000, 'x');
  ::testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &payload] {
      for (int i = 0; i < kRecordsPerThread; ++i) {
        Log(LogLevel::kInfo, "tick", {{"thread", t}, {"payload", payload}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string out = ::testing::internal::GetCapturedStderr();
  const std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kRecordsPerThread));
  const std::string head_pattern =
      std::string(kTimestampPattern) + "level=info msg=\"tick\" thread=[0-9]";
  const std::string tail = " payload=" + payload;
  for (const std::string& line : lines) {
    ASSERT_TRUE(absl::EndsWith(line, tail)) << line;
    ASSERT_THAT(line.substr(0, line.size() - tail.size()), MatchesRegex(head_pattern));
  }
}

// The names a configuration gives levels by (riskcapd's --log-level / RISKCAP_LOG_LEVEL) map
// both ways, in any case; any other text is no level (the configuration refuses it).
TEST(LogLevelNames, EveryLevelRoundTripsAndOtherTextIsNoLevel) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    EXPECT_EQ(LogLevelFromName(LogLevelName(level)), level) << LogLevelName(level);
  }
  EXPECT_EQ(LogLevelFromName("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(LogLevelFromName("Warning"), LogLevel::kWarning);
  for (const char* other : {"", "loud", "warn", "info ", "err"}) {
    EXPECT_EQ(LogLevelFromName(other), std::nullopt) << "'" << other << "'";
  }
}

// The logger reads no environment: only SetMinLogLevel changes the level. In a fresh re-executed
// child, so that the level is consulted for the first time with the variable set.
TEST(LoggerDeathTest, EnvironmentDoesNotSetTheLevel) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        setenv("RISKCAP_LOG_LEVEL", "error", 1);
        std::exit(MinLogLevel() == LogLevel::kInfo ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace riskcap
