// An example provider plugin, built as a shared object (libexample_provider.so) against nothing
// but agent/plugin/gatehouse_plugin.h. Load it with `gatehouse run --plugin-dir DIR`; it
// publishes `example.greeting`, `example.agent_id` and `example.ticks` (a counter bumped every
// `interval`, when one is set). docs/plugins.md walks through it.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "agent/plugin/gatehouse_plugin.h"

namespace {

// Reads "key":"value" or "key":number out of the options JSON. The host has already filled
// defaults and checked types, so a tiny reader is enough here; a real plugin would use a JSON
// library.
std::string StringOption(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  const size_t at = json.find(needle);
  if (at == std::string::npos) return "";
  const size_t start = at + needle.size();
  return json.substr(start, json.find('"', start) - start);
}

long long IntOption(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const size_t at = json.find(needle);
  return at == std::string::npos ? 0 : std::atoll(json.c_str() + at + needle.size());
}

// Escapes a string for JSON (quotes and backslashes; the example's values are plain text).
std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

struct Example {
  std::string greeting;
  std::string agent_id;
  long long interval_ms = 0;
  const gatehouse_host* host = nullptr;
  std::thread ticker;
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  long long ticks = 0;

  void Publish() {
    const std::string json = "{\"greeting\":" + Quote(greeting) + ",\"agent_id\":" +
                             Quote(agent_id) + ",\"ticks\":" + std::to_string(ticks) + "}";
    host->publish(host->host_data, json.c_str());
  }
};

void* Create(const char* options_json, const char* agent_id, char* error, size_t error_size) {
  auto* example = new Example();
  example->greeting = StringOption(options_json, "greeting");
  example->interval_ms = IntOption(options_json, "interval");
  example->agent_id = agent_id;
  if (example->greeting.empty()) {
    std::snprintf(error, error_size, "option 'greeting' must not be empty");
    delete example;
    return nullptr;
  }
  return example;
}

int Start(void* instance, const gatehouse_host* host, char* error, size_t error_size) {
  auto* example = static_cast<Example*>(instance);
  example->host = host;
  example->Publish();
  host->log(host->host_data, GATEHOUSE_LOG_INFO, "example provider started");
  if (example->interval_ms > 0) {
    example->ticker = std::thread([example] {
      std::unique_lock<std::mutex> lock(example->mu);
      while (!example->cv.wait_for(lock, std::chrono::milliseconds(example->interval_ms),
                                   [example] { return example->stopping; })) {
        ++example->ticks;
        example->Publish();
      }
    });
  }
  return 0;
}

void Stop(void* instance) {
  auto* example = static_cast<Example*>(instance);
  {
    std::lock_guard<std::mutex> lock(example->mu);
    example->stopping = true;
  }
  example->cv.notify_all();
  if (example->ticker.joinable()) example->ticker.join();
}

void Destroy(void* instance) { delete static_cast<Example*>(instance); }

const gatehouse_option kOptions[] = {
    {"greeting", GATEHOUSE_OPTION_STRING, "\"hello\"", "Published as example.greeting.", 0},
    {"interval", GATEHOUSE_OPTION_DURATION, "\"0s\"",
     "Bump example.ticks this often (0: never).", 0},
};

const gatehouse_provider_plugin kPlugin = {
    GATEHOUSE_PLUGIN_ABI_VERSION,
    sizeof(gatehouse_provider_plugin),
    "example",
    "An example plugin: example.greeting, example.agent_id, example.ticks.",
    GATEHOUSE_PROVIDER_CONTEXT,
    kOptions,
    sizeof(kOptions) / sizeof(kOptions[0]),
    &Create,
    &Start,
    &Stop,
    &Destroy,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const gatehouse_provider_plugin*
gatehouse_plugin_v1(void) {
  return &kPlugin;
}
