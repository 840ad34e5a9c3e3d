// Rendering and incremental re-evaluation through the real Controller (issue #4):
//
//   BM_RenderFull  a full render: 200 pod mappings x 8 inputs with 7 conditions (the leader gate
//                  among them): Controller::Apply of an "everything changed" change set, which
//                  renders every copy and reconciles (nothing restarts). Target <= 1 ms.
//                  Rendered on the controller's default pool (min(2, cores) threads): Time is
//                  wall time (UseRealTime), CPU the benchmark thread's alone, and the counter
//                  process_cpu_us the CPU time of every thread of the process per render.
//   BM_RenderFullOneThread  the same on one thread (render_threads = 1): the work itself.
//   BM_ChangeFew   100,000 input copies; the leader variable flips and 10 of them read it: from
//                  the provider's publication to the reconciled desired set (publish, drain,
//                  Apply: re-evaluate, re-render, start/stop). Target <= 20 us.
//   BM_ChangeAll   the same flip read by all 100,000 (every one starts or stops). Target <= 10 ms.
//
//   BM_RenderFullPodsMoved  not a target: before each iteration (untimed) every pod gets a new
//                  ip, so every copy's `hosts` changes: every copy is rendered in full (its
//                  replay finds the change), composed anew and handed over with a new config.
//                  One thread.
//
// Inputs are a fake type that does nothing, so the numbers are Gatehouse's own work. Logging is
// at `warn` (the InputManager logs one info line per start/stop, which would measure stderr).
//
//   bazel run -c opt //benchmarks:render_benchmark
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "benchmark/benchmark.h"
#include "benchmarks/agent_scale.h"
#include "common/logging.h"

namespace gatehouse::bench {
namespace {

std::unique_ptr<AgentState> MustCreate(const std::string& policy, int pods, bool leader,
                                       int render_threads = 0) {
  (void)logging::SetLevel("warn");
  absl::StatusOr<std::unique_ptr<AgentState>> state =
      AgentState::Create(policy, pods, leader, render_threads);
  if (!state.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", state.status().ToString().c_str());
    std::abort();
  }
  return *std::move(state);
}

// CPU time of every thread of the process (the render pool's workers too).
double ProcessCpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

void RenderFull(benchmark::State& bench, AgentState* state) {
  const std::vector<ChangeSet> everything = AgentState::Everything();
  const int64_t rerenders = state->controller().rerenders();
  const int64_t evaluations = state->controller().evaluations();
  const double cpu = ProcessCpuSeconds();
  for (auto _ : bench) state->controller().Apply(everything);
  const double n = static_cast<double>(bench.iterations());
  bench.counters["process_cpu_us"] = (ProcessCpuSeconds() - cpu) * 1e6 / n;
  bench.counters["threads"] = state->controller().render_threads();
  bench.counters["inputs"] = (state->controller().rerenders() - rerenders) / n;
  bench.counters["evaluations"] = (state->controller().evaluations() - evaluations) / n;
  bench.counters["running"] = static_cast<double>(state->manager().running_count());
}

void BM_RenderFull(benchmark::State& bench) {
  static AgentState* const state = MustCreate(PodInputsPolicy(8, 7), 200, true).release();
  RenderFull(bench, state);
}
BENCHMARK(BM_RenderFull)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_RenderFullOneThread(benchmark::State& bench) {
  static AgentState* const state = MustCreate(PodInputsPolicy(8, 7), 200, true, 1).release();
  RenderFull(bench, state);
}
BENCHMARK(BM_RenderFullOneThread)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_RenderFullPodsMoved(benchmark::State& bench) {
  static AgentState* const state = MustCreate(PodInputsPolicy(8, 7), 200, true, 1).release();
  static int round = 0;
  const int64_t rerenders = state->controller().rerenders();
  for (auto _ : bench) {
    bench.PauseTiming();
    state->manager().WaitIdle();  // the last iteration's restarts, off the clock
    const std::vector<ChangeSet> moved = state->MovePods(++round);
    bench.ResumeTiming();
    state->controller().Apply(moved);
  }
  state->manager().WaitIdle();
  const double n = static_cast<double>(bench.iterations());
  bench.counters["inputs"] = (state->controller().rerenders() - rerenders) / n;
  bench.counters["running"] = static_cast<double>(state->manager().running_count());
}
BENCHMARK(BM_RenderFullPodsMoved)->Unit(benchmark::kMicrosecond);

// `actuated`: each iteration also waits for the InputManager's worker to have started or
// stopped every instance (the whole cost, not only the controller's).
void FlipLeader(benchmark::State& bench, AgentState* state, bool actuated) {
  bool leader = state->leader();  // every iteration flips it: never a no-op publication
  state->manager().WaitIdle();
  const int64_t rerenders = state->controller().rerenders();
  const int started = state->manager().stats().started;
  const int stopped = state->manager().stats().stopped;
  for (auto _ : bench) {
    leader = !leader;
    state->controller().Apply(state->SetLeader(leader));
    if (actuated) state->manager().WaitIdle();
  }
  state->manager().WaitIdle();
  const double n = static_cast<double>(bench.iterations());
  bench.counters["rerendered"] = (state->controller().rerenders() - rerenders) / n;
  bench.counters["started+stopped"] =
      (state->manager().stats().started - started + state->manager().stats().stopped - stopped) /
      n;
  bench.counters["copies"] = static_cast<double>(state->controller().Statuses().size());
}

AgentState* FewReaders() {
  static AgentState* const state = MustCreate(PlainInputsPolicy(100000, 10), 0, false).release();
  return state;
}
AgentState* AllReaders() {
  static AgentState* const state =
      MustCreate(PlainInputsPolicy(100000, 100000), 0, false).release();
  return state;
}

void BM_ChangeFew(benchmark::State& bench) { FlipLeader(bench, FewReaders(), false); }
BENCHMARK(BM_ChangeFew)->Unit(benchmark::kMicrosecond);

void BM_ChangeAll(benchmark::State& bench) { FlipLeader(bench, AllReaders(), false); }
BENCHMARK(BM_ChangeAll)->Unit(benchmark::kMillisecond);

// Not a target: the same flips until every instance has started or stopped.
void BM_ChangeFewActuated(benchmark::State& bench) { FlipLeader(bench, FewReaders(), true); }
BENCHMARK(BM_ChangeFewActuated)->Unit(benchmark::kMicrosecond);

void BM_ChangeAllActuated(benchmark::State& bench) { FlipLeader(bench, AllReaders(), true); }
BENCHMARK(BM_ChangeAllActuated)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace gatehouse::bench

BENCHMARK_MAIN();
