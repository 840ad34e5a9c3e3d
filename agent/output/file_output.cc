#include "agent/output/file_output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/output/console_output.h"
#include "agent/output/ndjson.h"
#include "agent/registry/registry.h"
#include "common/status_macros.h"

namespace gatehouse {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat("file output: ", what, " '", path, "': ", std::strerror(errno)));
}

// The length of `fd`'s content up to and including its last '\n' (0 if none).
absl::StatusOr<int64_t> WholeLinesLength(int fd, int64_t size, const std::string& path) {
  char chunk[4096];
  int64_t end = size;
  while (end > 0) {
    const int64_t start = std::max<int64_t>(0, end - static_cast<int64_t>(sizeof(chunk)));
    const ssize_t n = ::pread(fd, chunk, end - start, start);
    if (n < 0) return Errno("cannot read", path);
    for (ssize_t i = n - 1; i >= 0; --i) {
      if (chunk[i] == '\n') return start + i + 1;
    }
    end = start;
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileOutput>> FileOutput::Open(FileOutputOptions options) {
  if (options.path.empty()) return absl::InvalidArgumentError("file output: 'path' is empty");
  if (options.rotate_bytes <= 0) {
    return absl::InvalidArgumentError("file output: 'rotate_size' must be positive");
  }
  if (options.max_files < 1) {
    return absl::InvalidArgumentError("file output: 'max_files' must be at least 1");
  }
  auto output = std::unique_ptr<FileOutput>(new FileOutput(std::move(options)));
  RETURN_IF_ERROR(output->OpenCurrent());
  return output;
}

FileOutput::~FileOutput() {
  if (fd_ >= 0) {
    ::fsync(fd_);
    ::close(fd_);
  }
}

absl::Status FileOutput::OpenCurrent() {
  const std::string& path = options_.path;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return Errno("cannot open", path);
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Errno("cannot stat", path);
  size_ = st.st_size;
  if (size_ > 0) {
    ASSIGN_OR_RETURN(int64_t whole, WholeLinesLength(fd_, size_, path));
    if (whole != size_) {
      // A crash tore the last line: cut it so the next line starts on a line of its own.
      if (::ftruncate(fd_, whole) != 0) return Errno("cannot truncate a torn line of", path);
      repaired_bytes_ = size_ - whole;
      size_ = whole;
    }
  }
  return absl::OkStatus();
}

absl::Status FileOutput::Rotate() {
  if (::fsync(fd_) != 0) return Errno("cannot fsync", options_.path);
  ::close(fd_);
  fd_ = -1;
  const std::string& base = options_.path;
  if (options_.max_files == 1) {
    if (::unlink(base.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", base);
  } else {
    // events.ndjson.(n-1) is dropped; each older file moves up one; the current becomes .1.
    const std::string oldest = absl::StrCat(base, ".", options_.max_files - 1);
    ::unlink(oldest.c_str());
    for (int i = options_.max_files - 2; i >= 1; --i) {
      const std::string from = absl::StrCat(base, ".", i);
      const std::string to = absl::StrCat(base, ".", i + 1);
      if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
        return Errno("cannot rotate", from);
      }
    }
    if (::rename(base.c_str(), absl::StrCat(base, ".1").c_str()) != 0) {
      return Errno("cannot rotate", base);
    }
  }
  return OpenCurrent();
}

absl::Status FileOutput::Write(const std::vector<Event>& batch) {
  if (fd_ < 0) RETURN_IF_ERROR(OpenCurrent());
  size_t done = 0;
  while (done < batch.size()) {
    // Fill this file up to the rotation size (at least one event per file).
    buffer_.clear();
    size_t end = done;
    while (end < batch.size()) {
      const size_t before = buffer_.size();
      AppendNdjsonLine(batch[end], &buffer_);
      if (end > done && size_ + static_cast<int64_t>(buffer_.size()) > options_.rotate_bytes) {
        buffer_.resize(before);
        break;
      }
      ++end;
    }
    if (size_ > 0 && size_ + static_cast<int64_t>(buffer_.size()) > options_.rotate_bytes) {
      RETURN_IF_ERROR(Rotate());
    }
    size_t written = 0;
    absl::Status status = WriteAll(fd_, buffer_, &written);
    size_ += static_cast<int64_t>(written);
    if (!status.ok()) {
      const size_t lines = std::count(buffer_.begin(), buffer_.begin() + written, '\n');
      return absl::UnavailableError(absl::StrCat("file output '", options_.path, "': ",
                                                 status.message(), " after ", done + lines,
                                                 " of ", batch.size(), " events"));
    }
    done = end;
  }
  return absl::OkStatus();
}

absl::Status FileOutput::Flush() {
  if (fd_ >= 0 && ::fsync(fd_) != 0) return Errno("cannot fsync", options_.path);
  return absl::OkStatus();
}

namespace {

class FileOutputFactory final : public OutputFactory {
 public:
  absl::string_view name() const override { return "file"; }
  absl::string_view description() const override {
    return "Writes events as NDJSON to a file with size-based rotation; fsync on flush.";
  }
  const OptionTable& options() const override {
    static const OptionTable* const table = new OptionTable{
        {"path", OptionType::kString, Value(), "The NDJSON file.", /*required=*/true},
        {"rotate_size", OptionType::kSize, Value("10MiB"),
         "Rotate to <path>.1, <path>.2, ... when the file would pass this size."},
        {"max_files", OptionType::kInt, Value(7), "Files kept, the current one included."},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Output>> Create(const Value& raw) const override {
    ASSIGN_OR_RETURN(Value options, ApplyOptions(raw, this->options(), "output 'file'",
                                                 {std::string("type")}));
    FileOutputOptions o;
    o.path = options.Find("path")->as_string();
    o.rotate_bytes = options.Find("rotate_size")->as_int();
    o.max_files = static_cast<int>(options.Find("max_files")->as_int());
    ASSIGN_OR_RETURN(std::unique_ptr<FileOutput> output, FileOutput::Open(std::move(o)));
    return std::unique_ptr<Output>(std::move(output));
  }
};

}  // namespace

GATEHOUSE_REGISTER_FACTORY(OutputFactory, FileOutputFactory);

}  // namespace gatehouse
