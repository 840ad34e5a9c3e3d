#include "testing/ksm_server/ksm_server.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "httplib.h"
#include "testing/ksm_server/fixtures.h"

namespace gatehouse::testing {
namespace {

const std::string& HugeBody() {
  static const std::string* const body = new std::string(SyntheticExposition(50u << 20));
  return *body;
}

}  // namespace

std::string SyntheticExposition(size_t bytes) {
  std::string out;
  out.reserve(bytes + 4096);
  out += "# HELP kube_pod_container_info Information about a container in a pod.\n"
         "# TYPE kube_pod_container_info gauge\n";
  for (int i = 0; out.size() < bytes; ++i) {
    absl::StrAppendFormat(
        &out,
        "kube_pod_container_info{namespace=\"ns-%d\",pod=\"pod-%d\",uid=\"uid-%08d\","
        "container=\"app\",image_spec=\"ghcr.io/acme/app:1.%d\",image=\"ghcr.io/acme/app:1.%d\","
        "image_id=\"ghcr.io/acme/app@sha256:%064d\",container_id=\"containerd://%064d\"} 1\n"
        "kube_pod_container_status_restarts_total{namespace=\"ns-%d\",pod=\"pod-%d\","
        "uid=\"uid-%08d\",container=\"app\"} %d\n",
        i % 50, i, i, i % 7, i % 7, i, i, i % 50, i, i, i % 3);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<KsmServer>> KsmServer::Start(KsmServerOptions options) {
  auto server = std::unique_ptr<KsmServer>(new KsmServer(std::move(options)));
  const KsmServerOptions& o = server->options_;
  if (!o.exposition_file.empty()) {
    absl::Status s = server->SetExpositionFile(o.exposition_file);
    if (!s.ok()) return s;
  }
  server->SetBearerToken(o.bearer_token);
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    auto ssl = std::make_unique<httplib::SSLServer>(o.cert_file.c_str(), o.key_file.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("ksm_server: cannot load certificate '",
                                                     o.cert_file, "' and key '", o.key_file, "'"));
    }
    server->server_ = std::move(ssl);
  } else {
    server->server_ = std::make_unique<httplib::Server>();
  }
  server->InstallHandlers();
  if (o.port == 0) {
    server->port_ = server->server_->bind_to_any_port(o.bind_address);
  } else {
    server->port_ = server->server_->bind_to_port(o.bind_address, o.port) ? o.port : -1;
  }
  if (server->port_ <= 0) {
    return absl::UnavailableError(
        absl::StrCat("ksm_server: cannot bind ", o.bind_address, ":", o.port));
  }
  httplib::Server* raw = server->server_.get();
  server->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // cpp-httplib 0.11 has no wait_until_ready(); Stop() must not race the accept loop's start.
  while (!raw->is_running()) std::this_thread::yield();
  return server;
}

KsmServer::KsmServer(KsmServerOptions options) : options_(std::move(options)) {}

KsmServer::~KsmServer() { Stop(); }

std::string KsmServer::host() const { return absl::StrCat(options_.bind_address, ":", port_); }

std::string KsmServer::url() const {
  const bool tls = !options_.cert_file.empty();
  return absl::StrCat(tls ? "https://" : "http://", host(), "/metrics");
}

void KsmServer::SetFault(KsmFault fault, absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  fault_ = fault;
  slow_delay_ = delay;
}

void KsmServer::ReleaseSlow() {
  absl::MutexLock lock(&mu_);
  ++slow_release_generation_;
}

absl::Status KsmServer::SetExpositionFile(const std::string& path) {
  absl::StatusOr<std::string> body = ReadFileToString(path);
  if (!body.ok()) return body.status();
  absl::MutexLock lock(&mu_);
  body_ = *std::move(body);
  return absl::OkStatus();
}

void KsmServer::SetBearerToken(std::string token) {
  absl::MutexLock lock(&mu_);
  bearer_token_ = std::move(token);
}

void KsmServer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void KsmServer::InstallHandlers() {
  server_->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    requests_.fetch_add(1);
    const std::string encodings = req.get_header_value("Accept-Encoding");
    if (encodings.find("gzip") != std::string::npos) gzip_requests_.fetch_add(1);
    if (encodings.find("br") != std::string::npos) brotli_requests_.fetch_add(1);
    KsmFault fault;
    std::string body;
    {
      absl::MutexLock lock(&mu_);
      if (!bearer_token_.empty() &&
          req.get_header_value("Authorization") != absl::StrCat("Bearer ", bearer_token_)) {
        res.status = 401;
        res.set_content("Unauthorized\n", "text/plain");
        return;
      }
      fault = fault_;
      if (fault == KsmFault::kSlow) {
        const int64_t generation = slow_release_generation_;
        auto released = [this, generation]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stopping_ || slow_release_generation_ != generation;
        };
        mu_.AwaitWithTimeout(absl::Condition(&released), slow_delay_);
      }
      if (fault != KsmFault::kHuge) body = body_;
    }
    const char* kType = "text/plain; version=0.0.4; charset=utf-8";
    switch (fault) {
      case KsmFault::kNone:
      case KsmFault::kSlow:
        res.set_content(std::move(body), kType);
        return;
      case KsmFault::kHttp500:
        res.status = 500;
        res.set_content("internal error (injected)\n", "text/plain");
        return;
      case KsmFault::kGarbage:
        res.set_content("\x01\x02 this is { not \"an exposition\n}}}} 1 2 3 4\n\xff\xfe\n", kType);
        return;
      case KsmFault::kHuge:
        res.set_content_provider(
            HugeBody().size(), kType,
            [](size_t offset, size_t length, httplib::DataSink& sink) {
              const std::string& huge = HugeBody();
              sink.write(huge.data() + offset, std::min<size_t>(length, huge.size() - offset));
              return true;
            });
        return;
      case KsmFault::kTruncated: {
        auto shared = std::make_shared<std::string>(std::move(body));
        // Announces the whole length, sends half, then drops the connection.
        res.set_content_provider(
            shared->size(), kType,
            [shared](size_t offset, size_t length, httplib::DataSink& sink) {
              const size_t half = shared->size() / 2;
              if (offset >= half) return false;
              sink.write(shared->data() + offset, std::min(length, half - offset));
              return true;
            });
        return;
      }
    }
  });
  server_->Get("/control/fault", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string kind = req.get_param_value("kind");
    int64_t delay_ms = 5000;
    if (req.has_param("delay_ms") && !absl::SimpleAtoi(req.get_param_value("delay_ms"), &delay_ms)) {
      res.status = 400;
      return;
    }
    KsmFault fault;
    if (kind == "none") fault = KsmFault::kNone;
    else if (kind == "slow") fault = KsmFault::kSlow;
    else if (kind == "500") fault = KsmFault::kHttp500;
    else if (kind == "truncated") fault = KsmFault::kTruncated;
    else if (kind == "garbage") fault = KsmFault::kGarbage;
    else if (kind == "huge") fault = KsmFault::kHuge;
    else {
      res.status = 400;
      res.set_content("kind: none|slow|500|truncated|garbage|huge\n", "text/plain");
      return;
    }
    ReleaseSlow();
    SetFault(fault, absl::Milliseconds(delay_ms));
    res.set_content("ok\n", "text/plain");
  });
  server_->Get("/control/file", [this](const httplib::Request& req, httplib::Response& res) {
    absl::Status s = SetExpositionFile(req.get_param_value("path"));
    res.status = s.ok() ? 200 : 404;
    res.set_content(s.ok() ? "ok\n" : std::string(s.message()) + "\n", "text/plain");
  });
  server_->Get("/control/requests", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(absl::StrCat(requests(), "\n"), "text/plain");
  });
}

absl::Status GenerateSelfSignedCert(const std::string& dir, std::string* cert_file,
                                    std::string* key_file) {
  *cert_file = dir + "/cert.pem";
  *key_file = dir + "/key.pem";
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2",
      " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1",
      " -addext basicConstraints=critical,CA:TRUE -keyout '", *key_file, "' -out '", *cert_file,
      "' > '", dir, "/openssl.log' 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("openssl could not make a test certificate (see ",
                                            dir, "/openssl.log)"));
  }
  return absl::OkStatus();
}

}  // namespace gatehouse::testing
