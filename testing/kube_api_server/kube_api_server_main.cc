// The test API server as a process, for multi-process tests and manual runs:
//   kube_api_server [--tls] [--ca-file=PATH] [--token=TOKEN=USER ...] [--forbidden-user=USER ...]
// Listens on 127.0.0.1 port 0, prints "port <N>" (and "ca_file <path>" with --tls) on stdout, and
// serves POST /admin/faults and GET /admin/counters until SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "testing/kube_api_server/kube_api_server.h"

int main(int argc, char** argv) {
  gatehouse::testing::KubeApiServerOptions options;
  options.admin_endpoint = true;
  options.threads = 256;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--tls") {
      options.tls = true;
    } else if (absl::StartsWith(arg, "--ca-file=")) {
      options.ca_file = arg.substr(strlen("--ca-file="));
    } else if (absl::StartsWith(arg, "--token=")) {
      std::string pair = arg.substr(strlen("--token="));
      size_t eq = pair.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "kube_api_server: --token wants TOKEN=USER, got '%s'\n", pair.c_str());
        return 2;
      }
      options.tokens[pair.substr(0, eq)] = pair.substr(eq + 1);
    } else if (absl::StartsWith(arg, "--forbidden-user=")) {
      options.forbidden_users.push_back(arg.substr(strlen("--forbidden-user=")));
    } else {
      std::fprintf(stderr, "kube_api_server: unknown argument '%s'\n", arg.c_str());
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server's threads exist
  auto server = gatehouse::testing::KubeApiServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "kube_api_server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("port %d\n", (*server)->port());
  if (options.tls) std::printf("ca_file %s\n", (*server)->ca_file().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  return 0;
}
