#include "agent/output/console_output.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "agent/output/ndjson.h"
#include "agent/registry/registry.h"

namespace gatehouse {

absl::Status WriteAll(int fd, const std::string& data, size_t* written) {
  *written = 0;
  while (*written < data.size()) {
    ssize_t n = ::write(fd, data.data() + *written, data.size() - *written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("write: ", std::strerror(errno)));
    }
    *written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ConsoleOutput::Write(const std::vector<Event>& batch) {
  buffer_.clear();
  for (const Event& event : batch) AppendNdjsonLine(event, &buffer_);
  size_t written = 0;
  absl::Status status = WriteAll(fd_, buffer_, &written);
  if (status.ok()) return status;
  const size_t lines = std::count(buffer_.begin(), buffer_.begin() + written, '\n');
  return absl::UnavailableError(absl::StrCat("console output: ", status.message(), " after ",
                                             lines, " of ", batch.size(), " events"));
}

namespace {

class ConsoleOutputFactory final : public OutputFactory {
 public:
  absl::string_view name() const override { return "console"; }
  absl::string_view description() const override {
    return "Writes events to stdout as NDJSON (one JSON document per line).";
  }
  const OptionTable& options() const override {
    static const OptionTable* const table = new OptionTable{};
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Output>> Create(const Value& options) const override {
    return std::unique_ptr<Output>(new ConsoleOutput(STDOUT_FILENO));
  }
};

}  // namespace

GATEHOUSE_REGISTER_FACTORY(OutputFactory, ConsoleOutputFactory);

}  // namespace gatehouse
