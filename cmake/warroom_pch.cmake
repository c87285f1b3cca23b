# Precompiled headers for the third-party headers most files parse: nlohmann
# alone costs a file about 1 s of parsing, spdlog and Asio's coroutine
# headers about half that each, Catch2 as much in every test file. Each set is
# compiled once and reused (REUSE_FROM) by every target whose flags match it:
# GCC accepts a precompiled header only when the flags and the macros it sees
# are the same, so the sets follow the flag groups:
#   lib:  -O2 libraries                      (owner warroom_templates)
#   net:  -O2 code that sees Asio and spdlog (owner warroom_net)
#   test: -O0 test code                      (owner warroom_test_pch)
# An owner defines no macro its users lack: GCC refuses a header precompiled
# under a macro that the file using it does not define the same way.
# Only third-party and standard headers: a change to our own headers must not
# rebuild a precompiled header and with it every file of the group.
# ccache caches both the headers and the files using them when sloppiness
# has pch_defines,time_macros (set with the launcher, top CMakeLists.txt).
option(WARROOM_PCH "Precompile the common third-party headers" ON)

set(WARROOM_PCH_STD <string> <string_view> <vector> <map> <optional> <variant> <functional> <memory> <chrono>
  <algorithm>)
set(WARROOM_PCH_lib <nlohmann/json.hpp> ${WARROOM_PCH_STD})
set(WARROOM_PCH_net <nlohmann/json.hpp> <spdlog/spdlog.h> <boost/asio/any_io_executor.hpp>
  <boost/asio/awaitable.hpp> <boost/asio/async_result.hpp> <boost/asio/post.hpp> <boost/asio/this_coro.hpp>
  <boost/asio/use_awaitable.hpp> ${WARROOM_PCH_STD})
set(WARROOM_PCH_test <catch2/catch.hpp> <nlohmann/json.hpp> ${WARROOM_PCH_STD})

# warroom_pch(<target> <set>): the first target of a set compiles it, the others reuse it.
function(warroom_pch target set)
  if(NOT WARROOM_PCH)
    return()
  endif()
  get_property(owner GLOBAL PROPERTY WARROOM_PCH_OWNER_${set})
  if(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${WARROOM_PCH_${set}})
    set_property(GLOBAL PROPERTY WARROOM_PCH_OWNER_${set} ${target})
  endif()
endfunction()
