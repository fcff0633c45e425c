// Tests for core/date: strict date parsing, weekday arithmetic and UTC timestamps.
#include "core/date.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

using ::testing::HasSubstr;

TEST(Date, ParseDateAcceptsRealCalendarDates) {
  struct Case {
    std::string text;
    Date date;
  };
  const std::vector<Case> cases = {
      {"2026-11-24", Date(2026, 11, 24)}, {"2024-02-29", Date(2024, 2, 29)},
      {"2000-02-29", Date(2000, 2, 29)},  {"1900-01-01", Date(1900, 1, 1)},
      {"9999-12-31", Date(9999, 12, 31)}, {"2026-12-31", Date(2026, 12, 31)},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Date> date = ParseDate(c.text);
    ASSERT_TRUE(date.ok()) << c.text << ": " << date.status();
    EXPECT_EQ(*date, c.date) << c.text;
  }
}

TEST(Date, ParseDateRejectsTextNotInYyyyMmDdForm) {
  const std::vector<std::string> cases = {
      "",           "2026-2-3",    "26-01-01",    "2026-01-01x", " 2026-01-01", "2026-01-01 ",
      "2026/01/01", "20260101",    "2026-1a-01",  "+202-01-01",  "-026-01-01",  "2026-01-1 ",
      "10000-01-01", "2026-01-01T00:00:00Z",      "２０２６-01-01",
  };
  for (const std::string& text : cases) {
    absl::StatusOr<Date> date = ParseDate(text);
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(date.status().message(), HasSubstr("YYYY-MM-DD")) << text;
  }
}

TEST(Date, ParseDateRejectsImpossibleDates) {
  const std::vector<std::string> cases = {
      "2026-02-30", "2023-02-29", "1900-02-29", "2100-02-29", "2026-04-31",
      "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "2026-99-99",
  };
  for (const std::string& text : cases) {
    absl::StatusOr<Date> date = ParseDate(text);
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(date.status().message(), HasSubstr("\"" + text + "\" is not a real calendar date"));
  }
}

TEST(Date, ParseDateRejectsYearsOutside1900To9999) {
  for (const std::string text : {"1899-12-31", "0000-01-01", "0001-01-01"}) {
    absl::StatusOr<Date> date = ParseDate(text);
    EXPECT_EQ(date.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(date.status().message(), HasSubstr("1900..9999")) << text;
  }
}

TEST(Date, FormatDatePadsToYyyyMmDd) {
  EXPECT_EQ(FormatDate(Date(2026, 1, 5)), "2026-01-05");
  EXPECT_EQ(FormatDate(Date(1900, 12, 31)), "1900-12-31");
}

// FormatDate is hand-formatted for speed; it must print exactly what "%04d-%02d-%02d" prints,
// on every day of the supported years' edges and outside them (negative and 5-digit years).
TEST(Date, FormatDateMatchesPrintfFormatting) {
  const auto printf_form = [](Date d) {
    return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  };
  for (Date d(1899, 1, 1); d < Date(1901, 1, 1); ++d) ASSERT_EQ(FormatDate(d), printf_form(d));
  for (Date d(2026, 1, 1); d < Date(2027, 1, 1); ++d) ASSERT_EQ(FormatDate(d), printf_form(d));
  for (Date d(9998, 12, 1); d < Date(10000, 2, 1); ++d) ASSERT_EQ(FormatDate(d), printf_form(d));
  for (Date d : {Date(0, 1, 1), Date(7, 3, 9), Date(99, 10, 10), Date(-1, 12, 31),
                 Date(-12345, 6, 7), Date(12345, 6, 7)}) {
    EXPECT_EQ(FormatDate(d), printf_form(d));
  }
  EXPECT_EQ(FormatDate(Date(7, 3, 9)), "0007-03-09");
}

TEST(Date, FormatDateRoundTripsThroughParseDate) {
  for (Date d(1999, 12, 1); d < Date(2002, 3, 1); ++d) {
    absl::StatusOr<Date> parsed = ParseDate(FormatDate(d));
    ASSERT_TRUE(parsed.ok()) << FormatDate(d);
    ASSERT_EQ(*parsed, d);
  }
}

TEST(Date, IsWeekdayIsMondayToFriday) {
  EXPECT_TRUE(IsWeekday(Date(2026, 11, 23)));   // Monday
  EXPECT_TRUE(IsWeekday(Date(2026, 11, 20)));   // Friday
  EXPECT_FALSE(IsWeekday(Date(2026, 11, 21)));  // Saturday
  EXPECT_FALSE(IsWeekday(Date(2026, 11, 22)));  // Sunday
}

TEST(Date, WeekdaysBetweenCountsWeekdaysAfterFromUpToAndIncludingTo) {
  const Date friday(2026, 11, 20), saturday(2026, 11, 21), sunday(2026, 11, 22),
      monday(2026, 11, 23);
  EXPECT_EQ(WeekdaysBetween(friday, monday), 1);
  EXPECT_EQ(WeekdaysBetween(friday, sunday), 0);
  EXPECT_EQ(WeekdaysBetween(saturday, monday), 1);
  EXPECT_EQ(WeekdaysBetween(monday, monday + 7), 5);
  EXPECT_EQ(WeekdaysBetween(monday - 1, monday + 4), 5);
  EXPECT_EQ(WeekdaysBetween(Date(2026, 1, 1), Date(2027, 1, 1)), 261);
}

TEST(Date, WeekdaysBetweenIsZeroWhenToIsNotAfterFrom) {
  const Date monday(2026, 11, 23);
  EXPECT_EQ(WeekdaysBetween(monday, monday), 0);
  EXPECT_EQ(WeekdaysBetween(monday, monday - 1), 0);
  EXPECT_EQ(WeekdaysBetween(monday, monday - 400), 0);
}

TEST(Date, WeekdaysBetweenMatchesDayByDayCount) {
  const Date first(2026, 1, 1);
  for (int start = 0; start < 14; ++start) {
    const Date from = first + start;
    int64_t brute_force = 0;
    for (int length = 0; length <= 400; ++length) {
      const Date to = from + length;
      if (length > 0 && IsWeekday(to)) ++brute_force;
      ASSERT_EQ(WeekdaysBetween(from, to), brute_force)
          << FormatDate(from) << " .. " << FormatDate(to);
    }
  }
}

TEST(Date, WeekdaysBetweenHandlesTheWholeSupportedRange) {
  // About three million days: the whole-week arithmetic must agree over the full range.
  const Date from(1900, 1, 1), to(9999, 12, 31);
  int64_t brute_force = 0;
  for (Date d = from + 1; d <= to; ++d) brute_force += IsWeekday(d) ? 1 : 0;
  EXPECT_EQ(WeekdaysBetween(from, to), brute_force);
}

TEST(Date, UnixMicrosRoundTrip) {
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'795'525'500'123'456},
                         int64_t{-2'208'988'800'000'000}}) {
    // Qualified: absl::ToUnixMicros(absl::Time) is also found by argument-dependent lookup.
    EXPECT_EQ(absl::ToUnixMicros(absl::FromUnixMicros(micros)), micros);
  }
  EXPECT_EQ(absl::FromUnixMicros(1'500'000), absl::UnixEpoch() + absl::Milliseconds(1500));
}

TEST(Date, FormatTimestampIsRfc3339UtcWithSixFractionDigits) {
  const absl::Time t =
      absl::FromCivil(absl::CivilSecond(2026, 11, 24, 13, 5, 0), absl::UTCTimeZone());
  EXPECT_EQ(FormatTimestamp(t + absl::Microseconds(123456)), "2026-11-24T13:05:00.123456Z");
  EXPECT_EQ(FormatTimestamp(t), "2026-11-24T13:05:00.000000Z");
  EXPECT_EQ(FormatTimestamp(t + absl::Microseconds(7)), "2026-11-24T13:05:00.000007Z");
  EXPECT_EQ(FormatTimestamp(absl::UnixEpoch()), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMicros(-1)), "1969-12-31T23:59:59.999999Z");
}

TEST(Date, FormatTimestampTruncatesBelowAMicrosecond) {
  EXPECT_EQ(FormatTimestamp(absl::UnixEpoch() + absl::Nanoseconds(999)),
            "1970-01-01T00:00:00.000000Z");
}

TEST(Date, UtcDateIsTheCalendarDayInUtc) {
  const absl::Time midnight = absl::FromCivil(absl::CivilDay(2026, 11, 24), absl::UTCTimeZone());
  EXPECT_EQ(UtcDate(midnight), Date(2026, 11, 24));
  EXPECT_EQ(UtcDate(midnight - absl::Microseconds(1)), Date(2026, 11, 23));
  EXPECT_EQ(UtcDate(absl::FromUnixMicros(-1)), Date(1969, 12, 31));
}

}  // namespace
}  // namespace riskcap
