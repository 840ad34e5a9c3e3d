#include "testing/ksm_server/fixtures.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace gatehouse::testing {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string TestdataPath(absl::string_view workspace_relative) {
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    const char* workspace = std::getenv("TEST_WORKSPACE");
    fs::path p = fs::path(srcdir) / (workspace ? workspace : "__main__") /
                 std::string(workspace_relative);
    if (fs::exists(p)) return p.string();
  }
  return std::string(workspace_relative);
}

std::vector<std::string> SharedKsmFixtures() {
  std::vector<fs::path> candidates;
  if (const char* dir = std::getenv("GATEHOUSE_KSM_FIXTURES")) candidates.emplace_back(dir);
  // Runfiles are symlinks into the checkout: follow one back to the workspace root.
  std::error_code ec;
  fs::path real = fs::canonical(TestdataPath("testdata/ksm/cluster.prom"), ec);
  if (!ec) {
    fs::path workspace = real.parent_path().parent_path().parent_path();
    candidates.push_back(workspace.parent_path() / "shared" / "ksm-fixtures");
  }
  candidates.emplace_back("../shared/ksm-fixtures");
  for (const fs::path& dir : candidates) {
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".prom") files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    if (!files.empty()) return files;
  }
  return {};
}

}  // namespace gatehouse::testing
