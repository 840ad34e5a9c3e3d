#include "common/malloc_tuning.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace gatehouse {

void TuneMallocForEventBursts() {
#if defined(__GLIBC__) && defined(M_MXFAST)
  static const bool tuned = [] { return mallopt(M_MXFAST, 0) == 1; }();
  (void)tuned;
#endif
}

}  // namespace gatehouse
