// Versioned schema migrations: schema/NNN_name.sql files compiled into the
// binary, applied in order, the version kept in SQLite's user_version.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::storage {

struct migration {
    int version = 0;
    std::string name;
    std::string_view sql;
};

// The embedded schema files, as (file name without extension, SQL).
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_migrations();

// Every migration, ordered by version (1, 2, ... with no gaps).
const std::vector<migration>& migrations();
int latest_version();
int current_version(SQLite::Database& db);

// Upgrades `db` to `target` (default: the latest), one transaction per
// migration. Throws storage_error when the file is newer than `target`.
void migrate(SQLite::Database& db, const std::string& path, int target = -1);

}  // namespace warroom::storage
