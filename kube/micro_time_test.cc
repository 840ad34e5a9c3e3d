#include "kube/micro_time.h"

#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse::kube {
namespace {

TEST(MicroTimeTest, FormatsSixDigits) {
  absl::Time t = absl::FromUnixMicros(1795255200123456);
  EXPECT_EQ(FormatMicroTime(t), "2026-11-21T10:00:00.123456Z");
  EXPECT_EQ(FormatMicroTime(absl::FromUnixSeconds(1795255200)), "2026-11-21T10:00:00.000000Z");
  // Sub-microsecond parts are truncated.
  EXPECT_EQ(FormatMicroTime(absl::FromUnixNanos(1795255200123456789)),
            "2026-11-21T10:00:00.123456Z");
}

TEST(MicroTimeTest, RoundTrips) {
  absl::Time t = absl::FromUnixMicros(1795255200654321);
  ASSERT_OK_AND_ASSIGN(absl::Time back, ParseMicroTime(FormatMicroTime(t)));
  EXPECT_EQ(back, t);
}

TEST(MicroTimeTest, RejectsOtherPrecisionsAndZones) {
  for (const char* bad :
       {"2026-11-21T10:00:00Z", "2026-11-21T10:00:00.123Z", "2026-11-21T10:00:00.123456789Z",
        "2026-11-21T10:00:00.123456+01:00", "2026-11-21 10:00:00.123456Z", "",
        "2026-13-21T10:00:00.123456Z"}) {
    EXPECT_STATUS(ParseMicroTime(bad), absl::StatusCode::kInvalidArgument, "six fractional");
  }
}

}  // namespace
}  // namespace gatehouse::kube
