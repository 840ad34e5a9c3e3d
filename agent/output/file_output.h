// The `file` output: NDJSON with size-based rotation (`events.ndjson` -> `events.ndjson.1` ...),
// fsync on Flush (the worker flushes periodically and on shutdown). Crash safety: a crash can
// leave a torn last line; on open, a trailing partial line is truncated so the file continues
// with whole lines.
//
// Thread contract: thread-compatible (Output's contract: one consumer thread).
#ifndef GATEHOUSE_AGENT_OUTPUT_FILE_OUTPUT_H_
#define GATEHOUSE_AGENT_OUTPUT_FILE_OUTPUT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/output/output.h"

namespace gatehouse {

struct FileOutputOptions {
  std::string path;                         // the current file
  int64_t rotate_bytes = int64_t{10} << 20;  // rotate before a batch would pass this size
  int max_files = 7;                         // current + rotated files kept
};

class FileOutput final : public Output {
 public:
  static absl::StatusOr<std::unique_ptr<FileOutput>> Open(FileOutputOptions options);
  ~FileOutput() override;

  absl::Status Write(const std::vector<Event>& batch) override;
  absl::Status Flush() override;

  int64_t size() const { return size_; }
  // Bytes cut off a torn last line when the file was opened (0 when it ended cleanly).
  int64_t repaired_bytes() const { return repaired_bytes_; }

 private:
  explicit FileOutput(FileOutputOptions options) : options_(std::move(options)) {}
  absl::Status OpenCurrent();
  absl::Status Rotate();

  const FileOutputOptions options_;
  int fd_ = -1;
  int64_t size_ = 0;
  int64_t repaired_bytes_ = 0;
  std::string buffer_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_OUTPUT_FILE_OUTPUT_H_
