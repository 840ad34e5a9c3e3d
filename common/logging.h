// Logging for all of Gatehouse, on top of spdlog: one process-wide logger writing to stderr,
// in a human format (default) or one JSON object per line. Messages use fmt syntax:
//   GH_LOG_INFO("became leader of lease {}/{}", ns, name);
#ifndef GATEHOUSE_COMMON_LOGGING_H_
#define GATEHOUSE_COMMON_LOGGING_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "spdlog/spdlog.h"

namespace gatehouse::logging {

enum class Format { kHuman, kJson };

// Parses "debug", "info", "warn"/"warning", "error", "off".
absl::Status SetLevel(absl::string_view level);
void SetFormat(Format format);
// Parses "human"/"text" or "json".
absl::Status SetFormat(absl::string_view format);

// The process-wide logger (created on first use, never destroyed).
spdlog::logger& Logger();

}  // namespace gatehouse::logging

#define GH_LOG_DEBUG(...) ::gatehouse::logging::Logger().debug(__VA_ARGS__)
#define GH_LOG_INFO(...) ::gatehouse::logging::Logger().info(__VA_ARGS__)
#define GH_LOG_WARN(...) ::gatehouse::logging::Logger().warn(__VA_ARGS__)
#define GH_LOG_ERROR(...) ::gatehouse::logging::Logger().error(__VA_ARGS__)

#endif  // GATEHOUSE_COMMON_LOGGING_H_
