// Versioned schema migrations: schema/NNN_name.sql files compiled into the
// binary, applied in order. SQLite keeps the version in user_version;
// PostgreSQL in the table warroom_schema, the files translated by
// schema_for_postgres (pg_sql.hpp), under an advisory lock so that of
// several replicas starting together one migrates and the others wait.
#pragma once

#include <set>
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
// parallel). A database records each migration applied (the table
// warroom_schema, on both backends), so one merged later with a lower
// number than those already applied is still applied.
const std::vector<migration>& migrations();
int latest_version();
// The highest version applied (SQLite: user_version).
int current_version(SQLite::Database& db);
// Which migrations a SQLite file has had (its warroom_schema table; for files
// made before there was one, every migration up to user_version), and whether
// any known migration is missing from them.
std::set<int> applied_versions(SQLite::Database& db);
bool has_pending(SQLite::Database& db);
int current_version(pg_connection& db);

// Upgrades `db` to `target` (default: the latest), every pending migration
// in one transaction (one commit, one fsync: all of them or none).
// Throws storage_error when the file is newer than `target`.
void migrate(SQLite::Database& db, const std::string& path, int target = -1);
void migrate_postgres(pg_connection& db, int target = -1);

}  // namespace warroom::storage
