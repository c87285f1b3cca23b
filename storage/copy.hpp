// Everything in one database copied into another, either backend to either
// (`warroom migrate-db`): SQLite to PostgreSQL to move, PostgreSQL to SQLite
// to move back. Table by table, whatever tables the schema has, in one
// transaction on the destination; then each table's rows counted on both sides.
#pragma once

#include "storage/database.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace warroom::storage {

struct table_copy {
    std::string table;
    std::size_t source_rows = 0;
    std::size_t copied_rows = 0;  // counted in the destination after the commit
};

// Both databases are at the same schema version (opening them migrated
// both). Throws storage_error, changing nothing, when the destination
// already holds incidents, timeline or outbox entries, or lacks a table or
// column of the source; and when the counts differ after the copy.
std::vector<table_copy> copy_database(database& from, database& to);

// The tables of `db` (the schema version table left out), incidents first so
// that rows referring to an incident find it.
std::vector<std::string> table_names(database& db);

}  // namespace warroom::storage
