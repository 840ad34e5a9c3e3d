#include "kube/micro_time.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gatehouse::kube {

std::string FormatMicroTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseMicroTime(absl::string_view text) {
  static constexpr char kShape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  bool shaped = text.size() == sizeof(kShape) - 1;
  for (size_t i = 0; shaped && i < text.size(); ++i) {
    shaped = kShape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(text[i])) != 0
                              : text[i] == kShape[i];
  }
  absl::Time time;
  std::string error;
  if (!shaped || !absl::ParseTime("%Y-%m-%dT%H:%M:%E6SZ", text, absl::UTCTimeZone(), &time,
                                  &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("MicroTime \"", text,
                     "\" is not RFC 3339 UTC with exactly six fractional digits "
                     "(2006-01-02T15:04:05.000000Z)"));
  }
  return time;
}

}  // namespace gatehouse::kube
