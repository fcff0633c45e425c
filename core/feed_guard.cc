// Feed guards.
#include "core/feed_guard.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace riskcap {
namespace {

int64_t CountOf(const FeedCounts& counts, const std::string& subfeed) {
  auto it = counts.by_subfeed.find(subfeed);
  return it == counts.by_subfeed.end() ? 0 : it->second;
}

}  // namespace

std::optional<Quarantine> CheckFeed(const FeedGuardInput& in) {
  if (in.current.total <= 0) {
    return Quarantine{"EMPTY", absl::StrCat("the ", in.feed, " feed returned no rows")};
  }
  if (!in.previous) return std::nullopt;
  for (const std::string& subfeed : in.guarded_subfeeds) {
    const int64_t before = CountOf(*in.previous, subfeed);
    if (before > 0 && CountOf(in.current, subfeed) == 0) {
      return Quarantine{absl::StrCat("SUBFEED_EMPTY:", subfeed),
                        absl::StrCat("the ", in.feed, " feed has no ", subfeed,
                                     " rows although the previous load had ", before)};
    }
  }
  const double floor = in.min_fraction * static_cast<double>(in.previous->total);
  if (in.min_fraction > 0 && static_cast<double>(in.current.total) < floor) {
    return Quarantine{
        "PARTIAL",
        absl::StrFormat("the %s feed has %d rows, fewer than %g of the previous load's %d",
                        in.feed, in.current.total, in.min_fraction, in.previous->total)};
  }
  return std::nullopt;
}

}  // namespace riskcap
