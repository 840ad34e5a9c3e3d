// API load of leader election at the test API server, and failover times.
//   bazel run -c opt //benchmarks:leader_election_benchmark -- --benchmark_counters_tabular=true
// BM_FollowerLoad/N/watch: N in-process electors (one client each) against one server with the
// default timings (15 s / 10 s / 2 s). Start-up (every follower has seen the leader and, when
// watching, has its watch open) is measured apart from the steady state, which is counted at the
// server over a 20 s window; the leader's own renewals are counted apart from the followers'.
// BM_Failover: time to a new leader after a clean stop (release) and after a crash (no release)
// of the leader, 10 candidates.
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "benchmark/benchmark.h"
#include "kube/kube_lease_lock.h"
#include "kube/leader_elector.h"
#include "testing/kube_api_server/kube_api_server.h"

namespace gatehouse::kube {
namespace {

// Unique as a substring too (the server's per-client counters match substrings).
std::string UserAgent(int i) { return "gatehouse/bench (candidate-" + std::to_string(i) + ")"; }

struct Candidates {
  std::unique_ptr<testing::KubeApiServer> server;
  std::vector<std::unique_ptr<KubeClient>> clients;
  std::vector<std::unique_ptr<KubeLeaseLock>> locks;
  std::vector<std::unique_ptr<LeaderElector>> electors;

  bool Start(int n, FollowerMode mode, bool release_on_stop) {
    testing::KubeApiServerOptions options;
    options.threads = 2 * n + 64;  // httplib: a watch or an idle keep-alive holds a thread
    auto started = testing::KubeApiServer::Start(options);
    if (!started.ok()) return false;
    server = std::move(*started);
    for (int i = 0; i < n; ++i) {
      KubeConfig config;
      config.server = server->url();
      KubeClientOptions client_options;
      client_options.user_agent = UserAgent(i);
      auto client = KubeClient::Create(config, client_options);
      if (!client.ok()) return false;
      locks.push_back(std::make_unique<KubeLeaseLock>(client->get(), "default", "bench"));
      clients.push_back(std::move(*client));
      ElectorConfig ec;
      ec.identity = "candidate-" + std::to_string(i);
      ec.follower_mode = mode;
      ec.release_on_stop = release_on_stop;
      auto elector = LeaderElector::Create(ec, locks.back().get(), {}, &Clock::Real());
      if (!elector.ok()) return false;
      electors.push_back(std::move(*elector));
    }
    for (auto& e : electors) e->Start();
    return true;
  }
  int Leader() {
    for (size_t i = 0; i < electors.size(); ++i) {
      if (electors[i] && electors[i]->IsLeader()) return static_cast<int>(i);
    }
    return -1;
  }
  ~Candidates() {
    // In parallel: a watching follower notices a stop within about a second.
    std::vector<std::thread> stoppers;
    for (auto& e : electors) {
      if (e) stoppers.emplace_back([&e] { e->Stop(); });
    }
    for (std::thread& t : stoppers) t.join();
  }
};

// True once every follower has observed the leader and, when watching, has its watch open.
bool Settled(Candidates& c, FollowerMode mode) {
  const int n = static_cast<int>(c.electors.size());
  const int leader = c.Leader();
  if (leader < 0) return false;
  const std::string holder = "candidate-" + std::to_string(leader);
  for (auto& e : c.electors) {
    if (e->Holder() != holder) return false;
  }
  return mode == FollowerMode::kPoll || c.server->OpenWatches() >= n - 1;
}

void BM_FollowerLoad(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const FollowerMode mode = state.range(1) ? FollowerMode::kWatch : FollowerMode::kPoll;
  for (auto _ : state) {
    Candidates c;
    const absl::Time start = absl::Now();
    if (!c.Start(n, mode, true)) {
      state.SkipWithError("setup failed");
      return;
    }
    while (!Settled(c, mode) && absl::Now() - start < absl::Minutes(2)) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    if (!Settled(c, mode)) {
      state.SkipWithError("the followers did not settle within 2 minutes");
      return;
    }
    state.counters["startup_s"] = absl::ToDoubleSeconds(absl::Now() - start);
    state.counters["startup_requests_per_follower"] =
        static_cast<double>(c.server->TotalRequests()) / std::max(1, n - 1);
    absl::SleepFor(absl::Seconds(2));
    const int leader = c.Leader();
    c.server->ResetCounters();
    const absl::Duration window = absl::Seconds(20);
    absl::SleepFor(window);
    if (c.Leader() != leader) {
      state.SkipWithError("the leader changed during the window");
      return;
    }
    const double seconds = absl::ToDoubleSeconds(window);
    const double total = static_cast<double>(c.server->TotalRequests());
    const std::string leader_agent = UserAgent(leader);
    double by_leader = 0;
    for (const char* verb : {"get", "update", "create", "watch", "list"}) {
      by_leader += static_cast<double>(c.server->RequestCount(verb, leader_agent));
    }
    state.counters["requests_per_s"] = total / seconds;
    state.counters["gets_per_s"] = static_cast<double>(c.server->RequestCount("get")) / seconds;
    state.counters["leader_requests_per_s"] = by_leader / seconds;
    state.counters["per_follower_per_s"] = (total - by_leader) / seconds / std::max(1, n - 1);
    state.counters["client_go_gets_per_s"] = n / 3.0;
    state.counters["open_watches"] = c.server->OpenWatches();
  }
}
BENCHMARK(BM_FollowerLoad)
    ->ArgsProduct({{10, 100, 1000}, {0, 1}})
    ->ArgNames({"followers", "watch"})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

void BM_Failover(benchmark::State& state) {
  const FollowerMode mode = state.range(0) ? FollowerMode::kWatch : FollowerMode::kPoll;
  const bool clean = state.range(1) != 0;
  for (auto _ : state) {
    Candidates c;
    if (!c.Start(10, mode, clean)) {
      state.SkipWithError("setup failed");
      return;
    }
    while (c.Leader() < 0) absl::SleepFor(absl::Milliseconds(5));
    absl::SleepFor(absl::Seconds(3));  // followers settled
    const int old = c.Leader();
    const absl::Time stopped = absl::Now();
    c.electors[old]->Stop();  // clean: release; crash: no release
    c.electors[old].reset();
    while (c.Leader() < 0) absl::SleepFor(absl::Milliseconds(2));
    state.counters["failover_s"] = absl::ToDoubleSeconds(absl::Now() - stopped);
  }
}
BENCHMARK(BM_Failover)
    ->ArgsProduct({{0, 1}, {1, 0}})
    ->ArgNames({"watch", "clean"})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace gatehouse::kube

BENCHMARK_MAIN();
