// The `host` context provider: host.name, host.platform, host.architecture, host.ip,
// host.mac, host.os.{family,platform,version,name,kernel,type} and host.id. Interfaces and
// addresses change (DHCP, new links), so it collects again every `check_interval` and publishes
// only when something changed (the store ignores equal writes).
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/notification.h"
#include "agent/provider/provider.h"
#include "agent/registry/registry.h"
#include "common/logging.h"
#include "providers/host/host_info.h"

namespace gatehouse::providers {
namespace {

// Thread contract: Start and Stop from one thread (the provider runner); the refresh loop runs
// on its own thread until Stop.
class HostProvider final : public Provider {
 public:
  HostProvider(absl::Duration check_interval, Clock* clock)
      : check_interval_(check_interval), clock_(clock) {}
  ~HostProvider() override { Stop(); }

  absl::Status Start(ProviderSink* sink) override {
    absl::StatusOr<Value::Map> host = CollectHostInfo(HostSources());
    if (!host.ok()) return host.status();
    sink->Publish(*std::move(host));
    if (check_interval_ > absl::ZeroDuration()) {
      refresher_ = std::thread([this, sink] { RefreshLoop(sink); });
    }
    return absl::OkStatus();
  }

  void Stop() override {
    if (!stop_.HasBeenNotified()) stop_.Notify();
    if (refresher_.joinable()) refresher_.join();
  }

 private:
  void RefreshLoop(ProviderSink* sink) {
    while (clock_->SleepFor(check_interval_, &stop_)) {
      absl::StatusOr<Value::Map> host = CollectHostInfo(HostSources());
      if (!host.ok()) {
        sink->Fail(host.status());
        return;
      }
      sink->Publish(*std::move(host));
    }
  }

  const absl::Duration check_interval_;
  Clock* const clock_;
  absl::Notification stop_;
  std::thread refresher_;
};

class HostProviderFactory final : public ProviderFactory {
 public:
  absl::string_view name() const override { return "host"; }
  Kind kind() const override { return Kind::kContext; }
  absl::string_view description() const override {
    return "This host: host.name, host.platform, host.architecture, host.ip, host.mac, "
           "host.os.{family,platform,version,name,kernel,type}, host.id (machine-id).";
  }
  const OptionTable& options() const override {
    static const auto* const table = new OptionTable{
        {"check_interval", OptionType::kDuration, Value("5m"),
         "How often addresses and OS facts are collected again (0: only at start)."},
    };
    return *table;
  }
  absl::StatusOr<std::unique_ptr<Provider>> Create(const Value& options,
                                                   const ProviderContext& context) const override {
    const Value* interval = options.Find("check_interval");
    const absl::Duration check_interval =
        interval != nullptr && interval->is_int() ? absl::Milliseconds(interval->as_int())
                                                  : absl::Minutes(5);
    return std::make_unique<HostProvider>(check_interval, context.clock);
  }
};

GATEHOUSE_REGISTER_FACTORY(ProviderFactory, HostProviderFactory);

}  // namespace
}  // namespace gatehouse::providers
