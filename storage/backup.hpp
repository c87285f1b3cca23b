// Consistent copies of the database while it is in use: SQLite's online
// backup API reads one snapshot (WAL lets the writer go on meanwhile), so the
// copy holds exactly the transactions committed before it started.
#pragma once

#include "storage/database.hpp"

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>

namespace warroom::storage {

struct backup_result {
    std::string path;          // the copy
    int schema_version = 0;    // of the copy
    std::int64_t incidents = 0;
    std::int64_t bytes = 0;
};

// `dest` is there already and overwriting was not asked for: not a database
// problem, and the command line says so in its own words.
struct destination_exists : storage_error {
    using storage_error::storage_error;
};

// Copies `src` (any open connection, read-only is enough) to `dest`, a single
// self-contained file (rollback journal, no -wal beside it). It is written
// under a temporary name and renamed when complete, so `dest` is never a
// half-made copy, and is readable by its owner only (it holds every incident).
// Refuses an existing `dest` unless `overwrite` (destination_exists). Throws storage_error.
backup_result backup_database(SQLite::Database& src, const std::string& dest, bool overwrite = false);

// Opens `src_path` read-only (no migration) and copies it to `dest`.
backup_result backup_file(const std::string& src_path, const std::string& dest, bool overwrite = false);

}  // namespace warroom::storage
