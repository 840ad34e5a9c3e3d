// Compiles arbitrary text and, when it compiles, evaluates it over a fixed variable map in both
// modes. Neither may crash, overflow the stack or trip a sanitizer.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "conditions/conditions.h"

namespace {

gatehouse::Value FuzzVariables() {
  using gatehouse::Value;
  return Value(Value::Map{
      {"host", Value(Value::Map{{"name", Value("node-1")},
                                {"cpus", Value(4)},
                                {"load", Value(1.5)},
                                {"up", Value(true)},
                                {"tags", Value(Value::List{Value("a"), Value(1)})},
                                {"labels", Value(Value::Map{{"app", Value("web")}})}})},
      {"x", Value(0)},
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  gatehouse::conditions::MapVariables variables(FuzzVariables());
  gatehouse::conditions::Diagnostic diagnostic;
  auto program = gatehouse::conditions::Compile(text, {.resolver = &variables}, &diagnostic);
  if (!program.ok()) {
    (void)diagnostic.Render(text);
    return 0;
  }
  (void)(*program)->Evaluate(variables, /*strict=*/false);
  (void)(*program)->Evaluate(variables, /*strict=*/true);
  return 0;
}
