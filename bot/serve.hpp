// `warroom serve`: the engine behind Slack's HTTP endpoint, with the outbox
// delivered to the Web API and the timers on the wall clock.
#pragma once

#include "bot/config.hpp"

namespace warroom::bot {

// Runs until SIGTERM or SIGINT; returns the process exit code.
int run_serve(const config& cfg);

}  // namespace warroom::bot
