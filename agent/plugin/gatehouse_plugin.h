/* The C ABI of Gatehouse provider plugins (shared objects loaded with --plugin-dir).
 *
 * A plugin is a shared object named lib<anything>_provider.so that exports one function:
 *
 *   const gatehouse_provider_plugin* gatehouse_plugin_v1(void);
 *
 * returning a descriptor that lives as long as the library (a static). The agent refuses the
 * plugin, naming the file and the reason, when the symbol is missing, `abi_version` is not
 * GATEHOUSE_PLUGIN_ABI_VERSION, `struct_size` is not sizeof(gatehouse_provider_plugin), a hook
 * or the name is missing, or a provider of that name already exists.
 *
 * Data crosses the boundary as JSON text (UTF-8, NUL-terminated). Ownership: every string the
 * host passes is owned by the host and valid only during the call; every string the plugin
 * passes to a host callback is copied by the host before it returns. Error messages are written
 * into the caller's buffer (truncated to its size, always NUL-terminated).
 *
 * Threads: create/start/stop/destroy are called from one agent thread. The host callbacks are
 * thread-safe: the plugin may call them from its own threads between start and the return of
 * stop. After stop returns the plugin must not call them again.
 *
 * Pure C so that plugins can be written in C, C++, Rust or Go (cgo).
 */
#ifndef GATEHOUSE_AGENT_PLUGIN_GATEHOUSE_PLUGIN_H_
#define GATEHOUSE_AGENT_PLUGIN_GATEHOUSE_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GATEHOUSE_PLUGIN_ABI_VERSION 1u
#define GATEHOUSE_PLUGIN_ENTRY_SYMBOL "gatehouse_plugin_v1"

/* ProviderFactory::Kind */
enum gatehouse_provider_kind {
  GATEHOUSE_PROVIDER_CONTEXT = 0, /* one mapping under the provider's name */
  GATEHOUSE_PROVIDER_DYNAMIC = 1  /* many mappings, by id, each with processors */
};

/* OptionType, in the same order. */
enum gatehouse_option_type {
  GATEHOUSE_OPTION_BOOL = 0,
  GATEHOUSE_OPTION_INT = 1,
  GATEHOUSE_OPTION_DOUBLE = 2,
  GATEHOUSE_OPTION_STRING = 3,
  GATEHOUSE_OPTION_DURATION = 4, /* "10s"; reaches create() as integer milliseconds */
  GATEHOUSE_OPTION_SIZE = 5,     /* "2MiB"; reaches create() as integer bytes */
  GATEHOUSE_OPTION_LIST = 6,
  GATEHOUSE_OPTION_MAP = 7,
  GATEHOUSE_OPTION_ANY = 8
};

enum gatehouse_log_level {
  GATEHOUSE_LOG_DEBUG = 0,
  GATEHOUSE_LOG_INFO = 1,
  GATEHOUSE_LOG_WARN = 2,
  GATEHOUSE_LOG_ERROR = 3
};

typedef struct gatehouse_option {
  const char* name;         /* the policy key; dots address nested maps */
  uint32_t type;            /* enum gatehouse_option_type */
  const char* default_json; /* JSON text of the default, or NULL for none */
  const char* description;
  int32_t required; /* non-zero: must be given */
} gatehouse_option;

/* What the host gives a started plugin. Every function takes `host_data` first. */
typedef struct gatehouse_host {
  void* host_data;
  /* Context providers: replaces the provider's whole mapping (a JSON object). */
  void (*publish)(void* host_data, const char* mapping_json);
  /* Dynamic providers: adds or replaces mapping `id`; processors_json is a JSON array or NULL. */
  void (*upsert_mapping)(void* host_data, const char* id, const char* mapping_json,
                         const char* processors_json);
  void (*remove_mapping)(void* host_data, const char* id);
  /* The provider failed after start: the agent stops it and starts a new one after a back-off. */
  void (*fail)(void* host_data, const char* message);
  void (*log)(void* host_data, uint32_t level, const char* message);
} gatehouse_host;

typedef struct gatehouse_provider_plugin {
  uint32_t abi_version; /* GATEHOUSE_PLUGIN_ABI_VERSION */
  uint32_t struct_size; /* sizeof(gatehouse_provider_plugin) */
  const char* name;     /* the policy key and variable namespace */
  const char* description;
  uint32_t kind; /* enum gatehouse_provider_kind */
  const gatehouse_option* options;
  size_t option_count;

  /* Creates an instance from its options (a JSON object, defaults filled and types checked).
   * Returns NULL and writes the reason into `error` on failure. */
  void* (*create)(const char* options_json, const char* agent_id, char* error,
                  size_t error_size);
  /* Returns 0 and starts background work, or non-zero with the reason in `error`. `host` stays
   * valid until stop returns. */
  int (*start)(void* instance, const gatehouse_host* host, char* error, size_t error_size);
  /* Safe without start and when called twice; waits for the plugin's background work. */
  void (*stop)(void* instance);
  void (*destroy)(void* instance);
} gatehouse_provider_plugin;

typedef const gatehouse_provider_plugin* (*gatehouse_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* GATEHOUSE_AGENT_PLUGIN_GATEHOUSE_PLUGIN_H_ */
