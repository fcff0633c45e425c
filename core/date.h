// Calendar dates and UTC timestamps: parsing, formatting and day arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace riskcap {

// A calendar date with no time zone (a position date, a reference date, a due date).
using Date = absl::CivilDay;

// Parses strict ISO "YYYY-MM-DD" (a real calendar date, years 1900..9999) or InvalidArgument.
absl::StatusOr<Date> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(Date date);

// Monday..Friday. Holidays are not known to core; callers that need them supply a calendar.
bool IsWeekday(Date date);
// Business days (weekdays) in (from, to]; 0 when to <= from.
int64_t WeekdaysBetween(Date from, Date to);

// Timestamps are absl::Time, stored and transmitted as integer microseconds since the Unix epoch
// (absl::ToUnixMicros / absl::FromUnixMicros).
// RFC 3339 in UTC with microseconds, e.g. "2026-11-24T13:05:00.123456Z".
std::string FormatTimestamp(absl::Time t);
// The UTC calendar date of a timestamp.
Date UtcDate(absl::Time t);

}  // namespace riskcap
