// The process environment as a variable mapping (the `env` provider's logic).
#ifndef GATEHOUSE_PROVIDERS_ENV_ENVIRONMENT_H_
#define GATEHOUSE_PROVIDERS_ENV_ENVIRONMENT_H_

#include "common/value.h"

namespace gatehouse::providers {

// {NAME: value} for every "NAME=value" entry of `envp` (a null-terminated array, like
// `environ`). An entry without '=' is skipped; for a repeated name the first entry wins (getenv's
// rule).
Value::Map EnvironmentMapping(const char* const* envp);

}  // namespace gatehouse::providers

#endif  // GATEHOUSE_PROVIDERS_ENV_ENVIRONMENT_H_
