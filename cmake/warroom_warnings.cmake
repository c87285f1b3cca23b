# One place for the warning flags on our own code (third-party headers are SYSTEM).
# WARROOM_WERROR=OFF keeps the warnings but not as errors: the clang fuzz build
# uses it, so a warning only clang gives does not stop the fuzzing.
option(WARROOM_WERROR "Treat warnings in warroom's own code as errors" ON)
function(warroom_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(WARROOM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports Asio's coroutine frame allocator as mismatched new/delete
    # (a known false positive, GCC bug 109224).
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
    # GCC 12 at -O3 flags "literal" + std::string as overlapping memcpy
    # (-Wrestrict, GCC bug 105329): a false positive in libstdc++ itself.
    target_compile_options(${target} PRIVATE -Wno-restrict)
    # The same "literal" + std::string inlined at -O3 (only the benchmarks'
    # Release build) trips -Wstringop-overflow and -Warray-bounds with
    # impossible 2^63 bounds inside libstdc++'s memcpy (GCC bug 105651): it
    # stopped bench/slack_compare.sh. The -O2 builds CI uses keep both.
    target_compile_options(${target} PRIVATE
      $<$<CONFIG:Release>:-Wno-stringop-overflow -Wno-array-bounds>)
    if(WARROOM_SANITIZE)
      # Sanitizer instrumentation at -O1 makes GCC 12 report maybe-uninitialized
      # inside libstdc++ (std::regex's std::function): noise, not our code.
      target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    endif()
  endif()
endfunction()
