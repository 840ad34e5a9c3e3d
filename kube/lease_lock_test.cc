// The same contract for both back-ends: the Kubernetes Lease API (over loopback HTTP) and files.
#include <cstdlib>
#include <memory>
#include <thread>

#include "gtest/gtest.h"
#include "kube/file_lease_lock.h"
#include "kube/kube_errors.h"
#include "kube/kube_lease_lock.h"
#include "testing/kube_api_server/kube_api_server.h"
#include "testing/status_testing.h"

namespace gatehouse::kube {
namespace {

using ::gatehouse::testing::KubeApiServer;

LeaseRecord Record(const std::string& holder) {
  LeaseRecord record;
  record.holder_identity = holder;
  record.lease_duration_seconds = 15;
  record.acquire_time = absl::FromUnixMicros(1795255200123456);
  record.renew_time = absl::FromUnixMicros(1795255201654321);
  return record;
}

class LeaseLockContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "kubernetes") {
      ASSERT_OK_AND_ASSIGN(server_, KubeApiServer::Start());
      KubeConfig config;
      config.server = server_->url();
      ASSERT_OK_AND_ASSIGN(client_, KubeClient::Create(config, {}));
      lock_ = std::make_unique<KubeLeaseLock>(client_.get(), "default", "l1");
      other_ = std::make_unique<KubeLeaseLock>(client_.get(), "default", "l1");
    } else {
      const std::string dir = std::string(std::getenv("TEST_TMPDIR")) + "/leases-" +
                              std::to_string(reinterpret_cast<uintptr_t>(this));
      ASSERT_OK_AND_ASSIGN(lock_, FileLeaseLock::Create(dir, "default", "l1"));
      ASSERT_OK_AND_ASSIGN(other_, FileLeaseLock::Create(dir, "default", "l1"));
    }
  }
  std::unique_ptr<KubeApiServer> server_;
  std::unique_ptr<KubeClient> client_;
  std::unique_ptr<LeaseLock> lock_;
  std::unique_ptr<LeaseLock> other_;
};

TEST_P(LeaseLockContractTest, GetCreateUpdateConflict) {
  EXPECT_EQ(lock_->Get({}).status().code(), absl::StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(Lease created, lock_->Create(Record("a"), {}));
  EXPECT_EQ(created.record, Record("a"));
  EXPECT_FALSE(created.resource_version.empty());
  EXPECT_TRUE(IsKubeAlreadyExists(other_->Create(Record("b"), {}).status()));

  ASSERT_OK_AND_ASSIGN(Lease seen_by_other, other_->Get({}));
  EXPECT_EQ(seen_by_other.record, Record("a"));
  ASSERT_OK_AND_ASSIGN(Lease updated, lock_->Update(created, Record("a2"), {}));
  EXPECT_NE(updated.resource_version, created.resource_version);
  // The other one wrote from a stale version: Conflict, and nothing changed.
  absl::Status conflict = other_->Update(seen_by_other, Record("b"), {}).status();
  EXPECT_TRUE(IsKubeConflict(conflict)) << conflict;
  ASSERT_OK_AND_ASSIGN(Lease now, other_->Get({}));
  EXPECT_EQ(now.record.holder_identity, "a2");
  EXPECT_EQ(now.resource_version, updated.resource_version);
}

TEST_P(LeaseLockContractTest, ConcurrentCompareAndSwapHasOneWinnerPerVersion) {
  ASSERT_OK_AND_ASSIGN(Lease base, lock_->Create(Record("start"), {}));
  constexpr int kWriters = 8;
  std::atomic<int> winners{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      if ((i % 2 == 0 ? lock_ : other_)->Update(base, Record("w" + std::to_string(i)), {}).ok()) {
        ++winners;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(winners.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseLockContractTest,
                         ::testing::Values("kubernetes", "file"));

TEST(LeaseObjectTest, WritesAllFiveFieldsWithMicroTime) {
  nlohmann::json object = LeaseObject("ns", "n", Record("me"));
  EXPECT_EQ(object["spec"]["holderIdentity"], "me");
  EXPECT_EQ(object["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(object["spec"]["acquireTime"], "2026-11-21T10:00:00.123456Z");
  EXPECT_EQ(object["spec"]["renewTime"], "2026-11-21T10:00:01.654321Z");
  EXPECT_EQ(object["spec"]["leaseTransitions"], 0);
  ASSERT_OK_AND_ASSIGN(Lease parsed, ParseLease(object));
  EXPECT_EQ(parsed.record, Record("me"));
  object["spec"]["renewTime"] = "2026-11-21T10:00:01Z";
  EXPECT_STATUS(ParseLease(object), absl::StatusCode::kInvalidArgument, "spec.renewTime");
}

}  // namespace
}  // namespace gatehouse::kube
