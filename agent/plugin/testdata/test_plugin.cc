// Broken plugins for plugin_loader_test, one per define:
//   TEST_PLUGIN_BAD_ABI   - abi_version 99
//   TEST_PLUGIN_BAD_SIZE  - struct_size too small
//   TEST_PLUGIN_NO_ENTRY  - no gatehouse_plugin_v1 symbol
//   TEST_PLUGIN_NAME      - the provider name (a duplicate of "example" for the duplicate test)
#include <cstdio>

#include "agent/plugin/gatehouse_plugin.h"

#ifndef TEST_PLUGIN_NAME
#define TEST_PLUGIN_NAME "test_plugin"
#endif

namespace {

int instances = 0;

void* Create(const char*, const char*, char*, size_t) { return &instances; }
int Start(void*, const gatehouse_host* host, char*, size_t) {
  host->publish(host->host_data, "{\"from\":\"test\"}");
  return 0;
}
void Stop(void*) {}
void Destroy(void*) {}

const gatehouse_provider_plugin kPlugin = {
#ifdef TEST_PLUGIN_BAD_ABI
    99,
#else
    GATEHOUSE_PLUGIN_ABI_VERSION,
#endif
#ifdef TEST_PLUGIN_BAD_SIZE
    sizeof(gatehouse_provider_plugin) - 8,
#else
    sizeof(gatehouse_provider_plugin),
#endif
    TEST_PLUGIN_NAME, "A test plugin.", GATEHOUSE_PROVIDER_CONTEXT, nullptr, 0, &Create, &Start,
    &Stop, &Destroy,
};

}  // namespace

#ifndef TEST_PLUGIN_NO_ENTRY
extern "C" __attribute__((visibility("default"))) const gatehouse_provider_plugin*
gatehouse_plugin_v1(void) {
  return &kPlugin;
}
#else
extern "C" __attribute__((visibility("default"))) const gatehouse_provider_plugin*
gatehouse_plugin_v0(void) {
  return &kPlugin;
}
#endif
