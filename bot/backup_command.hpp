// `warroom backup FILE`: a consistent copy of the database, safe while
// `serve` runs (SQLite's online backup API; the writer is not stopped).
#pragma once

#include "bot/config.hpp"

#include <iosfwd>
#include <string>

namespace warroom::bot {

// 0 with a summary on `out`; 1 with the reason on `err` when `dest` exists and
// `force` is not set. Other failures throw storage_error.
int run_backup_command(const config& cfg, const std::string& dest, bool force, std::ostream& out, std::ostream& err);

}  // namespace warroom::bot
