// Fuzzes what we parse from outside: Lease objects (API answers, lease files), MicroTime, and
// kubeconfig YAML.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include <unistd.h>

#include "kube/kube_config.h"
#include "kube/lease_lock.h"
#include "kube/micro_time.h"
#include "nlohmann/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)gatehouse::kube::ParseMicroTime(text);
  nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
  if (!object.is_discarded()) {
    absl::StatusOr<gatehouse::kube::Lease> lease = gatehouse::kube::ParseLease(object);
    if (lease.ok()) {
      nlohmann::json back = object;
      gatehouse::kube::WriteLeaseSpec(lease->record, &back);
      (void)gatehouse::kube::ParseLease(back);
    }
  }
  char path[] = "/tmp/gatehouse-kubeconfig-fuzz-XXXXXX";
  int fd = mkstemp(path);
  if (fd >= 0) {
    FILE* file = fdopen(fd, "w");
    fwrite(data, 1, size, file);
    fclose(file);
    (void)gatehouse::kube::LoadKubeConfigFile(path, "", "/nonexistent");
    remove(path);
  }
  return 0;
}
