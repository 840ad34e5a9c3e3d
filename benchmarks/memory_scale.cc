// Agent memory at scale (issue #4): builds the agent state for 450 pod mappings x 20 inputs (the
// VariableStore with the mappings, the loaded policy, the Controller with every copy rendered,
// the InputManager with every copy running as a fake input that holds nothing) and prints the
// peak resident memory (VmHWM) in MiB on its last line. Target <= 64 MiB.
//
//   bazel run -c opt //benchmarks:memory_scale
#include <cstdio>
#include <fstream>
#include <string>

#include "benchmarks/agent_scale.h"
#include "common/logging.h"

namespace {

// VmHWM from /proc/self/status, in KiB (-1 when unreadable).
long PeakResidentKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main() {
  constexpr int kPods = 450;
  constexpr int kInputs = 20;
  (void)gatehouse::logging::SetLevel("warn");
  const long before = PeakResidentKiB();
  auto state = gatehouse::bench::AgentState::Create(gatehouse::bench::PodInputsPolicy(kInputs, 7),
                                                    kPods, /*leader=*/true);
  if (!state.ok()) {
    std::fprintf(stderr, "setup failed: %s\n", state.status().ToString().c_str());
    return 1;
  }
  // One full re-render as well, so transient render memory counts in the peak.
  (*state)->controller().Apply(gatehouse::bench::AgentState::Everything());
  std::printf("mappings %d, inputs %d, input copies %zu, running %zu\n", kPods, kInputs,
              (*state)->controller().Statuses().size(), (*state)->manager().running_count());
  std::printf("peak resident before building the state: %.1f MiB\n", before / 1024.0);
  std::printf("%.1f\n", PeakResidentKiB() / 1024.0);
  return 0;
}
