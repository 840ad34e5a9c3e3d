// The agent's own HTTP endpoint (`agent.monitoring.http` / `--status-addr`): GET /status (JSON),
// GET /metrics (Prometheus text) and GET /liveness. Off by default; loopback unless configured.
//
// Thread contract: thread-safe. The callbacks run on the server's threads.
#ifndef GATEHOUSE_AGENT_MONITORING_MONITORING_SERVER_H_
#define GATEHOUSE_AGENT_MONITORING_MONITORING_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/metrics.h"

namespace httplib {
class Server;
}

namespace gatehouse {

class MonitoringServer {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6791;  // 0 picks a free port (see port())
  };
  struct Handlers {
    std::function<std::string()> status_json;  // body of GET /status
    std::function<bool()> alive;               // GET /liveness: 200 when true, else 503
  };

  // Binds and starts serving; an address in use is an error naming it.
  static absl::StatusOr<std::unique_ptr<MonitoringServer>> Start(const Options& options,
                                                                  Handlers handlers,
                                                                  MetricsRegistry* metrics);
  ~MonitoringServer();

  int port() const { return port_; }
  std::string address() const;
  void Stop();

 private:
  MonitoringServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string host_;
  int port_ = 0;
};

// Parses "host:port", ":port" (loopback) or "port".
absl::StatusOr<MonitoringServer::Options> ParseListenAddress(absl::string_view address);

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_MONITORING_MONITORING_SERVER_H_
