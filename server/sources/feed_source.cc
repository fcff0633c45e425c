// Feed sources.
#include "server/sources/feed_source.h"

#include <fstream>
#include <sstream>
#include <system_error>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/status_macros.h"

namespace riskcap::server::sources {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error while reading ", path));
  return text.str();
}

}  // namespace

absl::StatusOr<FeedSource> FeedSource::Create(const SourceConfig& config) {
  const std::string& loc = config.location;
  if (absl::StartsWith(loc, "http://") || absl::StartsWith(loc, "https://")) {
    std::string base(absl::StripSuffix(loc, "/"));
    return FeedSource(SourceKind::kHttp, base, base, config.http);
  }
  if (absl::StartsWith(loc, "file:")) {
    std::string dir(absl::StripPrefix(loc, "file:"));
    if (absl::StartsWith(dir, "//")) dir = dir.substr(2);
    if (dir.empty()) return absl::InvalidArgumentError("source 'file:' needs a directory");
    return FeedSource(SourceKind::kFile, dir, absl::StrCat("file:", dir), config.http);
  }
  if (loc == "push") return FeedSource(SourceKind::kPush, "", "push", config.http);
  return absl::InvalidArgumentError(absl::StrCat(
      "source '", loc, "' is none of http(s)://..., file:/dir or push"));
}

absl::StatusOr<FeedPayload> FeedSource::Fetch(const std::string& dataset, Date date) const {
  const std::string day = FormatDate(date);
  switch (kind_) {
    case SourceKind::kHttp: {
      const std::string url = absl::StrCat(base_, "/v1/", dataset, "?date=", day);
      ASSIGN_OR_RETURN(HttpResponse response, fetcher_.Get(url));
      return FeedPayload{std::move(response.body), FeedFormat::kJson, url};
    }
    case SourceKind::kFile: {
      for (FeedFormat format : {FeedFormat::kJson, FeedFormat::kCsv}) {
        const std::string path = absl::StrCat(base_, "/", dataset, "-", day,
                                              format == FeedFormat::kJson ? ".json" : ".csv");
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) continue;
        ASSIGN_OR_RETURN(std::string text, ReadFile(path));
        return FeedPayload{std::move(text), format, path};
      }
      return absl::NotFoundError(absl::StrCat("no ", dataset, "-", day, ".json or .csv in ", base_));
    }
    case SourceKind::kPush:
      break;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("the ", dataset, " source is push: data arrives through IngestService uploads"));
}

}  // namespace riskcap::server::sources
