// A kube-state-metrics stand-in for tests and the demo: serves an exposition file at /metrics
// over loopback HTTP or HTTPS (optionally requiring a bearer token), on port 0 (the chosen port
// is reported), with faults on demand: slow responses, HTTP 500, a truncated body, garbage, and
// a 50 MB body. Faults are set through the API or, for other processes, over HTTP:
//   GET /control/fault?kind=none|slow|500|truncated|garbage|huge[&delay_ms=N]
//   GET /control/file?path=/abs/path.prom
// and GET /control/requests returns how many /metrics requests arrived.
//
// Thread contract: thread-safe.
#ifndef GATEHOUSE_TESTING_KSM_SERVER_KSM_SERVER_H_
#define GATEHOUSE_TESTING_KSM_SERVER_KSM_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}

namespace gatehouse::testing {

enum class KsmFault { kNone, kSlow, kHttp500, kTruncated, kGarbage, kHuge };

struct KsmServerOptions {
  std::string exposition_file;  // served at /metrics
  std::string bind_address = "127.0.0.1";
  int port = 0;  // 0: any free port
  // HTTPS when both are set (PEM files).
  std::string cert_file;
  std::string key_file;
  std::string bearer_token;  // non-empty: /metrics requires "Authorization: Bearer <token>"
};

class KsmServer {
 public:
  static absl::StatusOr<std::unique_ptr<KsmServer>> Start(KsmServerOptions options);
  ~KsmServer();  // Stop()

  int port() const { return port_; }
  // "http://127.0.0.1:<port>/metrics" (https with TLS).
  std::string url() const;
  // "127.0.0.1:<port>" as a policy's `hosts:` entry.
  std::string host() const;

  // A slow fault holds each response for `delay` (released early by Stop or ReleaseSlow).
  void SetFault(KsmFault fault, absl::Duration delay = absl::Seconds(5)) ABSL_LOCKS_EXCLUDED(mu_);
  void ReleaseSlow() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status SetExpositionFile(const std::string& path) ABSL_LOCKS_EXCLUDED(mu_);
  void SetBearerToken(std::string token) ABSL_LOCKS_EXCLUDED(mu_);
  int64_t requests() const { return requests_.load(); }
  // Requests whose Accept-Encoding offered gzip.
  int64_t gzip_requests() const { return gzip_requests_.load(); }
  // Requests whose Accept-Encoding offered brotli (which the server would then use).
  int64_t brotli_requests() const { return brotli_requests_.load(); }

  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  explicit KsmServer(KsmServerOptions options);
  void InstallHandlers();

  const KsmServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> gzip_requests_{0};
  std::atomic<int64_t> brotli_requests_{0};

  mutable absl::Mutex mu_;
  std::string body_ ABSL_GUARDED_BY(mu_);
  std::string bearer_token_ ABSL_GUARDED_BY(mu_);
  KsmFault fault_ ABSL_GUARDED_BY(mu_) = KsmFault::kNone;
  absl::Duration slow_delay_ ABSL_GUARDED_BY(mu_) = absl::Seconds(5);
  int64_t slow_release_generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

// Writes a self-signed certificate for "localhost" and 127.0.0.1 (it is its own CA) and its key
// into `dir` as cert.pem and key.pem, with the `openssl` command. For tests: nothing is checked
// in.
absl::Status GenerateSelfSignedCert(const std::string& dir, std::string* cert_file,
                                    std::string* key_file);

// A realistic exposition of about `bytes` bytes (kube_pod_container_* series of many pods).
std::string SyntheticExposition(size_t bytes);

}  // namespace gatehouse::testing

#endif  // GATEHOUSE_TESTING_KSM_SERVER_KSM_SERVER_H_
