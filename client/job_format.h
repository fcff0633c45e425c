// Job runs as the CLI reads and shows them: job names ("nav_snapshot"), --param k=v lists, the
// run table and the watch line / progress bar.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/output.h"
#include "riskcap/v1/job.pb.h"

namespace riskcap::client {

// "nav_snapshot" for JOB_KIND_NAV_SNAPSHOT.
std::string JobName(v1::JobKind kind);
// Accepts "nav_snapshot", "nav-snapshot" or "NAV_SNAPSHOT"; nullopt when unknown.
std::optional<v1::JobKind> ParseJobName(std::string_view name);
// The accepted job names, for --help and flag checks.
std::vector<std::string> JobNames();

// {"target": "file:///x"} from {"target=file:///x"}; InvalidArgument (field "--param") for an
// item without '=' or a repeated key.
absl::StatusOr<std::map<std::string, std::string>> ParseParams(
    const std::vector<std::string>& items);

// Every JobRun field, the job by name, parameters as "k=v;k=v".
Table JobRunTable(Table::Layout layout);
void AddJobRun(const v1::JobRun& run, Table& table);
// One run as a JSON object (the same keys as the table).
Json JobRunObject(const v1::JobRun& run);

// "job 12 nav_snapshot RUNNING 45% writing positions (12000/48000)"; a final state adds rows
// written or the error.
std::string JobWatchLine(const v1::JobRun& run);
// "[#########           ] " + JobWatchLine, for redrawing on a terminal.
std::string JobProgressBar(const v1::JobRun& run);

bool IsFinal(v1::JobRunState state);

}  // namespace riskcap::client
