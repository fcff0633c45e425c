// Calendar dates and UTC timestamps: strict parsing, formatting and weekday arithmetic.
#include "core/date.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_compat.h"

namespace riskcap {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;
constexpr int64_t kDaysPerWeek = 7;
constexpr int64_t kWeekdaysPerWeek = 5;

// The input as it appears in error messages: quoted, escaped, and cut short if huge.
std::string Quoted(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  const absl::string_view shown = AbslView(text.substr(0, kMaxShown));
  return absl::StrCat("\"", absl::CHexEscape(shown), text.size() > kMaxShown ? "...\"" : "\"");
}

// Reads a fixed-width run of ASCII digits; false if any character is not a digit.
bool ReadDigits(std::string_view text, int& value) {
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

// Monday = 0 .. Sunday = 6, so that weekdays are exactly the indices below 5.
int64_t MondayBasedIndex(Date date) {
  switch (absl::GetWeekday(date)) {
    case absl::Weekday::monday: return 0;
    case absl::Weekday::tuesday: return 1;
    case absl::Weekday::wednesday: return 2;
    case absl::Weekday::thursday: return 3;
    case absl::Weekday::friday: return 4;
    case absl::Weekday::saturday: return 5;
    case absl::Weekday::sunday: return 6;
  }
  return 0;
}

}  // namespace

absl::StatusOr<Date> ParseDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  const bool well_formed = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                           ReadDigits(text.substr(0, 4), year) &&
                           ReadDigits(text.substr(5, 2), month) &&
                           ReadDigits(text.substr(8, 2), day);
  if (!well_formed) {
    return absl::InvalidArgumentError(
        absl::StrCat("date ", Quoted(text), " is not in YYYY-MM-DD form"));
  }
  if (year < kMinYear || year > kMaxYear) {
    return absl::InvalidArgumentError(absl::StrCat("date ", Quoted(text), " has year ", year,
                                                   "; supported years are 1900..9999"));
  }
  // CivilDay normalises out-of-range fields (Feb 30 -> Mar 2); a real date survives unchanged.
  const Date date(year, month, day);
  if (date.month() != month || date.day() != day) {
    return absl::InvalidArgumentError(
        absl::StrCat("date ", Quoted(text), " is not a real calendar date"));
  }
  return date;
}

std::string FormatDate(Date date) {
  const int64_t year = date.year();
  if (year < 0 || year > 9999) {
    return absl::StrFormat("%04d-%02d-%02d", year, date.month(), date.day());
  }
  // Hand-formatted: this runs for every date of every bulk-loaded row (binds, canonical lines).
  const auto digit = [](int64_t v) { return static_cast<char>('0' + v); };
  const int month = date.month();
  const int day = date.day();
  std::string out(10, '-');
  out[0] = digit(year / 1000);
  out[1] = digit(year / 100 % 10);
  out[2] = digit(year / 10 % 10);
  out[3] = digit(year % 10);
  out[5] = digit(month / 10);
  out[6] = digit(month % 10);
  out[8] = digit(day / 10);
  out[9] = digit(day % 10);
  return out;
}

bool IsWeekday(Date date) { return MondayBasedIndex(date) < kWeekdaysPerWeek; }

int64_t WeekdaysBetween(Date from, Date to) {
  const int64_t days = to - from;
  if (days <= 0) return 0;
  // Every whole week holds five weekdays; the leftover 0..6 days are checked one by one.
  const int64_t whole_weeks = days / kDaysPerWeek;
  const int64_t start = MondayBasedIndex(from);
  int64_t count = whole_weeks * kWeekdaysPerWeek;
  for (int64_t i = 1; i <= days % kDaysPerWeek; ++i) {
    if ((start + i) % kDaysPerWeek < kWeekdaysPerWeek) ++count;
  }
  return count;
}

std::string FormatTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

Date UtcDate(absl::Time t) { return absl::ToCivilDay(t, absl::UTCTimeZone()); }

}  // namespace riskcap
