#include "inputs/kubernetes/metrics/kubernetes_metrics_input.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/pipeline/event_fields.h"
#include "agent/registry/registry.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/worker_pool.h"
#include "inputs/common/prometheus/exposition.h"

namespace gatehouse::kubernetes {
namespace {

// Keys a stream carries that are not options of the input (kept as they are).
const std::vector<std::string>& StreamPassthrough() {
  static const auto* const keys =
      new std::vector<std::string>{"id", "condition", "data_stream", "processors"};
  return *keys;
}

// Options shared by the input level (defaults for every stream) and each stream. Durations
// are `kAny` so that checking a table twice keeps "10s" (ParseDuration below reads both forms).
OptionTable CommonOptions() {
  return {
      {"hosts", OptionType::kList, Value(Value::List{Value("localhost:8080")}),
       "kube-state-metrics endpoints: host:port or URLs (http/https)."},
      {"period", OptionType::kAny, Value("10s"),
       "How often to scrape (duration: 10s, 1m; a number is seconds)."},
      {"timeout", OptionType::kAny, Value(),
       "Whole-request timeout (duration); default: the period, at most 30s."},
      {"bearer_token_file", OptionType::kString, Value(),
       "File with a bearer token, re-read when it changes (kube-rbac-proxy)."},
      {"ssl.certificate_authorities", OptionType::kList, Value(),
       "CAs to verify HTTPS endpoints: PEM files and/or inline PEM certificates, all trusted."},
      {"ssl.verification_mode", OptionType::kString, Value("full"),
       "full (default) or none (no certificate check; labs only)."},
      {"add_metadata", OptionType::kBool, Value(true),
       "Enrich state_container events with their pod's uid, ip, labels, annotations, owner and "
       "node labels, read from the same scrape (kube_pod_info, kube_pod_labels, "
       "kube_pod_annotations, kube_node_labels, kube_replicaset_owner); no API server needed."},
      {"max_body_size", OptionType::kSize, Value("256MiB"), "Largest scrape body accepted."},
      {"scrape_threads", OptionType::kInt, Value(0),
       "Threads that parse a large body (2 MiB or more) and build its events, the stream's own "
       "included; 0: one per core, at most 2; 1: all on the stream's thread."},
  };
}

absl::StatusOr<absl::Duration> ParseDuration(const Value* v, absl::string_view key,
                                             absl::string_view where) {
  if (v == nullptr || v->is_null()) return absl::ZeroDuration();
  if (v->is_number()) return absl::Seconds(v->as_number());
  if (v->is_string()) {
    auto millis = ParseDurationMillis(v->as_string());
    if (millis.ok()) return absl::Milliseconds(*millis);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      where, ": '", key, "' must be a duration like 10s or 1m, not ", v->ToJson()));
}

std::string StringOr(const Value* v, std::string fallback) {
  return v != nullptr && v->is_string() ? v->as_string() : fallback;
}

class KubernetesMetricsFactory final : public InputFactory {
 public:
  absl::string_view name() const override { return "kubernetes/metrics"; }
  absl::string_view description() const override {
    return "Scrapes kube-state-metrics: state_container, state_pod, state_node (Metricbeat "
           "fields).";
  }
  const OptionTable& options() const override { return KubernetesMetricsInputOptions(); }
  const OptionTable& stream_options() const override { return KubernetesMetricsStreamOptions(); }
  absl::StatusOr<std::unique_ptr<Input>> Create(InputContext context) const override {
    ASSIGN_OR_RETURN(auto input, KubernetesMetricsInput::Create(std::move(context)));
    return std::unique_ptr<Input>(std::move(input));
  }
};

}  // namespace

const OptionTable& KubernetesMetricsStreamOptions() {
  static const OptionTable* const table = [] {
    auto* t = new OptionTable{{"metricsets", OptionType::kList, Value(),
                               "Metricsets of this stream: state_container, state_pod, state_node.",
                               /*required=*/true}};
    for (OptionSpec& spec : CommonOptions()) t->push_back(std::move(spec));
    return t;
  }();
  return *table;
}

const OptionTable& KubernetesMetricsInputOptions() {
  static const OptionTable* const table = [] {
    auto* t = new OptionTable(CommonOptions());
    for (OptionSpec& spec : *t) {
      spec.default_value = Value();  // input-level values are only defaults for streams
      spec.description = absl::StrCat("Default for every stream: ", spec.description);
    }
    return t;
  }();
  return *table;
}

absl::StatusOr<StreamSpec> ParseStream(const Value& raw_stream, const Value& input, size_t index,
                                       const std::string& input_id) {
  const std::string where = absl::StrCat("input '", input_id, "' streams[", index, "]");
  if (!raw_stream.is_map()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": must be a map"));
  }
  // Input-level options fill what the stream leaves out; the table fills the rest.
  Value::Map merged = raw_stream.as_map();
  for (const OptionSpec& spec : CommonOptions()) {
    if (raw_stream.FindPath(spec.name) != nullptr) continue;
    if (const Value* v = input.FindPath(spec.name); v != nullptr && !v->is_null()) {
      const size_t dot = spec.name.find('.');
      if (dot == std::string::npos) {
        merged[spec.name] = *v;
      } else {  // "ssl.x": merge into the stream's ssl map
        Value::Map sub;
        if (const Value* s = raw_stream.Find(spec.name.substr(0, dot)); s && s->is_map()) {
          sub = s->as_map();
        }
        sub[spec.name.substr(dot + 1)] = *v;
        merged[spec.name.substr(0, dot)] = Value(std::move(sub));
      }
    }
  }
  ASSIGN_OR_RETURN(Value stream, ApplyOptions(Value(std::move(merged)),
                                              KubernetesMetricsStreamOptions(), where,
                                              StreamPassthrough()));
  StreamSpec spec;
  spec.id = StringOr(stream.Find("id"), absl::StrCat(input_id, "/streams[", index, "]"));

  for (const Value& m : stream.Find("metricsets")->as_list()) {
    if (!m.is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": 'metricsets' must list names"));
    }
    if (const StateMetricset* set = FindStateMetricset(m.as_string())) {
      spec.metricsets.push_back(set);
    } else {
      spec.unsupported_metricsets.push_back(m.as_string());
    }
  }
  for (const Value& h : stream.Find("hosts")->as_list()) {
    if (!h.is_string() || h.as_string().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": 'hosts' must list host:port"));
    }
    spec.hosts.push_back(http::HttpFetcher::NormalizeUrl(h.as_string()));
  }
  ASSIGN_OR_RETURN(spec.period, ParseDuration(stream.Find("period"), "period", where));
  if (spec.period < absl::Milliseconds(100)) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": 'period' must be at least 100ms"));
  }
  ASSIGN_OR_RETURN(absl::Duration timeout, ParseDuration(stream.Find("timeout"), "timeout", where));
  spec.fetch.timeout = timeout > absl::ZeroDuration() ? timeout
                                                       : std::min(spec.period, absl::Seconds(30));
  spec.fetch.connect_timeout = std::min(spec.fetch.timeout, absl::Seconds(5));
  spec.fetch.bearer_token_file = StringOr(stream.Find("bearer_token_file"), "");
  if (const Value* cas = stream.FindPath("ssl.certificate_authorities"); cas && cas->is_list()) {
    for (size_t i = 0; i < cas->as_list().size(); ++i) {
      const Value& ca = cas->as_list()[i];
      if (!ca.is_string() || ca.as_string().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": 'ssl.certificate_authorities[", i,
                         "]' must be a PEM file path or an inline PEM certificate"));
      }
      spec.fetch.certificate_authorities.push_back(ca.as_string());
    }
  }
  const std::string mode = StringOr(stream.FindPath("ssl.verification_mode"), "full");
  if (mode != "full" && mode != "none" && mode != "certificate" && mode != "strict") {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": 'ssl.verification_mode' must be full, strict, certificate or none"));
  }
  spec.fetch.verify_tls = mode != "none";
  spec.fetch.max_body_bytes = stream.Find("max_body_size")->as_int();
  spec.data_stream_dataset = StringOr(stream.FindPath("data_stream.dataset"), "");
  spec.data_stream_type = StringOr(stream.FindPath("data_stream.type"), "");
  if (const Value* m = stream.Find("add_metadata"); m != nullptr && m->is_bool()) {
    spec.add_metadata = m->as_bool();
  }
  const int64_t threads = stream.Find("scrape_threads")->as_int();
  if (threads < 0 || threads > 64) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": 'scrape_threads' must be between 0 (one per core) and 64, not ", threads));
  }
  spec.scrape_threads = static_cast<int>(threads);
  return spec;
}

absl::StatusOr<std::unique_ptr<KubernetesMetricsInput>> KubernetesMetricsInput::Create(
    InputContext context) {
  if (context.publisher == nullptr || context.observer == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", context.id, "': no publisher or observer"));
  }
  if (context.clock == nullptr) context.clock = &Clock::Real();
  std::vector<StreamSpec> streams;
  const Value* raw = context.config.Find("streams");
  if (raw == nullptr || !raw->is_list() || raw->as_list().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("input '", context.id, "': no streams (a list under 'streams')"));
  }
  bool any_supported = false;
  std::vector<std::string> unsupported;
  for (size_t i = 0; i < raw->as_list().size(); ++i) {
    ASSIGN_OR_RETURN(StreamSpec spec, ParseStream(raw->as_list()[i], context.config, i, context.id));
    any_supported |= !spec.metricsets.empty();
    for (const auto& m : spec.unsupported_metricsets) unsupported.push_back(m);
    streams.push_back(std::move(spec));
  }
  if (!any_supported) {
    return absl::UnimplementedError(absl::StrCat(
        "input '", context.id, "': none of its metricsets (", absl::StrJoin(unsupported, ", "),
        ") is supported by this build (supported: ", absl::StrJoin(StateMetricsetNames(), ", "),
        ")"));
  }
  return std::unique_ptr<KubernetesMetricsInput>(
      new KubernetesMetricsInput(std::move(context), std::move(streams)));
}

KubernetesMetricsInput::KubernetesMetricsInput(InputContext context,
                                               std::vector<StreamSpec> streams)
    : context_(std::move(context)),
      streams_(std::move(streams)),
      skipped_(MetricsRegistry::Global().GetCounter(
          "gatehouse_input_skipped_collections_total",
          "Scheduled collections skipped because the previous one was still running.",
          {{"input", context_.id}})) {
  for (StreamSpec& s : streams_) {
    s.fetch.cancel = &cancel_;
    StreamScraperConfig config;
    config.metricsets = s.metricsets;
    config.collect.add_metadata = s.add_metadata;
    config.period = s.period;
    config.data_stream_dataset = s.data_stream_dataset;
    config.data_stream_type = s.data_stream_type;
    config.threads = WorkerPool::ThreadsFor(s.scrape_threads, kMaxAutoScrapeThreads);
    scratch_.push_back(std::make_unique<Scratch>(std::move(config)));
  }
}

KubernetesMetricsInput::~KubernetesMetricsInput() { Stop(); }

absl::Status KubernetesMetricsInput::Start() {
  if (started_ || stopped_) return absl::OkStatus();
  started_ = true;
  for (size_t i = 0; i < streams_.size(); ++i) {
    const StreamSpec& spec = streams_[i];
    if (!spec.unsupported_metricsets.empty()) {
      context_.observer->CollectionFailed(
          spec.id, absl::UnimplementedError(absl::StrCat(
                       "metricsets not supported by this build: ",
                       absl::StrJoin(spec.unsupported_metricsets, ", "))));
    }
    if (spec.metricsets.empty()) continue;
    ASSIGN_OR_RETURN(auto fetcher, http::HttpFetcher::Create(spec.fetch));
    http::HttpFetcher* raw_fetcher = fetcher.get();
    auto runner = std::make_unique<PeriodicRunner>(
        spec.period, context_.clock, [this, i, raw_fetcher] { RunStream(i, raw_fetcher); },
        [this, i](int64_t n) {
          skipped_->Increment(n);
          GH_LOG_WARN("input {} stream {}: skipped {} collection(s): the previous one overran "
                      "the period",
                      context_.id, streams_[i].id, n);
        });
    running_.push_back(Running{std::move(fetcher), std::move(runner)});
  }
  for (Running& r : running_) r.runner->Start();
  return absl::OkStatus();
}

void KubernetesMetricsInput::Stop() {
  if (stopped_) return;
  stopped_ = true;
  cancel_.store(true);
  for (Running& r : running_) r.runner->Stop();  // waits for in-flight collections
  running_.clear();
}

void KubernetesMetricsInput::RunStream(size_t index, http::HttpFetcher* fetcher) {
  const StreamSpec& spec = streams_[index];
  absl::StatusOr<int64_t> events = CollectOnce(index, fetcher);
  if (cancel_.load() && !events.ok()) return;  // stopping: not a collection failure
  if (events.ok()) {
    context_.observer->CollectionSucceeded(spec.id, *events);
  } else {
    GH_LOG_WARN("input {} stream {}: {}", context_.id, spec.id, events.status().ToString());
    context_.observer->CollectionFailed(spec.id, events.status());
  }
}

absl::StatusOr<int64_t> KubernetesMetricsInput::CollectOnce(size_t stream_index,
                                                            http::HttpFetcher* fetcher) {
  const StreamSpec& spec = streams_[stream_index];
  int64_t published = 0;
  absl::Status first_error;
  for (const std::string& host : spec.hosts) {
    const absl::Time started = context_.clock->Now();
    absl::StatusOr<std::string> body = fetcher->Fetch(host);
    if (!body.ok()) {
      if (first_error.ok()) first_error = body.status();
      continue;
    }
    Scratch& scratch = *scratch_[stream_index];
    const absl::Duration duration = context_.clock->Now() - started;
    absl::Status scraped =
        scratch.scraper.Scrape(*body, host, started, duration, &scratch.events);
    if (!scraped.ok()) {
      if (first_error.ok()) first_error = scraped;
      continue;
    }
    if (scratch.scraper.exposition().error_count() > 0) {
      GH_LOG_WARN("input {} stream {}: {}: {} (the rest of the scrape is used)", context_.id,
                  spec.id, host, scratch.scraper.exposition().ErrorSummary());
    }
    for (Event& event : scratch.events) {
      if (!context_.publisher->Publish(std::move(event))) {
        scratch.events.clear();
        return absl::CancelledError(absl::StrCat(
            "the agent is shutting the input down; ", published, " events were published"));
      }
      ++published;
    }
    scratch.events.clear();  // moved-from: keeps the vector's memory for the next scrape
  }
  if (!first_error.ok()) return first_error;
  return published;
}

GATEHOUSE_REGISTER_FACTORY(InputFactory, KubernetesMetricsFactory);

}  // namespace gatehouse::kubernetes
