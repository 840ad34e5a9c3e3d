#include "common/logging.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"

namespace gatehouse::logging {
namespace {

// %* in the JSON pattern: the message as a JSON string literal.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string quoted;
    AppendJsonString(absl::string_view(msg.payload.data(), msg.payload.size()), &quoted);
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

constexpr char kHumanPattern[] = "%Y-%m-%dT%H:%M:%S.%eZ %-5l %v";
constexpr char kJsonPattern[] =
    R"({"@timestamp":"%Y-%m-%dT%H:%M:%S.%eZ","log.level":"%l","message":%*})";

}  // namespace

spdlog::logger& Logger() {
  static spdlog::logger* const logger = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* created = new spdlog::logger("gatehouse", sink);
    created->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        kHumanPattern, spdlog::pattern_time_type::utc));
    created->set_level(spdlog::level::info);
    created->flush_on(spdlog::level::trace);
    return created;
  }();
  return *logger;
}

absl::Status SetLevel(absl::string_view level) {
  const std::string lower = absl::AsciiStrToLower(level);
  spdlog::level::level_enum parsed;
  if (lower == "debug") {
    parsed = spdlog::level::debug;
  } else if (lower == "info") {
    parsed = spdlog::level::info;
  } else if (lower == "warn" || lower == "warning") {
    parsed = spdlog::level::warn;
  } else if (lower == "error") {
    parsed = spdlog::level::err;
  } else if (lower == "off") {
    parsed = spdlog::level::off;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown log level '", level, "' (use debug, info, warn, error or off)"));
  }
  Logger().set_level(parsed);
  return absl::OkStatus();
}

void SetFormat(Format format) {
  if (format == Format::kJson) {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(kJsonPattern);
    Logger().set_formatter(std::move(formatter));
  } else {
    Logger().set_formatter(std::make_unique<spdlog::pattern_formatter>(
        kHumanPattern, spdlog::pattern_time_type::utc));
  }
}

absl::Status SetFormat(absl::string_view format) {
  const std::string lower = absl::AsciiStrToLower(format);
  if (lower == "json") {
    SetFormat(Format::kJson);
  } else if (lower == "human" || lower == "text") {
    SetFormat(Format::kHuman);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown log format '", format, "' (use human or json)"));
  }
  return absl::OkStatus();
}

}  // namespace gatehouse::logging
