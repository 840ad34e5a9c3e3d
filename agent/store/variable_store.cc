#include "agent/store/variable_store.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"

namespace gatehouse {
namespace {

// "a.b.c" -> {"a", "b.c"}; "a" -> {"a", ""}.
std::pair<absl::string_view, absl::string_view> SplitNamespace(absl::string_view path) {
  const size_t dot = path.find('.');
  if (dot == absl::string_view::npos) return {path, absl::string_view()};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

const Value* FindIn(const Value& root, absl::string_view rest) {
  return rest.empty() ? &root : root.FindPath(rest);
}

const std::vector<DynamicMappingPtr>& EmptyMappings() {
  static const auto* const empty = new std::vector<DynamicMappingPtr>();
  return *empty;
}

bool SameValue(const Value* a, const Value* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return *a == *b;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// StoreSnapshot

const Value* StoreSnapshot::Read(Slot slot) const {
  return slot < values_.size() ? values_[slot] : nullptr;
}

uint64_t StoreSnapshot::SlotGeneration(Slot slot) const {
  return slot < slot_generations_.size() ? slot_generations_[slot] : 0;
}

const Value* StoreSnapshot::LookupContext(absl::string_view path_namespace,
                                          absl::string_view rest) const {
  auto it = context_.find(path_namespace);
  if (it == context_.end()) return nullptr;
  return FindIn(*it->second, rest);
}

const Value* StoreSnapshot::Lookup(absl::string_view dotted_path,
                                   const DynamicMapping* mapping) const {
  auto [path_namespace, rest] = SplitNamespace(dotted_path);
  if (mapping != nullptr && path_namespace == mapping->provider) {
    return FindIn(mapping->mapping, rest);
  }
  return LookupContext(path_namespace, rest);
}

std::vector<std::string> StoreSnapshot::DynamicProviders() const {
  std::vector<std::string> names;
  for (const auto& [name, mappings] : dynamic_) names.push_back(name);
  return names;
}

const std::vector<DynamicMappingPtr>& StoreSnapshot::Mappings(absl::string_view provider) const {
  auto it = dynamic_.find(provider);
  return it == dynamic_.end() ? EmptyMappings() : *it->second;
}

const DynamicMapping* StoreSnapshot::FindMapping(absl::string_view provider,
                                                 absl::string_view id) const {
  const auto& mappings = Mappings(provider);
  auto it = std::lower_bound(mappings.begin(), mappings.end(), id,
                             [](const DynamicMappingPtr& m, absl::string_view key) {
                               return m->id < key;
                             });
  return it != mappings.end() && (*it)->id == id ? it->get() : nullptr;
}

const Value* StoreSnapshot::MappingReader::Read(Slot slot) const {
  if (slot < mapping_->slot_values.size()) {
    const DynamicMapping::SlotValue& resolved = mapping_->slot_values[slot];
    return resolved.in_mapping ? resolved.value : snapshot_->Read(slot);
  }
  const SlotTable& slots = *snapshot_->slots_;
  if (slot >= slots.size()) return nullptr;
  const SlotPath& path = slots[slot];
  if (path.path_namespace == mapping_->provider) return FindIn(mapping_->mapping, path.rest);
  return snapshot_->Read(slot);
}

std::unique_ptr<conditions::VariableReader> StoreSnapshot::ReaderForMapping(
    const DynamicMapping& mapping) const {
  return std::make_unique<MappingReader>(*this, mapping);
}

Value StoreSnapshot::ContextToValue() const {
  Value::Map all;
  for (const auto& [name, mapping] : context_) all.emplace(name, *mapping);
  return Value(std::move(all));
}

// ---------------------------------------------------------------------------------------------
// The sink a provider writes through.

class VariableStore::Sink final : public ProviderSink {
 public:
  Sink(VariableStore* store, std::string provider, ProviderFactory::Kind kind,
       FailureCallback on_fail)
      : store_(store), provider_(std::move(provider)), kind_(kind), on_fail_(std::move(on_fail)) {}

  void Publish(Value::Map mapping) override {
    if (kind_ != ProviderFactory::Kind::kContext) {
      GH_LOG_ERROR("dynamic provider '{}' called Publish; ignored (use UpsertMapping)", provider_);
      return;
    }
    store_->PublishContext(provider_, std::move(mapping));
  }

  void UpsertMapping(absl::string_view id, Value::Map mapping, Value processors) override {
    if (kind_ != ProviderFactory::Kind::kDynamic) {
      GH_LOG_ERROR("context provider '{}' called UpsertMapping; ignored (use Publish)", provider_);
      return;
    }
    store_->UpsertMapping(provider_, id, std::move(mapping), std::move(processors));
  }

  void RemoveMapping(absl::string_view id) override {
    if (kind_ != ProviderFactory::Kind::kDynamic) {
      GH_LOG_ERROR("context provider '{}' called RemoveMapping; ignored", provider_);
      return;
    }
    store_->RemoveMapping(provider_, id);
  }

  void Fail(absl::Status status) override {
    store_->RecordFailure(provider_, status);
    if (on_fail_) on_fail_(std::move(status));
  }

 private:
  VariableStore* const store_;
  const std::string provider_;
  const ProviderFactory::Kind kind_;
  const FailureCallback on_fail_;
};

// ---------------------------------------------------------------------------------------------
// VariableStore

VariableStore::VariableStore() {
  absl::MutexLock lock(&mu_);
  slot_table_ = std::make_shared<const StoreSnapshot::SlotTable>();
  snapshot_ = BuildSnapshotLocked();
}

VariableStore::~VariableStore() = default;

Slot VariableStore::Intern(absl::string_view dotted_path) {
  absl::MutexLock lock(&mu_);
  auto it = slot_of_.find(dotted_path);
  if (it != slot_of_.end()) return it->second;
  const Slot slot = static_cast<Slot>(slot_paths_.size());
  auto [path_namespace, rest] = SplitNamespace(dotted_path);
  StoreSnapshot::SlotPath path{std::string(path_namespace), std::string(rest)};
  slot_values_.push_back(ResolveLocked(path));
  slot_generations_.push_back(slot_values_.back() != nullptr ? generation_ : 0);
  slots_by_namespace_[path.path_namespace].push_back(slot);
  slot_paths_.push_back(std::move(path));
  slot_of_.emplace(std::string(dotted_path), slot);
  snapshot_stale_ = true;
  return slot;
}

std::string VariableStore::PathOf(Slot slot) const {
  absl::MutexLock lock(&mu_);
  if (slot >= slot_paths_.size()) return std::string();
  const auto& path = slot_paths_[slot];
  return path.rest.empty() ? path.path_namespace : path.path_namespace + "." + path.rest;
}

size_t VariableStore::slot_count() const {
  absl::MutexLock lock(&mu_);
  return slot_paths_.size();
}

std::unique_ptr<ProviderSink> VariableStore::NewSink(std::string provider_name,
                                                     ProviderFactory::Kind kind,
                                                     FailureCallback on_fail) {
  return std::make_unique<Sink>(this, std::move(provider_name), kind, std::move(on_fail));
}

absl::Status VariableStore::LastFailure(absl::string_view provider_name) const {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(provider_name);
  return it == failures_.end() ? absl::OkStatus() : it->second;
}

std::shared_ptr<const StoreSnapshot> VariableStore::Snapshot() const {
  absl::MutexLock lock(&mu_);
  if (snapshot_stale_) {
    snapshot_ = BuildSnapshotLocked();
    snapshot_stale_ = false;
  }
  return snapshot_;
}

uint64_t VariableStore::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

const Value* VariableStore::ResolveLocked(const StoreSnapshot::SlotPath& path) const {
  auto it = context_.find(path.path_namespace);
  return it == context_.end() ? nullptr : FindIn(*it->second, path.rest);
}

void VariableStore::ResolveMappingSlotsLocked(DynamicMapping* mapping) const {
  const size_t from = mapping->slot_values.size();
  mapping->slot_values.resize(slot_paths_.size());
  for (size_t slot = from; slot < slot_paths_.size(); ++slot) {
    if (slot_paths_[slot].path_namespace != mapping->provider) continue;
    mapping->slot_values[slot] = {true, FindIn(mapping->mapping, slot_paths_[slot].rest)};
  }
}

std::shared_ptr<const StoreSnapshot> VariableStore::BuildSnapshotLocked() const {
  if (slot_table_->size() != slot_paths_.size()) {
    slot_table_ = std::make_shared<const StoreSnapshot::SlotTable>(slot_paths_);
    // Mappings published before these slots existed get them resolved too (copies: older
    // snapshots keep theirs).
    for (auto& [provider, mappings] : dynamic_) {
      auto refreshed = std::make_shared<std::vector<DynamicMappingPtr>>(*mappings);
      for (DynamicMappingPtr& mapping : *refreshed) {
        auto copy = std::make_shared<DynamicMapping>(*mapping);
        ResolveMappingSlotsLocked(copy.get());
        mapping = std::move(copy);
      }
      mappings = std::move(refreshed);
    }
  }
  auto snapshot = std::make_shared<StoreSnapshot>();
  snapshot->generation_ = generation_;
  snapshot->slots_ = slot_table_;
  snapshot->values_ = slot_values_;
  snapshot->slot_generations_ = slot_generations_;
  snapshot->context_ = context_;
  snapshot->dynamic_ = dynamic_;
  return snapshot;
}

void VariableStore::CommitLocked(ChangeSet change) {
  change.generation = generation_;
  snapshot_ = BuildSnapshotLocked();
  snapshot_stale_ = false;
  if (pending_.size() >= kMaxPendingChangeSets) {
    // Nobody drains: keep one marker that says "everything" instead of an unbounded queue.
    ChangeSet everything;
    everything.generation = generation_;
    everything.everything = true;
    pending_.clear();
    pending_.push_back(std::move(everything));
    return;
  }
  if (!pending_.empty() && pending_.back().everything) {
    pending_.back().generation = generation_;
    return;
  }
  pending_.push_back(std::move(change));
}

void VariableStore::PublishContext(const std::string& provider, Value::Map mapping) {
  auto root = std::make_shared<const Value>(std::move(mapping));
  absl::MutexLock lock(&mu_);
  auto it = context_.find(provider);
  if (it != context_.end() && *it->second == *root) return;  // an equal write is not a change
  const uint64_t next_generation = generation_ + 1;
  context_[provider] = root;
  ChangeSet change;
  auto slots = slots_by_namespace_.find(provider);
  if (slots != slots_by_namespace_.end()) {
    for (Slot slot : slots->second) {
      const Value* now = FindIn(*root, slot_paths_[slot].rest);
      const bool changed = !SameValue(slot_values_[slot], now);
      slot_values_[slot] = now;  // always repoint: the old root may be freed
      if (changed) {
        slot_generations_[slot] = next_generation;
        change.changed_slots.push_back(slot);
      }
    }
    std::sort(change.changed_slots.begin(), change.changed_slots.end());
  }
  // A new mapping with no interned slot changed is still a new generation: Lookup sees it.
  generation_ = next_generation;
  CommitLocked(std::move(change));
}

void VariableStore::UpsertMapping(const std::string& provider, absl::string_view id,
                                  Value::Map mapping, Value processors) {
  Value mapping_value(std::move(mapping));
  absl::MutexLock lock(&mu_);
  auto& current = dynamic_[provider];
  std::vector<DynamicMappingPtr> mappings = current ? *current : std::vector<DynamicMappingPtr>();
  auto it = std::lower_bound(mappings.begin(), mappings.end(), id,
                             [](const DynamicMappingPtr& m, absl::string_view key) {
                               return m->id < key;
                             });
  const bool exists = it != mappings.end() && (*it)->id == id;
  if (exists && (*it)->mapping == mapping_value && (*it)->processors == processors) return;
  ++generation_;
  auto entry = std::make_shared<DynamicMapping>();
  entry->provider = provider;
  entry->id = std::string(id);
  entry->mapping = std::move(mapping_value);
  entry->processors = std::move(processors);
  entry->generation = generation_;
  ResolveMappingSlotsLocked(entry.get());
  if (exists) {
    *it = std::move(entry);
  } else {
    mappings.insert(it, std::move(entry));
  }
  current = std::make_shared<const std::vector<DynamicMappingPtr>>(std::move(mappings));
  ChangeSet change;
  DynamicChange dynamic_change;
  dynamic_change.provider = provider;
  (exists ? dynamic_change.updated : dynamic_change.added).push_back(std::string(id));
  change.dynamic.push_back(std::move(dynamic_change));
  CommitLocked(std::move(change));
}

void VariableStore::RemoveMapping(const std::string& provider, absl::string_view id) {
  absl::MutexLock lock(&mu_);
  auto current = dynamic_.find(provider);
  if (current == dynamic_.end()) return;
  std::vector<DynamicMappingPtr> mappings = *current->second;
  auto it = std::lower_bound(mappings.begin(), mappings.end(), id,
                             [](const DynamicMappingPtr& m, absl::string_view key) {
                               return m->id < key;
                             });
  if (it == mappings.end() || (*it)->id != id) return;
  mappings.erase(it);
  current->second = std::make_shared<const std::vector<DynamicMappingPtr>>(std::move(mappings));
  ++generation_;
  ChangeSet change;
  DynamicChange dynamic_change;
  dynamic_change.provider = provider;
  dynamic_change.removed.push_back(std::string(id));
  change.dynamic.push_back(std::move(dynamic_change));
  CommitLocked(std::move(change));
}

void VariableStore::RecordFailure(const std::string& provider, absl::Status status) {
  absl::MutexLock lock(&mu_);
  failures_[provider] = std::move(status);
}

std::vector<ChangeSet> VariableStore::WaitForChanges(uint64_t after_generation,
                                                     absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const uint64_t wake_at_entry = wake_count_;
  auto ready = [this, after_generation, wake_at_entry]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (!pending_.empty() && pending_.back().generation > after_generation) ||
           wake_count_ != wake_at_entry;
  };
  if (!ready()) mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  std::vector<ChangeSet> out;
  out.reserve(pending_.size());
  for (ChangeSet& change : pending_) {
    if (change.generation > after_generation) out.push_back(std::move(change));
  }
  pending_.clear();
  return out;
}

std::vector<ChangeSet> VariableStore::DrainChanges() {
  absl::MutexLock lock(&mu_);
  std::vector<ChangeSet> out(std::make_move_iterator(pending_.begin()),
                             std::make_move_iterator(pending_.end()));
  pending_.clear();
  return out;
}

void VariableStore::MarkEverythingChanged() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  ChangeSet everything;
  everything.everything = true;
  CommitLocked(std::move(everything));
}

void VariableStore::WakeWaiters() {
  absl::MutexLock lock(&mu_);
  ++wake_count_;
}

}  // namespace gatehouse
