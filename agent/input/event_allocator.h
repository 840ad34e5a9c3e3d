// The allocator of `Event`'s nodes (objects, arrays, string handles): a per-thread bump arena.
//
// Why: an input builds thousands of events in one burst (a 10,000-container kube-state-metrics
// scrape makes ~500,000 small JSON nodes), and another thread frees them all a little later,
// after writing them. Through malloc each node costs a call to build and a call to free, and
// the freed nodes leave the heap scattered for the next burst. Here a node is carved from the
// allocating thread's current 64 KiB chunk by moving a pointer; a chunk goes back to a shared
// pool once every node carved from it is freed, by whichever thread. Nodes of one event sit next
// to each other, which also makes writing the event cheaper.
//
// The price: a chunk stays allocated while any of its nodes lives, so an Event kept for a long
// time pins up to 64 KiB. Events are short-lived by design (built, processed, written, freed);
// long-lived JSON state belongs in `Value` or nlohmann::json.
//
// Requests above kMaxArenaBytes (large arrays or objects) go to operator new. String contents
// longer than the small-string buffer are allocated by std::string itself, as before.
//
// Under AddressSanitizer freed nodes are poisoned until their chunk is reused, so a use after
// free of an event node is still reported.
//
// Thread contract: thread-safe. Each thread allocates from its own chunk; any thread may free.
#ifndef GATEHOUSE_AGENT_INPUT_EVENT_ALLOCATOR_H_
#define GATEHOUSE_AGENT_INPUT_EVENT_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

namespace gatehouse {
namespace event_arena {

inline constexpr size_t kChunkBytes = 64 * 1024;
inline constexpr size_t kMaxArenaBytes = 1024;
inline constexpr size_t kAlignment = 16;

// `bytes` ≤ kMaxArenaBytes; the result is aligned to kAlignment.
void* Allocate(size_t bytes);
// `p` from Allocate(bytes) on any thread.
void Deallocate(void* p, size_t bytes);

struct Stats {
  int64_t chunks_live = 0;    // handed to a thread and not yet wholly freed
  int64_t chunks_pooled = 0;  // free, kept for reuse
};
Stats GetStats();

}  // namespace event_arena

// A stateless allocator over event_arena, for nlohmann::basic_json's AllocatorType parameter.
template <typename T>
class EventAllocator {
 public:
  using value_type = T;
  using is_always_equal = std::true_type;

  EventAllocator() noexcept = default;
  template <typename U>
  EventAllocator(const EventAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (!InArena(bytes)) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(event_arena::Allocate(bytes));
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (!InArena(bytes)) {
      ::operator delete(p);
      return;
    }
    event_arena::Deallocate(p, bytes);
  }

  friend bool operator==(const EventAllocator&, const EventAllocator&) noexcept { return true; }
  friend bool operator!=(const EventAllocator&, const EventAllocator&) noexcept { return false; }

 private:
  static bool InArena(size_t bytes) {
    return bytes <= event_arena::kMaxArenaBytes && alignof(T) <= event_arena::kAlignment;
  }
};

}  // namespace gatehouse

#endif  // GATEHOUSE_AGENT_INPUT_EVENT_ALLOCATOR_H_
