// `ksm_server`: the kube-state-metrics stand-in as a process, for the demo and multi-process
// tests. Prints "listening on <url>" on stdout once ready; stops on SIGTERM or SIGINT.
//   ksm_server --file testdata/ksm/cluster.prom [--port 0] [--tls-dir DIR] [--token T]
#include <csignal>
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/synchronization/notification.h"
#include "testing/ksm_server/ksm_server.h"

namespace {
volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kube-state-metrics stand-in"};
  gatehouse::testing::KsmServerOptions options;
  std::string tls_dir;
  app.add_option("--file", options.exposition_file, "exposition served at /metrics")->required();
  app.add_option("--port", options.port, "port (0: any free port)");
  app.add_option("--bind", options.bind_address, "address to bind");
  app.add_option("--tls-dir", tls_dir,
                 "serve HTTPS with a fresh self-signed cert written to DIR/cert.pem");
  app.add_option("--token", options.bearer_token, "required bearer token");
  CLI11_PARSE(app, argc, argv);

  if (!tls_dir.empty()) {
    absl::Status s =
        gatehouse::testing::GenerateSelfSignedCert(tls_dir, &options.cert_file, &options.key_file);
    if (!s.ok()) {
      std::fprintf(stderr, "ksm_server: %s\n", std::string(s.message()).c_str());
      return 1;
    }
  }
  auto server = gatehouse::testing::KsmServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::printf("listening on %s\n", (*server)->url().c_str());
  std::fflush(stdout);
  while (!g_stop) {
    absl::SleepFor(absl::Milliseconds(50));  // polls the signal flag; not a test period
  }
  (*server)->Stop();
  return 0;
}
