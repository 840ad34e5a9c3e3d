// Kubernetes MicroTime: RFC 3339 in UTC with exactly six fractional digits
// ("2026-11-21T10:00:00.123456Z"). The API server rejects 0, 3 or 9 digits, so we write and
// accept exactly six.
#ifndef GATEHOUSE_KUBE_MICRO_TIME_H_
#define GATEHOUSE_KUBE_MICRO_TIME_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gatehouse::kube {

// Truncates to microseconds.
std::string FormatMicroTime(absl::Time time);

// InvalidArgument naming the text when it is not exactly "YYYY-MM-DDTHH:MM:SS.ffffffZ".
absl::StatusOr<absl::Time> ParseMicroTime(absl::string_view text);

}  // namespace gatehouse::kube

#endif  // GATEHOUSE_KUBE_MICRO_TIME_H_
