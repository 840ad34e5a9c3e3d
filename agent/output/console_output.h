// The `console` output: NDJSON, one event per line, on stdout (or any descriptor, for tests).
//
// Thread contract: thread-compatible (Output's contract: one consumer thread).
#ifndef GATEHOUSE_AGENT_OUTPUT_CONSOLE_OUTPUT_H_
#define GATEHOUSE_AGENT_OUTPUT_CONSOLE_OUTPUT_H_

#include <string>
#include <vector>

#include "agent/output/output.h"

namespace gatehouse {

class ConsoleOutput final : public Output {
 public:
  explicit ConsoleOutput(int fd = 1) : fd_(fd) {}
  absl::Status Write(const std::vector<Event>& batch) override;
  absl::Status Flush() override { return absl::OkStatus(); }  // writes go straight to the fd

 private:
  const int fd_;
  std::string buffer_;
};

// Writes all of `data` to `fd`, retrying short writes and EINTR. On error, `*written` says how
// many bytes made it.
absl::Status WriteAll(int fd, const std::string& data, size_t* written);

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_OUTPUT_CONSOLE_OUTPUT_H_
