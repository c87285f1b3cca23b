// The database a storage test runs on: a fresh SQLite file by default, or,
// when WARROOM_TEST_DB names a PostgreSQL database (ctest's second run of
// the suite, through tests/support/with_pg.sh), that database emptied. The
// same tests then run against both backends; tests of what only SQLite has
// (its file, pragmas, backups) are tagged [sqlite] and left out of the
// PostgreSQL run.
#pragma once

#include "storage/pg_connection.hpp"
#include "storage/pg_sql.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace warroom::testing {

inline std::string postgres_test_url() {
    const char* url = std::getenv("WARROOM_TEST_DB");
    return url && storage::is_postgres_url(url) ? std::string(url) : std::string();
}

// Drops every table (and the schema version) of the PostgreSQL test database.
inline void empty_postgres(const std::string& url) {
    storage::pg_connection c(url);
    c.execute("DROP SCHEMA IF EXISTS public CASCADE");
    c.execute("CREATE SCHEMA public");
}

struct temp_db {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("warroom-test-" + std::to_string(std::random_device{}()) + ".db");
    std::string location;
    bool postgres = false;

    temp_db() {
        auto url = postgres_test_url();
        postgres = !url.empty();
        location = postgres ? url : path.string();
        if (postgres) empty_postgres(url);
    }
    ~temp_db() {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm", ".lock"})
            std::filesystem::remove(path.string() + suffix, ec);
    }
    temp_db(const temp_db&) = delete;
    temp_db& operator=(const temp_db&) = delete;
};

}  // namespace warroom::testing
