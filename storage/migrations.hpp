// Versioned schema migrations: schema/NNN_name.sql files compiled into the
// binary, applied in order. SQLite keeps the version in user_version;
// PostgreSQL in the table warroom_schema, the files translated by
// schema_for_postgres (pg_sql.hpp), under an advisory lock so that of
// several replicas starting together one migrates and the others wait.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace warroom::storage {

class pg_connection;

struct migration {
    int version = 0;
    std::string name;
    std::string_view sql;
};

// The embedded schema files, as (file name without extension, SQL).
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_migrations();

// Every migration, ordered by version. Versions only increase; a number may
// be missing (helpers number their migrations apart while they work in
// parallel), and a database records the highest applied.
const std::vector<migration>& migrations();
int latest_version();
int current_version(SQLite::Database& db);
int current_version(pg_connection& db);

// Upgrades `db` to `target` (default: the latest), one transaction per
// migration. Throws storage_error when the file is newer than `target`.
void migrate(SQLite::Database& db, const std::string& path, int target = -1);
void migrate_postgres(pg_connection& db, int target = -1);

}  // namespace warroom::storage
