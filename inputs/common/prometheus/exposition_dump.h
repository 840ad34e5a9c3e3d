// A complete, canonical text of a parsed Exposition (every sample with its labels, value,
// timestamp and line; every family; the error count and kept errors; the line count), with
// nothing about how it was stored: two parses of the same body dump the same text however they
// were done (one thread or pieces on several). For tests and the fuzzer.
#ifndef GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_DUMP_H_
#define GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_DUMP_H_

#include <string>

#include "inputs/common/prometheus/exposition.h"

namespace gatehouse::prometheus {

std::string DumpExposition(const Exposition& exposition);

}  // namespace gatehouse::prometheus

#endif  // GATEHOUSE_INPUTS_COMMON_PROMETHEUS_EXPOSITION_DUMP_H_
