// Process-wide allocator tuning for the agent (a decision of the process, so `gatehouse run`
// makes it once at start; benchmarks that measure what the agent does make it too).
#ifndef GATEHOUSE_COMMON_MALLOC_TUNING_H_
#define GATEHOUSE_COMMON_MALLOC_TUNING_H_

namespace gatehouse {

// Turns glibc's fastbins off (mallopt(M_MXFAST, 0)), once; a no-op elsewhere. A scrape
// allocates ~1M small JSON nodes that the output thread frees later; with fastbins glibc hands
// those chunks back one by one, last in first out, so each allocation of the next scrape chases
// a pointer into a cold, scattered chunk (2.4x slower scrape-to-events, docs/benchmarks.md).
// Without them freed neighbours coalesce when freed and the next scrape carves its nodes from
// large contiguous blocks.
void TuneMallocForEventBursts();

}  // namespace gatehouse

#endif  // GATEHOUSE_COMMON_MALLOC_TUNING_H_
