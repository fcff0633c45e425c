// Feed guards (docs/jobs.md): decide whether a freshly fetched feed is empty or clearly partial, so
// a
// job quarantines it instead of letting it replace the current good data. Pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace riskcap {

// Rows of one load, in total and per sub-feed (e.g. per position classification: "OTC_OPTION",
// "OTC_SWAP", "OFFSHORE_FUND"). Sub-feeds not listed count as 0.
struct FeedCounts {
  int64_t total = 0;
  std::map<std::string, int64_t> by_subfeed;
};

struct FeedGuardInput {
  std::string feed;                     // e.g. "positions", named in the reason
  FeedCounts current;                   // what was just fetched
  std::optional<FeedCounts> previous;   // the load it would replace; none on a first load
  // Sub-feeds that must not vanish: one of them empty now while the previous load had rows of
  // it quarantines the feed.
  std::vector<std::string> guarded_subfeeds;
  double min_fraction = 0.5;            // of the previous load's total; 0 disables the check
};

// Why a feed is quarantined. `code` is stable (it goes into finding dedup keys): "EMPTY",
// "SUBFEED_EMPTY:<name>" or "PARTIAL"; `message` says why in one sentence.
struct Quarantine {
  std::string code;
  std::string message;
  bool operator==(const Quarantine&) const = default;
};

// The first rule the feed breaks, in this order: empty; a guarded sub-feed empty although the
// previous load had rows of it; fewer rows than min_fraction × the previous load's total.
// nullopt when the feed may be applied.
std::optional<Quarantine> CheckFeed(const FeedGuardInput& input);

}  // namespace riskcap
