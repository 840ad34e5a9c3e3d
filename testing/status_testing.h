// ASSERT_OK / EXPECT_OK / ASSERT_OK_AND_ASSIGN: Debian 12's Abseil ships no status matchers.
#ifndef GATEHOUSE_TESTING_STATUS_TESTING_H_
#define GATEHOUSE_TESTING_STATUS_TESTING_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace gatehouse::testing {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace gatehouse::testing

#define ASSERT_OK(expr) \
  ASSERT_TRUE(::gatehouse::testing::GetStatus(expr).ok()) << ::gatehouse::testing::GetStatus(expr)
#define EXPECT_OK(expr) \
  EXPECT_TRUE(::gatehouse::testing::GetStatus(expr).ok()) << ::gatehouse::testing::GetStatus(expr)

#define GH_TEST_CONCAT_INNER_(a, b) a##b
#define GH_TEST_CONCAT_(a, b) GH_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  GH_ASSERT_OK_AND_ASSIGN_IMPL_(GH_TEST_CONCAT_(gh_test_statusor_, __LINE__), lhs, expr)
#define GH_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, expr)      \
  auto statusor = (expr);                                       \
  ASSERT_TRUE(statusor.ok()) << statusor.status();              \
  lhs = std::move(statusor).value()

// The status code and that the message contains `substr`.
#define EXPECT_STATUS(expr, expected_code, expected_substr)                        \
  do {                                                                            \
    const ::absl::Status gh_s_ = ::gatehouse::testing::GetStatus(expr);           \
    EXPECT_EQ(gh_s_.code(), expected_code) << gh_s_;                              \
    EXPECT_NE(std::string(gh_s_.message()).find(expected_substr), std::string::npos) \
        << gh_s_;                                                                 \
  } while (false)

#endif  // GATEHOUSE_TESTING_STATUS_TESTING_H_
