#include "agent/daemon/file_watcher.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "testing/status_testing.h"

namespace gatehouse {
namespace {

class ChangeCounter {
 public:
  void Increment() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }
  // Waits (real time) until the count reaches `n`.
  bool AwaitCount(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return count_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
  int count() {
    absl::MutexLock lock(&mu_);
    return count_;
  }

 private:
  absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                                                : "/tmp") /
             name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

TEST(FileWatcherTest, ReportsAnInPlaceWriteOnceAfterItSettles) {
  const auto dir = TempDir("in_place");
  const auto policy = dir / "policy.yml";
  Write(policy, "a: 1\n");
  ChangeCounter changes;
  ASSERT_OK_AND_ASSIGN(auto watcher, FileWatcher::Create(policy.string(), absl::Milliseconds(50),
                                                         [&] { changes.Increment(); }));
  // Three quick writes are one change.
  Write(policy, "a: 2\n");
  Write(policy, "a: 3\n");
  Write(policy, "a: 4\n");
  ASSERT_TRUE(changes.AwaitCount(1, absl::Seconds(10)));
  absl::SleepFor(absl::Milliseconds(200));  // a second report would have arrived by now
  EXPECT_EQ(changes.count(), 1);
}

TEST(FileWatcherTest, ReportsAnAtomicReplaceLikeAConfigMapUpdate) {
  const auto dir = TempDir("replace");
  const auto policy = dir / "policy.yml";
  Write(policy, "a: 1\n");
  ChangeCounter changes;
  ASSERT_OK_AND_ASSIGN(auto watcher, FileWatcher::Create(policy.string(), absl::Milliseconds(20),
                                                         [&] { changes.Increment(); }));
  Write(dir / "policy.yml.tmp", "a: 2\n");
  std::filesystem::rename(dir / "policy.yml.tmp", policy);
  EXPECT_TRUE(changes.AwaitCount(1, absl::Seconds(10)));
}

TEST(FileWatcherTest, IdenticalRewriteAndOtherFilesAreNotChanges) {
  const auto dir = TempDir("same");
  const auto policy = dir / "policy.yml";
  Write(policy, "a: 1\n");
  ChangeCounter changes;
  ASSERT_OK_AND_ASSIGN(auto watcher, FileWatcher::Create(policy.string(), absl::Milliseconds(20),
                                                         [&] { changes.Increment(); }));
  Write(policy, "a: 1\n");
  Write(dir / "other.txt", "noise");
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(changes.count(), 0);
  Write(policy, "a: 5\n");
  EXPECT_TRUE(changes.AwaitCount(1, absl::Seconds(10)));
}

TEST(FileWatcherTest, MissingFolderIsAClearError) {
  auto watcher = FileWatcher::Create("/nonexistent/dir/policy.yml", absl::Milliseconds(10), [] {});
  EXPECT_STATUS(watcher, absl::StatusCode::kFailedPrecondition, "cannot watch /nonexistent/dir");
}

}  // namespace
}  // namespace gatehouse
