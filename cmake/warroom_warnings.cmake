# One place for the warning flags on our own code (third-party headers are SYSTEM).
function(warroom_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()
