// A context provider whose mapping is known when it starts (env, agent, path, local): Start
// collects the mapping once and publishes it; Stop has nothing to wait for.
//
// Thread contract: thread-compatible (the provider runner calls Start and Stop from one thread).
#ifndef GATEHOUSE_AGENT_PROVIDER_STATIC_CONTEXT_PROVIDER_H_
#define GATEHOUSE_AGENT_PROVIDER_STATIC_CONTEXT_PROVIDER_H_

#include <functional>
#include <utility>

#include "absl/status/statusor.h"
#include "agent/provider/provider.h"
#include "common/value.h"

namespace gatehouse {

class StaticContextProvider final : public Provider {
 public:
  using Collect = std::function<absl::StatusOr<Value::Map>()>;

  explicit StaticContextProvider(Collect collect) : collect_(std::move(collect)) {}

  absl::Status Start(ProviderSink* sink) override {
    absl::StatusOr<Value::Map> mapping = collect_();
    if (!mapping.ok()) return mapping.status();
    sink->Publish(*std::move(mapping));
    return absl::OkStatus();
  }

  void Stop() override {}

 private:
  Collect collect_;
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_PROVIDER_STATIC_CONTEXT_PROVIDER_H_
