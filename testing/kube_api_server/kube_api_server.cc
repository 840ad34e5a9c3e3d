#include "testing/kube_api_server/kube_api_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "httplib.h"
#include "testing/kube_api_server/lease_patch.h"
#include "testing/kube_api_server/test_ca.h"

namespace gatehouse::testing {
namespace {

using json = nlohmann::json;

constexpr char kLeasesPrefix[] = "/apis/coordination.k8s.io/v1/namespaces/";

json StatusObject(int code, const std::string& reason, const std::string& message,
                  const std::string& name = "") {
  json status = {{"kind", "Status"},          {"apiVersion", "v1"}, {"metadata", json::object()},
                 {"status", "Failure"},       {"message", message}, {"reason", reason},
                 {"code", code}};
  if (!name.empty()) {
    status["details"] = {{"name", name}, {"group", "coordination.k8s.io"}, {"kind", "leases"}};
  }
  return status;
}

void Reply(httplib::Response& response, int code, const json& body) {
  response.status = code;
  response.set_content(body.dump(), "application/json");
}

void ReplyStatus(httplib::Response& response, int code, const std::string& reason,
                 const std::string& message, const std::string& name = "") {
  Reply(response, code, StatusObject(code, reason, message, name));
}

// The connection closes after the headers: the client sees a truncated answer.
void Drop(httplib::Response& response) {
  response.status = 200;
  response.set_content_provider(
      100, "application/json",
      [](size_t, size_t, httplib::DataSink&) { return false; });
}

// Exactly "YYYY-MM-DDTHH:MM:SS.ffffffZ", as the API server's MicroTime decoder demands.
bool IsMicroTime(const std::string& text) {
  if (text.size() != 27) return false;
  static const char kShape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  for (size_t i = 0; i < text.size(); ++i) {
    if (kShape[i] == 'd' ? !isdigit(static_cast<unsigned char>(text[i])) : text[i] != kShape[i]) {
      return false;
    }
  }
  return true;
}

// Checks a Lease body: spec types and MicroTime fields. Empty when fine.
std::string ValidateLeaseBody(const json& body) {
  if (!body.is_object()) return "the body is not a JSON object";
  if (body.contains("spec")) {
    const json& spec = body["spec"];
    if (!spec.is_object()) return "spec: not an object";
    for (const char* field : {"acquireTime", "renewTime"}) {
      if (!spec.contains(field) || spec[field].is_null()) continue;
      if (!spec[field].is_string() || !IsMicroTime(spec[field].get<std::string>())) {
        return absl::StrCat("parsing time \"", spec[field].dump(),
                            "\" as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse ", field,
                            " (MicroTime needs exactly six fractional digits)");
      }
    }
    for (const char* field : {"leaseDurationSeconds", "leaseTransitions"}) {
      if (spec.contains(field) && !spec[field].is_null() && !spec[field].is_number_integer()) {
        return absl::StrCat("spec.", field, ": expected an integer");
      }
    }
    if (spec.contains("holderIdentity") && !spec["holderIdentity"].is_null() &&
        !spec["holderIdentity"].is_string()) {
      return "spec.holderIdentity: expected a string";
    }
  }
  return "";
}

std::string BearerToken(const httplib::Request& request) {
  const std::string auth = request.get_header_value("Authorization");
  if (absl::StartsWith(auth, "Bearer ")) return auth.substr(7);
  return "";
}

std::string VerbOf(const httplib::Request& request, bool item) {
  if (request.method == "GET") {
    if (item) return "get";
    return request.has_param("watch") && request.get_param_value("watch") != "0" &&
                   request.get_param_value("watch") != "false"
               ? "watch"
               : "list";
  }
  if (request.method == "POST") return "create";
  if (request.method == "PUT") return "update";
  if (request.method == "PATCH") return "patch";
  if (request.method == "DELETE") return "delete";
  return absl::AsciiStrToLower(request.method);
}

// Splits "/apis/coordination.k8s.io/v1/namespaces/NS/leases[/NAME]".
bool ParseLeasePath(const std::string& path, std::string* ns, std::string* name) {
  if (!absl::StartsWith(path, kLeasesPrefix)) return false;
  std::vector<std::string> parts =
      absl::StrSplit(path.substr(sizeof(kLeasesPrefix) - 1), '/');
  if (parts.size() == 2 && parts[1] == "leases" && !parts[0].empty()) {
    *ns = parts[0];
    name->clear();
    return true;
  }
  if (parts.size() == 3 && parts[1] == "leases" && !parts[0].empty() && !parts[2].empty()) {
    *ns = parts[0];
    *name = parts[2];
    return true;
  }
  return false;
}

std::string ConflictMessage(const std::string& name) {
  return absl::StrCat("Operation cannot be fulfilled on leases.coordination.k8s.io \"", name,
                      "\": the object has been modified; please apply your changes to the latest "
                      "version and try again");
}

std::string NowRfc3339() {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
}

// httplib listens with a backlog of 5: a thousand clients connecting at once (the benchmark's
// fleet start) overflow it, and their SYNs are retried for seconds. Listening again on the same
// socket only changes the backlog; httplib does not expose the socket, so find it by its port.
void WidenListenBacklog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t length = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 || !listening) {
      continue;
    }
    sockaddr_in address{};
    socklen_t address_length = sizeof(address);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length) == 0 &&
        address.sin_family == AF_INET && ntohs(address.sin_port) == port) {
      listen(fd, SOMAXCONN);
      return;
    }
  }
}

}  // namespace

KubeApiServer::KubeApiServer(KubeApiServerOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<KubeApiServer>> KubeApiServer::Start(
    KubeApiServerOptions options) {
  std::unique_ptr<KubeApiServer> server(new KubeApiServer(std::move(options)));
  absl::Status status = server->Listen();
  if (!status.ok()) return status;
  return server;
}

absl::Status KubeApiServer::Listen() {
  if (options_.tls) {
    auto ca = TestCertificateAuthority::Create();
    if (!ca.ok()) return ca.status();
    auto issued = (*ca)->IssueServer("kube-apiserver");
    if (!issued.ok()) return issued.status();
    ca_pem_ = (*ca)->ca_pem();
    ca_file_ = options_.ca_file;
    if (ca_file_.empty()) {
      char path[] = "/tmp/gatehouse-kube-ca-XXXXXX";
      int fd = mkstemp(path);
      if (fd < 0) return absl::InternalError("cannot create the CA file");
      close(fd);
      ca_file_ = path;
    }
    std::ofstream(ca_file_) << ca_pem_;
    BIO* cert_bio = BIO_new_mem_buf(issued->cert_pem.data(), issued->cert_pem.size());
    BIO* key_bio = BIO_new_mem_buf(issued->key_pem.data(), issued->key_pem.size());
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(cert_bio);
    BIO_free(key_bio);
    server_ = std::make_unique<httplib::SSLServer>(cert, key);
    X509_free(cert);
    EVP_PKEY_free(key);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  if (!server_->is_valid()) return absl::InternalError("the test API server is not valid");
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_keep_alive_max_count(1000);
  server_->set_keep_alive_timeout(5);
  Install();
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return absl::InternalError("the test API server cannot bind a port");
  WidenListenBacklog(port_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

KubeApiServer::~KubeApiServer() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    events_cv_.SignalAll();
  }
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
  if (options_.tls && options_.ca_file.empty() && !ca_file_.empty()) unlink(ca_file_.c_str());
}

std::string KubeApiServer::url() const {
  return absl::StrCat(options_.tls ? "https" : "http", "://127.0.0.1:", port_);
}

absl::Status KubeApiServer::WriteKubeconfig(const std::string& path, const std::string& token,
                                            const std::string& lease_namespace) const {
  std::ofstream out(path);
  out << "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
      << "clusters:\n- name: test\n  cluster:\n    server: " << url() << "\n";
  if (options_.tls) out << "    certificate-authority: " << ca_file_ << "\n";
  out << "users:\n- name: test\n  user:\n    token: \"" << token << "\"\n"
      << "contexts:\n- name: test\n  context:\n    cluster: test\n    user: test\n"
      << "    namespace: " << lease_namespace << "\n";
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

void KubeApiServer::Install() {
  server_->set_pre_routing_handler([this](const httplib::Request& request,
                                          httplib::Response& response) {
    return PreRoute(request, response) ? httplib::Server::HandlerResponse::Handled
                                       : httplib::Server::HandlerResponse::Unhandled;
  });
  const std::string item = R"(/apis/coordination\.k8s\.io/v1/namespaces/[^/]+/leases/[^/]+)";
  const std::string collection = R"(/apis/coordination\.k8s\.io/v1/namespaces/[^/]+/leases)";
  auto on_item = [this](const httplib::Request& q, httplib::Response& r) { HandleItem(q, r); };
  auto on_collection = [this](const httplib::Request& q, httplib::Response& r) {
    HandleCollection(q, r);
  };
  server_->Get(item, on_item);
  server_->Put(item, on_item);
  server_->Delete(item, on_item);
  server_->Patch(item, on_item);
  server_->Get(collection, on_collection);
  server_->Post(collection, on_collection);
  if (options_.admin_endpoint) {
    auto on_admin = [this](const httplib::Request& q, httplib::Response& r) {
      HandleAdmin(q, r);
    };
    server_->Post("/admin/faults", on_admin);
    server_->Get("/admin/counters", on_admin);
  }
}

bool KubeApiServer::PreRoute(const httplib::Request& request, httplib::Response& response) {
  if (absl::StartsWith(request.path, "/admin/")) return false;
  std::string ns, name;
  const bool lease_path = ParseLeasePath(request.path, &ns, &name);
  const std::string verb = lease_path ? VerbOf(request, !name.empty()) : "other";
  const std::string token = BearerToken(request);
  const std::string agent = request.get_header_value("User-Agent");
  auto matches = [&](const std::string& client) {
    return client.empty() || (!token.empty() && absl::StrContains(token, client)) ||
           absl::StrContains(agent, client);
  };
  absl::Duration latency;
  std::optional<Fault> error;
  bool drop = false;
  {
    absl::MutexLock lock(&mu_);
    ++counters_[{verb, agent}];
    if (outage_ || absl::Now() < outage_until_) drop = true;
    for (const std::string& client : partitions_) {
      if (matches(client)) drop = true;
    }
    for (Fault& fault : faults_) {
      if (fault.remaining == 0 || !matches(fault.client)) continue;
      if (fault.remaining > 0) --fault.remaining;
      switch (fault.kind) {
        case Fault::Kind::kLatency:
          latency += fault.latency;
          break;
        case Fault::Kind::kHttpError:
          if (!error.has_value()) error = fault;
          break;
        case Fault::Kind::kDrop:
          drop = true;
          break;
      }
    }
  }
  if (latency > absl::ZeroDuration()) absl::SleepFor(latency);
  if (drop) {
    Drop(response);
    return true;
  }
  if (error.has_value()) {
    const int code = error->code;
    std::string reason = code == 429   ? "TooManyRequests"
                         : code == 503 ? "ServiceUnavailable"
                         : code == 504 ? "Timeout"
                                       : "InternalError";
    if (error->retry_after_seconds > 0) {
      response.set_header("Retry-After", std::to_string(error->retry_after_seconds));
    }
    ReplyStatus(response, code, reason,
                code == 429 ? "Too many requests, please try again later."
                            : "Internal error occurred: injected fault");
    return true;
  }
  return false;
}

bool KubeApiServer::Authorize(const Caller& caller, const std::string& verb,
                              const std::string& ns, const std::string& name,
                              httplib::Response& response) {
  if (caller.user.empty()) {
    ReplyStatus(response, 401, "Unauthorized", "Unauthorized");
    return false;
  }
  for (const std::string& user : options_.forbidden_users) {
    if (user != caller.user) continue;
    std::string subject = name.empty() ? "leases.coordination.k8s.io"
                                       : absl::StrCat("leases.coordination.k8s.io \"", name, "\"");
    ReplyStatus(response, 403, "Forbidden",
                absl::StrCat(subject, " is forbidden: User \"", caller.user, "\" cannot ", verb,
                             " resource \"leases\" in API group \"coordination.k8s.io\" in the "
                             "namespace \"",
                             ns, "\""),
                name);
    return false;
  }
  return true;
}

void KubeApiServer::RecordEvent(const std::string& type, const std::string& ns,
                                const std::string& name, const json& object) {
  events_.push_back(Event{rv_, ns, name, type, object});
  if (static_cast<int>(events_.size()) > options_.event_history) {
    oldest_event_rv_ = events_.front().rv;
    events_.erase(events_.begin());
  }
  events_cv_.SignalAll();
}

void KubeApiServer::HandleItem(const httplib::Request& request, httplib::Response& response) {
  std::string ns, name;
  ParseLeasePath(request.path, &ns, &name);
  const std::string verb = VerbOf(request, true);
  Caller caller{BearerToken(request), request.get_header_value("User-Agent"), ""};
  if (options_.tokens.empty()) {
    caller.user = "system:anonymous";
  } else if (auto it = options_.tokens.find(caller.token); it != options_.tokens.end()) {
    caller.user = it->second;
  }
  if (!Authorize(caller, verb, ns, name, response)) return;
  const std::string not_found = absl::StrCat("leases.coordination.k8s.io \"", name, "\" not found");
  absl::MutexLock lock(&mu_);
  auto it = leases_.find({ns, name});
  if (verb == "get") {
    if (it == leases_.end()) return ReplyStatus(response, 404, "NotFound", not_found, name);
    return Reply(response, 200, it->second);
  }
  if (verb == "delete") {
    if (it == leases_.end()) return ReplyStatus(response, 404, "NotFound", not_found, name);
    json old = it->second;
    leases_.erase(it);
    ++rv_;
    RecordEvent("DELETED", ns, name, old);
    return Reply(response, 200, StatusObject(200, "", "deleted", name));
  }
  if (verb == "patch") {
    const std::string content_type = request.get_header_value("Content-Type");
    // As the API server: an unknown media type is refused before the object is looked up.
    if (it == leases_.end() && IsLeasePatchType(content_type)) {
      return ReplyStatus(response, 404, "NotFound", not_found, name);
    }
    json patched;
    const PatchFailure failure = ApplyLeasePatch(it == leases_.end() ? json::object() : it->second,
                                                 content_type, request.body, &patched);
    if (failure.code == 409) return ReplyStatus(response, 409, "Conflict", ConflictMessage(name), name);
    if (failure.code != 0) {
      return ReplyStatus(response, failure.code, failure.reason, failure.message, name);
    }
    if (std::string problem = ValidateLeaseBody(patched); !problem.empty()) {
      return ReplyStatus(response, 400, "BadRequest",
                         absl::StrCat("Lease in version \"v1\" cannot be handled as a Lease: ",
                                      problem));
    }
    patched["metadata"]["resourceVersion"] = std::to_string(++rv_);
    it->second = patched;
    RecordEvent("MODIFIED", ns, name, patched);
    return Reply(response, 200, patched);
  }
  // update
  json body = json::parse(request.body, nullptr, false);
  if (std::string problem = body.is_discarded() ? "invalid JSON" : ValidateLeaseBody(body);
      !problem.empty()) {
    return ReplyStatus(response, 400, "BadRequest",
                       absl::StrCat("Lease in version \"v1\" cannot be handled as a Lease: ",
                                    problem));
  }
  const json metadata = body.value("metadata", json::object());
  if (metadata.value("name", "") != name) {
    return ReplyStatus(response, 400, "BadRequest",
                       "the name of the object does not match the name on the URL", name);
  }
  if (it == leases_.end()) return ReplyStatus(response, 404, "NotFound", not_found, name);
  const std::string rv = metadata.value("resourceVersion", "");
  if (rv.empty()) {
    return ReplyStatus(response, 422, "Invalid",
                       absl::StrCat("Lease.coordination.k8s.io \"", name,
                                    "\" is invalid: metadata.resourceVersion: Invalid value: "
                                    "0x0: must be specified for an update"),
                       name);
  }
  if (rv != it->second["metadata"]["resourceVersion"].get<std::string>()) {
    return ReplyStatus(response, 409, "Conflict", ConflictMessage(name), name);
  }
  json stored = body;
  stored["apiVersion"] = "coordination.k8s.io/v1";
  stored["kind"] = "Lease";
  stored["metadata"]["namespace"] = ns;
  stored["metadata"]["uid"] = it->second["metadata"]["uid"];
  stored["metadata"]["creationTimestamp"] = it->second["metadata"]["creationTimestamp"];
  stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
  it->second = stored;
  RecordEvent("MODIFIED", ns, name, stored);
  Reply(response, 200, stored);
}

void KubeApiServer::HandleCollection(const httplib::Request& request,
                                     httplib::Response& response) {
  std::string ns, name;
  ParseLeasePath(request.path, &ns, &name);
  const std::string verb = VerbOf(request, false);
  Caller caller{BearerToken(request), request.get_header_value("User-Agent"), ""};
  if (options_.tokens.empty()) {
    caller.user = "system:anonymous";
  } else if (auto it = options_.tokens.find(caller.token); it != options_.tokens.end()) {
    caller.user = it->second;
  }
  if (!Authorize(caller, verb, ns, "", response)) return;
  if (verb == "watch") return HandleWatch(caller, ns, request, response);
  if (verb == "list") {
    absl::MutexLock lock(&mu_);
    json items = json::array();
    for (const auto& [key, lease] : leases_) {
      if (key.first == ns) items.push_back(lease);
    }
    return Reply(response, 200,
                 {{"kind", "LeaseList"},
                  {"apiVersion", "coordination.k8s.io/v1"},
                  {"metadata", {{"resourceVersion", std::to_string(rv_)}}},
                  {"items", items}});
  }
  // create
  json body = json::parse(request.body, nullptr, false);
  if (std::string problem = body.is_discarded() ? "invalid JSON" : ValidateLeaseBody(body);
      !problem.empty()) {
    return ReplyStatus(response, 400, "BadRequest",
                       absl::StrCat("Lease in version \"v1\" cannot be handled as a Lease: ",
                                    problem));
  }
  name = body.value("metadata", json::object()).value("name", "");
  if (name.empty()) {
    return ReplyStatus(response, 422, "Invalid",
                       "Lease.coordination.k8s.io \"\" is invalid: metadata.name: Required value: "
                       "name or generateName is required");
  }
  absl::MutexLock lock(&mu_);
  if (leases_.count({ns, name}) > 0) {
    return ReplyStatus(response, 409, "AlreadyExists",
                       absl::StrCat("leases.coordination.k8s.io \"", name, "\" already exists"),
                       name);
  }
  json stored = body;
  stored["apiVersion"] = "coordination.k8s.io/v1";
  stored["kind"] = "Lease";
  stored["metadata"]["namespace"] = ns;
  stored["metadata"].erase("resourceVersion");
  stored["metadata"]["uid"] = absl::StrCat("00000000-0000-4000-8000-", rv_ + 100000000000);
  stored["metadata"]["creationTimestamp"] = NowRfc3339();
  stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
  leases_[{ns, name}] = stored;
  RecordEvent("ADDED", ns, name, stored);
  Reply(response, 201, stored);
}

void KubeApiServer::HandleWatch(const Caller& caller, const std::string& ns,
                                const httplib::Request& request, httplib::Response& response) {
  std::string name;
  const std::string selector = request.get_param_value("fieldSelector");
  if (!selector.empty()) {
    if (!absl::StartsWith(selector, "metadata.name=")) {
      return ReplyStatus(response, 400, "BadRequest",
                         absl::StrCat("unable to parse requirement: field label not supported: ",
                                      selector));
    }
    name = selector.substr(strlen("metadata.name="));
  }
  uint64_t from = 0;
  const std::string rv_text = request.get_param_value("resourceVersion");
  if (!rv_text.empty() && !absl::SimpleAtoi(rv_text, &from)) {
    return ReplyStatus(response, 400, "BadRequest",
                       absl::StrCat("invalid resourceVersion: ", rv_text));
  }
  int timeout_seconds = 1800;
  if (request.has_param("timeoutSeconds")) {
    if (!absl::SimpleAtoi(request.get_param_value("timeoutSeconds"), &timeout_seconds)) {
      timeout_seconds = 1800;
    }
  }
  std::string initial;
  uint64_t epoch = 0;
  {
    absl::MutexLock lock(&mu_);
    epoch = watch_epoch_;
    if (from == 0) {
      // "Most recent": the current objects as ADDED, then changes.
      for (const auto& [key, lease] : leases_) {
        if (key.first == ns && (name.empty() || key.second == name)) {
          initial += json{{"type", "ADDED"}, {"object", lease}}.dump() + "\n";
        }
      }
      from = rv_;
    } else if (from < oldest_event_rv_) {
      // As the real API server does: 200, then one ERROR event carrying 410 Expired.
      initial = json{{"type", "ERROR"},
                     {"object", StatusObject(410, "Expired",
                                             absl::StrCat("too old resource version: ", from,
                                                          " (", oldest_event_rv_, ")"))}}
                    .dump() +
                "\n";
      response.status = 200;
      response.set_content(initial, "application/json");
      return;
    }
    ++open_watches_;
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(timeout_seconds);
  auto last_rv = std::make_shared<uint64_t>(from);
  auto pending = std::make_shared<std::string>(std::move(initial));
  response.status = 200;
  response.set_chunked_content_provider(
      "application/json",
      [this, ns, name, epoch, deadline, last_rv, pending](size_t, httplib::DataSink& sink) {
        if (pending->empty() &&
            !NextWatchEvents(ns, name, epoch, deadline, last_rv.get(), pending.get())) {
          sink.done();
          return true;
        }
        if (!pending->empty()) {
          if (!sink.write(pending->data(), pending->size())) return false;
          pending->clear();
        }
        return true;
      },
      [this](bool) {
        absl::MutexLock lock(&mu_);
        --open_watches_;
      });
}

bool KubeApiServer::NextWatchEvents(const std::string& ns, const std::string& name,
                                    uint64_t epoch, absl::Time deadline, uint64_t* last_rv,
                                    std::string* out) {
  absl::MutexLock lock(&mu_);
  while (true) {
    if (shutting_down_ || epoch != watch_epoch_ || absl::Now() >= deadline) return false;
    if (outage_ || absl::Now() < outage_until_) return false;
    // Events are in resourceVersion order: skip the seen ones by bisection, so a thousand idle
    // watches woken by one write cost a thousand short scans, not a thousand full ones.
    auto next = std::upper_bound(events_.begin(), events_.end(), *last_rv,
                                 [](uint64_t rv, const Event& event) { return rv < event.rv; });
    for (; next != events_.end(); ++next) {
      const Event& event = *next;
      *last_rv = event.rv;
      if (event.ns != ns || (!name.empty() && event.name != name)) continue;
      *out += json{{"type", event.type}, {"object", event.object}}.dump() + "\n";
    }
    if (!out->empty()) return true;
    // Every write, outage, partition and shutdown signals; the timeout only bounds the deadline
    // check (and the end of an OutageFor, which nothing signals).
    events_cv_.WaitWithTimeout(&mu_, absl::Seconds(1));
  }
}

void KubeApiServer::HandleAdmin(const httplib::Request& request, httplib::Response& response) {
  if (request.path == "/admin/counters") {
    absl::MutexLock lock(&mu_);
    json counters = json::array();
    for (const auto& [key, count] : counters_) {
      counters.push_back({{"verb", key.first}, {"client", key.second}, {"count", count}});
    }
    return Reply(response, 200, counters);
  }
  // {"action": "fault"|"clear"|"partition"|"heal"|"outage", ...}
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) return ReplyStatus(response, 400, "BadRequest", "expected an object");
  const std::string action = body.value("action", "");
  const std::string client = body.value("client", "");
  if (action == "fault") {
    Fault fault;
    const std::string kind = body.value("kind", "error");
    fault.kind = kind == "latency" ? Fault::Kind::kLatency
                 : kind == "drop"  ? Fault::Kind::kDrop
                                   : Fault::Kind::kHttpError;
    fault.client = client;
    fault.latency = absl::Milliseconds(body.value("latency_ms", 0));
    fault.code = body.value("code", 500);
    fault.retry_after_seconds = body.value("retry_after_seconds", 0);
    fault.remaining = body.value("count", -1);
    AddFault(fault);
  } else if (action == "clear") {
    ClearFaults();
  } else if (action == "partition") {
    Partition(client);
  } else if (action == "heal") {
    Heal(client);
  } else if (action == "outage") {
    const double seconds = body.value("seconds", 0.0);
    if (seconds > 0) {
      OutageFor(absl::Seconds(seconds));
    } else {
      SetOutage(body.value("on", false));
    }
  } else {
    return ReplyStatus(response, 400, "BadRequest", absl::StrCat("unknown action '", action, "'"));
  }
  Reply(response, 200, {{"ok", true}});
}

void KubeApiServer::AddFault(Fault fault) {
  absl::MutexLock lock(&mu_);
  faults_.push_back(std::move(fault));
}

void KubeApiServer::ClearFaults() {
  absl::MutexLock lock(&mu_);
  faults_.clear();
}

void KubeApiServer::Partition(const std::string& client) {
  absl::MutexLock lock(&mu_);
  partitions_.push_back(client);
  ++watch_epoch_;  // the partitioned client's watches break too
  events_cv_.SignalAll();
}

void KubeApiServer::Heal(const std::string& client) {
  absl::MutexLock lock(&mu_);
  partitions_.erase(std::remove(partitions_.begin(), partitions_.end(), client),
                    partitions_.end());
}

void KubeApiServer::SetOutage(bool on) {
  absl::MutexLock lock(&mu_);
  outage_ = on;
  outage_until_ = absl::InfinitePast();
  events_cv_.SignalAll();
}

void KubeApiServer::OutageFor(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  outage_until_ = absl::Now() + d;
  events_cv_.SignalAll();
}

void KubeApiServer::CloseWatches() {
  absl::MutexLock lock(&mu_);
  ++watch_epoch_;
  events_cv_.SignalAll();
}

int64_t KubeApiServer::RequestCount(const std::string& verb, const std::string& client) const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0;
  for (const auto& [key, count] : counters_) {
    if (key.first == verb && (client.empty() || absl::StrContains(key.second, client))) {
      total += count;
    }
  }
  return total;
}

int64_t KubeApiServer::TotalRequests() const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0;
  for (const auto& [key, count] : counters_) total += count;
  return total;
}

void KubeApiServer::ResetCounters() {
  absl::MutexLock lock(&mu_);
  counters_.clear();
}

int KubeApiServer::OpenWatches() const {
  absl::MutexLock lock(&mu_);
  return open_watches_;
}

std::optional<json> KubeApiServer::GetLease(const std::string& ns, const std::string& name) const {
  absl::MutexLock lock(&mu_);
  auto it = leases_.find({ns, name});
  if (it == leases_.end()) return std::nullopt;
  return it->second;
}

void KubeApiServer::DeleteLease(const std::string& ns, const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = leases_.find({ns, name});
  if (it == leases_.end()) return;
  json old = it->second;
  leases_.erase(it);
  ++rv_;
  RecordEvent("DELETED", ns, name, old);
}

}  // namespace gatehouse::testing
