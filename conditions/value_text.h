// How the condition language turns values into text: the stringification that concat(),
// string() and the string functions use (Elastic Agent's rules), and the literal-like rendering
// error messages use.
#ifndef GATEHOUSE_CONDITIONS_VALUE_TEXT_H_
#define GATEHOUSE_CONDITIONS_VALUE_TEXT_H_

#include <string>

#include "common/value.h"

namespace gatehouse::conditions {

// null -> "null", strings as they are, floats in exponent form ("1.5E+00"), arrays "[a,b]",
// dicts "{k:v,...}" (keys in order).
void AppendStringified(const Value& value, std::string* out);
std::string Stringify(const Value& value);

// A float the way Elastic Agent prints it: shortest round-trip digits, exponent form.
std::string FormatFloatExponent(double value);

// For messages: strings quoted ('a'), floats with a decimal point (1.0), containers as literals.
std::string Describe(const Value& value);

}  // namespace gatehouse::conditions

#endif  // GATEHOUSE_CONDITIONS_VALUE_TEXT_H_
