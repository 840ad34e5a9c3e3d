// Test helpers to find exposition fixtures: the repository's own (`testdata/ksm/`, declared as
// `data` of the test) and the real kube-state-metrics scrapes in `../shared/ksm-fixtures/` next
// to the checkout, which tests use when present and skip otherwise.
//
// Thread contract: free functions, thread-safe.
#ifndef GATEHOUSE_TESTING_KSM_SERVER_FIXTURES_H_
#define GATEHOUSE_TESTING_KSM_SERVER_FIXTURES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gatehouse::testing {

// Reads a whole file.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// The path of a workspace-relative data file (`testdata/ksm/cluster.prom`) in the test's
// runfiles (or the current directory when run by hand).
std::string TestdataPath(absl::string_view workspace_relative);

// The shared real expositions (`ksm-v2.8.2.prom`, ...), found next to the checkout that holds
// the test's runfiles; empty when the folder is not there.
std::vector<std::string> SharedKsmFixtures();

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_KSM_SERVER_FIXTURES_H_
