// Reads back a job run's parameters from their canonical JSON (core/job_pipeline.h ParamsJson):
// the server keeps them as text in the job run, and the executions and the API read them.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace riskcap::server::jobs {

// Parameters are a few short values (dates, names).
inline constexpr size_t kMaxParamsJsonBytes = 64 << 10;
inline constexpr size_t kMaxParams = 64;

// The inverse of ParamsJson for any flat JSON object of strings; InvalidArgument otherwise, and
// for text over kMaxParamsJsonBytes, more than kMaxParams members or a duplicate key. Strings are
// what JSON allows (nlohmann's parser: UTF-8, JSON's escapes only, surrogates in pairs).
absl::StatusOr<std::map<std::string, std::string>> ParseParamsJson(std::string_view json);

}  // namespace riskcap::server::jobs
