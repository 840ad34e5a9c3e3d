#include "agent/input/event_allocator.h"

#include <atomic>
#include <cstdlib>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GH_EVENT_ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GH_EVENT_ARENA_ASAN 1
#endif
#ifdef GH_EVENT_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define GH_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define GH_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define GH_POISON(p, n) ((void)(p), (void)(n))
#define GH_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace gatehouse::event_arena {
namespace {

// At the start of every chunk (chunks are aligned to their size, so a node's chunk is its
// address rounded down).
//
// `live` counts the chunk's nodes not yet freed, plus kOwned while a thread still carves from
// it. The owner counts its own allocations (and its own frees) without atomics and settles
// them once, when it moves on (Retire): the chunk can then only reach zero after its owner has
// left it. Frees by other threads decrement `live` directly.
struct alignas(64) ChunkHeader {
  std::atomic<int64_t> live{0};
};
constexpr size_t kHeaderBytes = sizeof(ChunkHeader);
constexpr int64_t kOwned = int64_t{1} << 40;  // more nodes than a chunk can hold
// Free chunks kept for the next burst, up to 128 MiB: a scrape of 10,000 containers uses
// 480 chunks (30 MiB), 720 with add_metadata, so steady scraping reuses the same chunks and
// touches no fresh page. The pool never holds more than the most chunks in use at once (they
// all came back from use); beyond the cap they go back to malloc.
constexpr size_t kMaxPooledChunks = 2048;

ChunkHeader* ChunkOf(const void* p) {
  return reinterpret_cast<ChunkHeader*>(reinterpret_cast<uintptr_t>(p) & ~(kChunkBytes - 1));
}

class ChunkPool {
 public:
  static ChunkPool& Get() {
    static ChunkPool* const pool = new ChunkPool();  // never destroyed: threads free late
    return *pool;
  }

  ChunkHeader* Take() {
    void* memory = nullptr;
    {
      absl::MutexLock lock(&mu_);
      if (!free_.empty()) {
        memory = free_.back();
        free_.pop_back();
      }
      ++live_;
    }
    if (memory == nullptr) {
      memory = std::aligned_alloc(kChunkBytes, kChunkBytes);
      if (memory == nullptr) throw std::bad_alloc();
      GH_POISON(memory, kChunkBytes);
    }
    GH_UNPOISON(memory, kHeaderBytes);
    return new (memory) ChunkHeader();
  }

  void Give(ChunkHeader* chunk) {
    chunk->~ChunkHeader();
    GH_POISON(chunk, kChunkBytes);
    {
      absl::MutexLock lock(&mu_);
      --live_;
      if (free_.size() < kMaxPooledChunks) {
        free_.push_back(chunk);
        return;
      }
    }
    GH_UNPOISON(chunk, kChunkBytes);
    std::free(chunk);
  }

  Stats GetStats() {
    absl::MutexLock lock(&mu_);
    return Stats{live_, static_cast<int64_t>(free_.size())};
  }

 private:
  ChunkPool() = default;
  absl::Mutex mu_;
  std::vector<void*> free_ ABSL_GUARDED_BY(mu_);
  int64_t live_ ABSL_GUARDED_BY(mu_) = 0;
};

// The calling thread's chunk. Trivially destructible and constant-initialized, so it stays
// usable while other thread_local objects (which may hold events) are destroyed.
struct ThreadChunk {
  ChunkHeader* chunk = nullptr;
  char* cursor = nullptr;
  char* end = nullptr;
  int64_t owned_nodes = 0;  // carved minus freed by this thread, not yet settled in `live`
  bool exiting = false;     // the thread is past its Retirer: no chunk is kept any more
};
thread_local ThreadChunk current;

// Hands the chunk back to its nodes: it is freed once they all are.
void Retire(ThreadChunk& t) {
  if (t.chunk == nullptr) return;
  const int64_t settle = kOwned - t.owned_nodes;
  if (t.chunk->live.fetch_sub(settle, std::memory_order_acq_rel) == settle) {
    ChunkPool::Get().Give(t.chunk);
  }
  t = ThreadChunk{nullptr, nullptr, nullptr, 0, t.exiting};
}

// Settles the thread's chunk when the thread ends.
struct Retirer {
  ~Retirer() {
    current.exiting = true;
    Retire(current);
  }
};

void TakeChunk(ThreadChunk& t) {
  t.chunk = ChunkPool::Get().Take();
  t.chunk->live.store(kOwned, std::memory_order_relaxed);
  t.cursor = reinterpret_cast<char*>(t.chunk) + kHeaderBytes;
  t.end = reinterpret_cast<char*>(t.chunk) + kChunkBytes;
  t.owned_nodes = 0;
}

void* AllocateSlow(size_t bytes) {
  ThreadChunk& t = current;
  if (t.exiting) {
    // Thread teardown (a thread_local holding events is being destroyed and builds one): a
    // chunk for this node alone, retired at once.
    TakeChunk(t);
    void* p = t.cursor;
    GH_UNPOISON(p, bytes);
    t.owned_nodes = 1;
    Retire(t);
    return p;
  }
  static thread_local Retirer retirer;
  (void)retirer;
  // A chunk whose nodes this thread has all freed again, and no other thread touched, is
  // reused from its start (a thread that builds and drops temporaries stays in one chunk).
  if (t.chunk != nullptr && t.owned_nodes == 0 &&
      t.chunk->live.load(std::memory_order_acquire) == kOwned) {
    t.cursor = reinterpret_cast<char*>(t.chunk) + kHeaderBytes;
  } else {
    Retire(t);
    TakeChunk(t);
  }
  void* p = t.cursor;
  t.cursor += bytes;
  ++t.owned_nodes;
  GH_UNPOISON(p, bytes);
  return p;
}

}  // namespace

void* Allocate(size_t bytes) {
  bytes = (bytes + kAlignment - 1) & ~(kAlignment - 1);
  if (bytes == 0) bytes = kAlignment;  // a zero-size node still needs an address in its chunk
  ThreadChunk& t = current;
  if (static_cast<size_t>(t.end - t.cursor) < bytes) return AllocateSlow(bytes);
  void* p = t.cursor;
  t.cursor += bytes;
  ++t.owned_nodes;
  GH_UNPOISON(p, bytes);
  return p;
}

void Deallocate(void* p, size_t bytes) {
  GH_POISON(p, bytes);
  ChunkHeader* chunk = ChunkOf(p);
  ThreadChunk& t = current;
  if (chunk == t.chunk) {  // this thread's own chunk: settled when it moves on
    --t.owned_nodes;
    return;
  }
  if (chunk->live.fetch_sub(1, std::memory_order_acq_rel) == 1) ChunkPool::Get().Give(chunk);
}

Stats GetStats() { return ChunkPool::Get().GetStats(); }

}  // namespace gatehouse::event_arena
