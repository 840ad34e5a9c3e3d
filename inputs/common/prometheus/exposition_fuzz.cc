// Fuzzes the exposition parser: any bytes parse without crashing, every view the result holds
// points into the body or into the Exposition's own storage, and a parse in pieces on several
// threads reads exactly like one parse of the whole body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/worker_pool.h"
#include "inputs/common/prometheus/exposition.h"
#include "inputs/common/prometheus/exposition_dump.h"

namespace {

void Check(absl::string_view body, const gatehouse::prometheus::Exposition& e) {
  const size_t size = body.size();
  auto inside = [&](absl::string_view v) {
    return v.empty() || (v.data() >= body.data() && v.data() + v.size() <= body.data() + size);
  };
  for (const auto& sample : e.samples()) {
    if (!inside(sample.name) || sample.name.empty()) std::abort();
    if (sample.line == 0 || sample.line > e.line_count()) std::abort();
    for (const auto& label : e.labels(sample)) {
      if (!inside(label.name) || label.name.empty()) std::abort();
      volatile size_t touch = 0;  // reads every byte of unescaped values too (ASan checks)
      for (char c : label.value) touch += static_cast<unsigned char>(c);
      (void)touch;
    }
  }
  for (const auto& family : e.families()) {
    if (!inside(family.name) || !inside(family.help) || !inside(family.type_text)) std::abort();
  }
  if (e.errors().size() > e.error_count()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gatehouse::prometheus::Exposition;
  using gatehouse::prometheus::FamilyFilter;
  absl::string_view body(reinterpret_cast<const char*>(data), size);
  Exposition e = Exposition::Parse(body);
  Check(body, e);
  // The same body through the family filter (what a state_container stream does), into the
  // same Exposition: only accepted families, never more samples than unfiltered.
  const size_t all = e.samples().size();
  FamilyFilter filter;
  filter.AddPrefix("kube_pod_container_").AddName("kube_pod_info").AddName("m");
  e.Reparse(body, filter);
  Check(body, e);
  if (e.samples().size() > all) std::abort();
  for (const auto& sample : e.samples()) {
    if (!filter.Accepts(sample.name)) std::abort();
  }
  // In pieces (as small as one line each), with and without the filter.
  static gatehouse::WorkerPool* const pool = new gatehouse::WorkerPool(2);
  const size_t min_piece = 1 + size % 13;
  Exposition pieces;
  pieces.Reparse(body, filter, *pool, min_piece);
  Check(body, pieces);
  if (DumpExposition(pieces) != DumpExposition(e)) std::abort();
  pieces.Reparse(body, FamilyFilter(), *pool, min_piece);
  Check(body, pieces);
  if (DumpExposition(pieces) != DumpExposition(Exposition::Parse(body))) std::abort();
  return 0;
}
