// The raw floor `riskcap_bench ingest` compares a positions upload with: the plainest bulk write
// each backend offers, timed on the same rows in the same run (docs/benchmarks.md).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace riskcap::db {

// Copies the rows of positions version `version_id` of the store at `url` into a new table
// shaped like positions (its columns, primary key and checks; on SQLite its foreign keys too),
// in one transaction of the plainest write the backend has — one prepared INSERT executed per
// row on SQLite, one text COPY on PostgreSQL — then drops that table. Returns the seconds the
// writes and their commit took; reading the rows back is not counted. NotFound when the version
// has no rows.
absl::StatusOr<double> TimePositionsFloor(const std::string& url, int64_t version_id);

}  // namespace riskcap::db
