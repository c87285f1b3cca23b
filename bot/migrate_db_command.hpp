// `warroom migrate-db --from A --to B`: every table of A copied into the
// empty database B (SQLite file or postgresql:// URL, either way), the row
// counts of each table checked on both sides.
#pragma once

#include <ostream>
#include <string>

namespace warroom::bot {

int run_migrate_db_command(const std::string& from, const std::string& to, std::ostream& out, std::ostream& err);

}  // namespace warroom::bot
