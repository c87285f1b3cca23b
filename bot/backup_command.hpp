// `warroom backup FILE`: a consistent copy of the database, safe while
// `serve` runs (SQLite's online backup API; the writer is not stopped).
#pragma once

#include "bot/config.hpp"

#include <iosfwd>
#include <string>

namespace warroom::bot {

int run_backup_command(const config& cfg, const std::string& dest, bool force, std::ostream& out);

}  // namespace warroom::bot
