// RETURN_IF_ERROR / ASSIGN_OR_RETURN: Debian 12's Abseil (20220623) does not ship them.
#ifndef GATEHOUSE_COMMON_STATUS_MACROS_H_
#define GATEHOUSE_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GH_STATUS_CONCAT_INNER_(a, b) a##b
#define GH_STATUS_CONCAT_(a, b) GH_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the current function when it is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status gh_status_ = (expr);                \
    if (!gh_status_.ok()) return gh_status_;           \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, MakeX());` or `ASSIGN_OR_RETURN(x_, MakeX());`
#define ASSIGN_OR_RETURN(lhs, expr) \
  GH_ASSIGN_OR_RETURN_IMPL_(GH_STATUS_CONCAT_(gh_statusor_, __LINE__), lhs, expr)

#define GH_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // GATEHOUSE_COMMON_STATUS_MACROS_H_
