// What every fuzz target shares: failing loudly (libFuzzer keeps the input
// that aborts) and reading its input a line at a time.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

// An invariant broke: say which, in this target's name (WARROOM_FUZZ_TARGET,
// set by tests/fuzz/CMakeLists.txt), and abort.
[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "%s: %s\n", WARROOM_FUZZ_TARGET, what);
    std::abort();
}

// The input up to the next newline (all of it when there is none); `in` moves past it.
[[maybe_unused]] std::string_view next_line(std::string_view& in) {
    auto nl = in.find('\n');
    auto line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    return line;
}

}  // namespace
