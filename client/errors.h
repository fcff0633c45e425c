// How the CLI fails: one line on stderr saying what went wrong, and an exit code per kind of
// failure so that scripts can react (documented in `riskcap --help`).
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace riskcap::client {

enum ExitCode : int {
  kExitOk = 0,
  kExitOther = 1,         // internal, unimplemented, resource exhausted, cancelled, ...
  kExitUsage = 2,         // bad command line
  kExitInvalidInput = 3,  // INVALID_ARGUMENT, OUT_OF_RANGE, unreadable or malformed input file
  kExitNotFound = 4,      // NOT_FOUND
  kExitDenied = 5,        // UNAUTHENTICATED, PERMISSION_DENIED
  kExitUnavailable = 6,   // UNAVAILABLE, DEADLINE_EXCEEDED
  kExitConflict = 7,      // ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED
};

// The table of exit codes, for --help.
std::string ExitCodeHelp();

int ExitCodeFor(absl::StatusCode code);

// A failed call's status as an absl::Status: same code and message, with the
// google.rpc.BadRequest field violations of its details carried as core FieldViolations.
absl::Status FromGrpcStatus(const grpc::Status& status);

// `status` with " (<hint>)" appended to its message (the hint alone when it has none), payloads
// kept.
absl::Status WithHint(const absl::Status& status, std::string_view hint);

// One line: "invalid argument: local_margin: must be >= 0, got \"-1\"" — the lower-case code,
// then the field violations when there are any (at most 5 shown), else the message.
std::string DescribeError(const absl::Status& status);

// `status` carrying an exit code of its own, which ReportError then returns instead of the one
// of its status code (e.g. `audit verify`'s 10..16, one per way the audit chain breaks).
absl::Status WithExitCode(absl::Status status, int exit_code);

// Prints "riskcap: <DescribeError>" on stderr and returns the exit code for `status`
// (kExitOk, printing nothing, when it is OK): the one WithExitCode gave it, else ExitCodeFor.
int ReportError(const absl::Status& status);

}  // namespace riskcap::client
