#include "agent/monitoring/monitoring_server.h"

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace gatehouse {

absl::StatusOr<std::unique_ptr<MonitoringServer>> MonitoringServer::Start(
    const Options& options, Handlers handlers, MetricsRegistry* metrics) {
  std::unique_ptr<MonitoringServer> server(new MonitoringServer());
  server->server_ = std::make_unique<httplib::Server>();
  server->host_ = options.host;
  httplib::Server& http = *server->server_;

  // cpp-httplib sets SO_REUSEPORT by default, which lets a second agent bind the same port
  // silently; keep only SO_REUSEADDR so a port in use is an error.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  http.Get("/status", [status = handlers.status_json](const httplib::Request&,
                                                      httplib::Response& response) {
    response.set_content(status ? status() : std::string("{}"), "application/json");
  });
  http.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  http.Get("/liveness", [alive = handlers.alive](const httplib::Request&,
                                                 httplib::Response& response) {
    const bool ok = !alive || alive();
    response.status = ok ? 200 : 503;
    response.set_content(ok ? "{\"alive\":true}" : "{\"alive\":false}", "application/json");
  });

  if (options.port == 0) {
    server->port_ = http.bind_to_any_port(options.host.c_str());
    if (server->port_ < 0) {
      return absl::UnavailableError(
          absl::StrCat("monitoring: cannot listen on ", options.host, ":0"));
    }
  } else {
    if (!http.bind_to_port(options.host.c_str(), options.port)) {
      return absl::UnavailableError(absl::StrCat("monitoring: cannot listen on ", options.host,
                                                 ":", options.port,
                                                 " (in use, or not an address of this host)"));
    }
    server->port_ = options.port;
  }
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it so Stop() can never hang.
  while (!http.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return server;
}

MonitoringServer::~MonitoringServer() { Stop(); }

std::string MonitoringServer::address() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return ipv6 ? absl::StrCat("[", host_, "]:", port_) : absl::StrCat(host_, ":", port_);
}

void MonitoringServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<MonitoringServer::Options> ParseListenAddress(absl::string_view address) {
  MonitoringServer::Options options;
  absl::string_view port_text = address;
  const size_t colon = address.rfind(':');
  if (colon != absl::string_view::npos) {
    absl::string_view host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    if (!host.empty()) options.host = std::string(host);
    port_text = address.substr(colon + 1);
  }
  int port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("status address '", address, "': expected host:port, :port or port"));
  }
  options.port = port;
  return options;
}

}  // namespace gatehouse
