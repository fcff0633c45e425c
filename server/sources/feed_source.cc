// Feed sources.
#include "server/sources/feed_source.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/absl_compat.h"
#include "core/status_macros.h"

namespace riskcap::server::sources {
namespace {

absl::Status TooLarge(const std::string& path, std::string_view size, int64_t max_bytes) {
  return rows::LimitError(rows::kTooLarge, absl::StrCat(path, ": ", AbslView(size),
                                                       " more than the limit of ", max_bytes,
                                                       " bytes (RISKCAP_FEED_MAX_BYTES)"));
}

// The whole file, when it holds at most `max_bytes`: its size is checked before reading, and the
// read stops past the limit (the file may grow, or be a pipe or a device without a size).
absl::StatusOr<std::string> ReadFile(const std::string& path, int64_t max_bytes) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > static_cast<std::uintmax_t>(max_bytes)) {
    return TooLarge(path, absl::StrCat("the file has ", size, " bytes,"), max_bytes);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string text;
  if (!ec) text.reserve(static_cast<size_t>(size));
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > static_cast<size_t>(max_bytes)) {
      return TooLarge(path, "the file holds", max_bytes);
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("error while reading ", path));
  return text;
}

}  // namespace

absl::StatusOr<FeedSource> FeedSource::Create(const SourceConfig& config) {
  const std::string& loc = config.location;
  if (absl::StartsWith(loc, "http://") || absl::StartsWith(loc, "https://")) {
    std::string base(absl::StripSuffix(loc, "/"));
    return FeedSource(SourceKind::kHttp, base, base, config.http, config.limits);
  }
  if (absl::StartsWith(loc, "file:")) {
    std::string dir(absl::StripPrefix(loc, "file:"));
    if (absl::StartsWith(dir, "//")) dir = dir.substr(2);
    if (dir.empty()) return absl::InvalidArgumentError("source 'file:' needs a directory");
    return FeedSource(SourceKind::kFile, dir, absl::StrCat("file:", dir), config.http,
                      config.limits);
  }
  if (loc == "push") return FeedSource(SourceKind::kPush, "", "push", config.http, config.limits);
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
        ASSIGN_OR_RETURN(std::string text, ReadFile(path, limits_.max_bytes));
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
