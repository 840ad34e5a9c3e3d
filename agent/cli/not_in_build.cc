#include <cstdio>

#include "agent/cli/command.h"

namespace gatehouse::cli {

int CommandNotInThisBuild(const char* command, const char* what_brings_it) {
  std::fprintf(stderr,
               "gatehouse %s: this build does not include it yet; it comes with %s.\n"
               "See docs/cli.md for what each command does.\n",
               command, what_brings_it);
  return kExitUsage;
}

}  // namespace gatehouse::cli
