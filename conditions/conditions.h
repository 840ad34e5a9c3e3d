// The condition language, one include: Compile() a condition once, Program::Evaluate() it many
// times. See docs/conditions.md for the language and the extension API.
#ifndef GATEHOUSE_CONDITIONS_CONDITIONS_H_
#define GATEHOUSE_CONDITIONS_CONDITIONS_H_

#include "conditions/diagnostic.h"         // IWYU pragma: export
#include "conditions/function_registry.h"  // IWYU pragma: export
#include "conditions/map_variables.h"      // IWYU pragma: export
#include "conditions/program.h"            // IWYU pragma: export
#include "conditions/variables.h"          // IWYU pragma: export

#endif  // GATEHOUSE_CONDITIONS_CONDITIONS_H_
