"""Macros that keep Gatehouse BUILD files short: common copts, test deps, plugin libraries."""

GATEHOUSE_COPTS = ["-Werror=return-type"]

def gh_cc_library(name, copts = [], **kwargs):
    native.cc_library(name = name, copts = GATEHOUSE_COPTS + copts, **kwargs)

def gh_plugin_library(name, copts = [], **kwargs):
    """A library that registers a provider/input/output from its own .cc: the linker keeps it."""
    native.cc_library(name = name, copts = GATEHOUSE_COPTS + copts, alwayslink = True, **kwargs)

def gh_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = GATEHOUSE_COPTS + copts, **kwargs)

def gh_cc_test(name, copts = [], deps = [], **kwargs):
    """A GoogleTest test with gmock, gtest_main and our status helpers."""
    native.cc_test(
        name = name,
        copts = GATEHOUSE_COPTS + copts,
        deps = deps + [
            "//testing:status_testing",
            "@system//:gtest_main",
        ],
        **kwargs
    )

def gh_cc_benchmark(name, copts = [], deps = [], tags = [], **kwargs):
    """A Google Benchmark binary; run it with `bazel run -c opt //benchmarks:<name>`."""
    native.cc_binary(
        name = name,
        copts = GATEHOUSE_COPTS + copts,
        deps = deps + ["@system//:benchmark"],
        tags = tags + ["benchmark"],
        **kwargs
    )

def gh_cc_fuzz_test(name, srcs, corpus, deps = [], copts = [], **kwargs):
    """A libFuzzer target (LLVMFuzzerTestOneInput) in two forms.

    `name`: a cc_test that replays every file of the checked-in corpus through the target, so
    ./test.sh keeps the corpus as a regression suite with any compiler.
    `name_libfuzzer`: the real fuzzer; build it with `--config=fuzz` (clang + libFuzzer).
    """
    native.cc_test(
        name = name,
        srcs = srcs,
        copts = GATEHOUSE_COPTS + copts,
        deps = deps + ["//testing:fuzz_replay_main"],
        args = ["$(locations %s)" % corpus],
        data = [corpus],
        **kwargs
    )
    native.cc_binary(
        name = name + "_libfuzzer",
        srcs = srcs,
        copts = GATEHOUSE_COPTS + copts,
        deps = deps,
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
    )
