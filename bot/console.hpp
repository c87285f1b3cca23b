// `warroom console`: the engine with the terminal as Slack.
#pragma once

#include "bot/config.hpp"

#include <iosfwd>

namespace warroom::bot {

// Reads commands from `in` (one per line) until end of input, printing every
// post as "[#channel] text" and every answer to the caller as "[only you] text".
// Timers run on the system clock meanwhile. Returns the process exit code.
int run_console(const config& cfg, std::istream& in, std::ostream& out);

}  // namespace warroom::bot
