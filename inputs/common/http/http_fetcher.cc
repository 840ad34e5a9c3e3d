#include "inputs/common/http/http_fetcher.h"

#include <curl/curl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <iterator>
#include <mutex>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "absl/strings/strip.h"

namespace gatehouse::http {
namespace {

constexpr char kKindPayload[] = "gatehouse/fetch_error_kind";

absl::Status KindError(FetchErrorKind kind, absl::StatusCode code, std::string message) {
  absl::Status status(code, message);
  status.SetPayload(kKindPayload, absl::Cord(FetchErrorKindName(kind)));
  return status;
}

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct BodySink {
  std::string body;
  int64_t limit = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const size_t n = size * count;
  if (static_cast<int64_t>(sink->body.size() + n) > sink->limit) {
    sink->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  sink->body.append(data, n);
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel->load() ? 1 : 0;  // non-zero aborts with CURLE_ABORTED_BY_CALLBACK
}

std::string ReasonPhrase(long code) {
  switch (code) {
    case 400: return " Bad Request";
    case 401: return " Unauthorized";
    case 403: return " Forbidden";
    case 404: return " Not Found";
    case 429: return " Too Many Requests";
    case 500: return " Internal Server Error";
    case 502: return " Bad Gateway";
    case 503: return " Service Unavailable";
    case 504: return " Gateway Timeout";
    default: return "";
  }
}

}  // namespace

const char* FetchErrorKindName(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::kNone: return "none";
    case FetchErrorKind::kDns: return "dns";
    case FetchErrorKind::kConnect: return "connect";
    case FetchErrorKind::kTimeout: return "timeout";
    case FetchErrorKind::kTls: return "tls";
    case FetchErrorKind::kHttpStatus: return "http_status";
    case FetchErrorKind::kBody: return "body";
    case FetchErrorKind::kOther: return "other";
  }
  return "other";
}

FetchErrorKind FetchErrorKindOf(const absl::Status& status) {
  if (status.ok()) return FetchErrorKind::kNone;
  auto payload = status.GetPayload(kKindPayload);
  if (!payload) return FetchErrorKind::kOther;
  const std::string name(*payload);
  for (auto kind : {FetchErrorKind::kDns, FetchErrorKind::kConnect, FetchErrorKind::kTimeout,
                    FetchErrorKind::kTls, FetchErrorKind::kHttpStatus, FetchErrorKind::kBody}) {
    if (name == FetchErrorKindName(kind)) return kind;
  }
  return FetchErrorKind::kOther;
}

std::string HttpFetcher::NormalizeUrl(const std::string& host_or_url) {
  std::string url = host_or_url;
  if (url.find("://") == std::string::npos) url = "http://" + url;
  const size_t authority = url.find("://") + 3;
  if (url.find('/', authority) == std::string::npos) url += "/metrics";
  return url;
}

namespace {

constexpr char kPemCertificate[] = "-----BEGIN CERTIFICATE-----";

// Every entry of `entries` (a file or inline PEM), checked and concatenated into one PEM bundle.
absl::StatusOr<std::string> LoadCaBundle(const std::vector<std::string>& entries) {
  std::string bundle;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string& entry = entries[i];
    const std::string where = absl::StrCat("ssl.certificate_authorities[", i, "]");
    absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(entry);
    std::string pem;
    std::string what;  // how the entry is named in errors
    if (absl::StartsWith(trimmed, "-----BEGIN")) {
      pem = std::string(trimmed);
      what = "(inline PEM)";
    } else {
      what = absl::StrCat("'", entry, "'");
      std::ifstream in(entry, std::ios::binary);
      if (entry.empty() || !in) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": cannot read ", what, ": ", std::strerror(errno)));
      }
      std::ostringstream text;
      text << in.rdbuf();
      pem = text.str();
    }
    if (pem.find(kPemCertificate) == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(where, " ", what, ": no PEM certificate (",
                                                     kPemCertificate, ") in it"));
    }
    if (!pem.empty() && pem.back() != '\n') pem.push_back('\n');
    bundle += pem;
  }
  return bundle;
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpFetcher>> HttpFetcher::Create(HttpFetcherOptions options) {
  GlobalInitOnce();
  ASSIGN_OR_RETURN(std::string ca_bundle, LoadCaBundle(options.certificate_authorities));
  auto fetcher = std::unique_ptr<HttpFetcher>(
      new HttpFetcher(std::move(options), std::move(ca_bundle)));
  if (fetcher->curl_ == nullptr) return absl::InternalError("curl_easy_init failed");
  return fetcher;
}

HttpFetcher::HttpFetcher(HttpFetcherOptions options, std::string ca_bundle)
    : options_(std::move(options)), ca_bundle_(std::move(ca_bundle)), curl_(curl_easy_init()) {}

HttpFetcher::~HttpFetcher() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

absl::Status HttpFetcher::RefreshToken() {
  const std::string& path = options_.bearer_token_file;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("bearer_token_file '", path, "' cannot be read"));
  }
  const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (mtime_ns == token_mtime_ns_ && st.st_size == token_size_ &&
      static_cast<uint64_t>(st.st_ino) == token_inode_) {
    return absl::OkStatus();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("bearer_token_file '", path, "' cannot be read"));
  }
  std::string token((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  token_ = std::string(absl::StripAsciiWhitespace(token));
  token_mtime_ns_ = mtime_ns;
  token_size_ = st.st_size;
  token_inode_ = st.st_ino;
  return absl::OkStatus();
}

absl::StatusOr<std::string> HttpFetcher::Fetch(const std::string& raw_url) {
  const std::string url = NormalizeUrl(raw_url);
  if (!options_.bearer_token_file.empty()) {
    absl::Status token = RefreshToken();
    if (!token.ok()) return token;
  }
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  BodySink sink;
  sink.limit = options_.max_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  // What kube-state-metrics and Prometheus exporters serve (as Metricbeat asks); not "" (every
  // encoding curl knows), which lets a server pick brotli: far slower to compress a large body.
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!ca_bundle_.empty()) {
    // In memory (curl >= 7.77): every listed CA at once, files and inline PEM alike.
    curl_blob blob{const_cast<char*>(ca_bundle_.data()), ca_bundle_.size(), CURL_BLOB_COPY};
    curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &blob);
  }
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (options_.cancel != nullptr) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(options_.cancel));
  }
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1");
  std::string auth;
  if (!token_.empty() && !options_.bearer_token_file.empty()) {
    auth = absl::StrCat("Authorization: Bearer ", token_);
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);

  switch (rc) {
    case CURLE_OK:
      break;
    case CURLE_ABORTED_BY_CALLBACK:
      return KindError(FetchErrorKind::kOther, absl::StatusCode::kCancelled,
                       absl::StrCat("GET ", url, ": cancelled (the input is stopping)"));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return KindError(FetchErrorKind::kDns, absl::StatusCode::kUnavailable,
                       absl::StrCat("GET ", url, ": DNS lookup failed: ", detail));
    case CURLE_COULDNT_CONNECT:
      return KindError(FetchErrorKind::kConnect, absl::StatusCode::kUnavailable,
                       absl::StrCat("GET ", url, ": cannot connect: ", detail));
    case CURLE_OPERATION_TIMEDOUT:
      return KindError(FetchErrorKind::kTimeout, absl::StatusCode::kDeadlineExceeded,
                       absl::StrCat("GET ", url, ": timed out after ",
                                    absl::FormatDuration(options_.timeout), ": ", detail));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return KindError(FetchErrorKind::kTls, absl::StatusCode::kUnavailable,
                       absl::StrCat("GET ", url, ": TLS error: ", detail));
    case CURLE_WRITE_ERROR:
      if (sink.too_large) {
        return KindError(FetchErrorKind::kBody, absl::StatusCode::kResourceExhausted,
                         absl::StrCat("GET ", url, ": body larger than ",
                                      options_.max_body_bytes, " bytes"));
      }
      [[fallthrough]];
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_GOT_NOTHING:
      return KindError(FetchErrorKind::kBody, absl::StatusCode::kDataLoss,
                       absl::StrCat("GET ", url, ": truncated or unreadable body after ",
                                    sink.body.size(), " bytes: ", detail));
    default:
      return KindError(FetchErrorKind::kOther, absl::StatusCode::kUnavailable,
                       absl::StrCat("GET ", url, ": ", detail));
  }
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  if (code < 200 || code >= 300) {
    return KindError(FetchErrorKind::kHttpStatus,
                     code == 401 || code == 403 ? absl::StatusCode::kPermissionDenied
                                                : absl::StatusCode::kUnavailable,
                     absl::StrCat("GET ", url, ": HTTP ", code, ReasonPhrase(code)));
  }
  return std::move(sink.body);
}

}  // namespace gatehouse::http
