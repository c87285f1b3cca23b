// `warroom outbox`: what waits for Slack, and the dead letters an operator
// must look at. Safe to run while `serve` runs (SQLite WAL).
#pragma once

#include "bot/config.hpp"

#include <iosfwd>

namespace warroom::bot {

int run_outbox_command(const config& cfg, bool retry_dead, std::ostream& out);

}  // namespace warroom::bot
