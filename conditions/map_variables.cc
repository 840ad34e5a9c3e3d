#include "conditions/map_variables.h"

#include <utility>

namespace gatehouse::conditions {

MapVariables::MapVariables(Value root)
    : root_(std::move(root)), chunks_(new std::atomic<Chunk*>[kMaxChunks]) {
  for (size_t i = 0; i < kMaxChunks; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
}

MapVariables::~MapVariables() {
  for (size_t i = 0; i < kMaxChunks; ++i) delete chunks_[i].load(std::memory_order_relaxed);
}

Slot MapVariables::Intern(absl::string_view dotted_path) {
  absl::MutexLock lock(&mutex_);
  auto [it, inserted] = slots_.try_emplace(dotted_path, static_cast<Slot>(slots_.size()));
  if (!inserted) return it->second;
  const Slot slot = it->second;
  const size_t chunk_index = slot >> kChunkBits;
  if (chunk_index >= kMaxChunks) return slot;  // beyond capacity: reads as missing
  Chunk* chunk = chunks_[chunk_index].load(std::memory_order_acquire);
  if (chunk == nullptr) {
    chunk = new Chunk();
    for (auto& entry : *chunk) entry.store(nullptr, std::memory_order_relaxed);
    chunks_[chunk_index].store(chunk, std::memory_order_release);
  }
  (*chunk)[slot & (kChunkSize - 1)].store(root_.FindPath(dotted_path), std::memory_order_release);
  return slot;
}

const Value* MapVariables::Read(Slot slot) const {
  const size_t chunk_index = slot >> kChunkBits;
  if (chunk_index >= kMaxChunks) return nullptr;
  const Chunk* chunk = chunks_[chunk_index].load(std::memory_order_acquire);
  if (chunk == nullptr) return nullptr;
  return (*chunk)[slot & (kChunkSize - 1)].load(std::memory_order_acquire);
}

}  // namespace gatehouse::conditions
