// The project's one set of Status helper macros (Debian's Abseil ships none).
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RISKCAP_CONCAT_INNER_(a, b) a##b
#define RISKCAP_CONCAT_(a, b) RISKCAP_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::absl::Status riskcap_status_ = (expr);          \
    if (!riskcap_status_.ok()) return riskcap_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, StatusOrExpr())`: binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  RISKCAP_ASSIGN_OR_RETURN_IMPL_(RISKCAP_CONCAT_(riskcap_statusor_, __LINE__), lhs, expr)

#define RISKCAP_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()
