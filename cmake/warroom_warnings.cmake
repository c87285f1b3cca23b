# One place for the warning flags on our own code (third-party headers are SYSTEM).
function(warroom_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports Asio's coroutine frame allocator as mismatched new/delete
    # (a known false positive, GCC bug 109224).
    target_compile_options(${target} PRIVATE -Wno-mismatched-new-delete)
  endif()
endfunction()
