// The text work PostgreSQL needs, kept pure so it is tested on its own:
// SQLite's `?` / `?N` / `:name` placeholders as PostgreSQL's `$N`, and the
// SQLite schema files as PostgreSQL DDL (location.hpp: which location is
// PostgreSQL, and a URL fit to print).
#pragma once

#include "storage/location.hpp"

#include <map>
#include <string>
#include <string_view>

namespace warroom::storage {

struct pg_placeholders {
    std::string sql;                   // with $1, $2, …
    std::map<std::string, int> names;  // ":name" → its number
    int count = 0;                     // the highest number used
};

// `?` takes the next number after the highest so far (SQLite's rule), `?N`
// is $N, each distinct `:name` gets the next number. Text inside quotes and
// `::` casts are left alone.
pg_placeholders rewrite_placeholders(std::string_view sql);

// A SQLite schema file as PostgreSQL DDL: `INTEGER PRIMARY KEY AUTOINCREMENT`
// becomes an identity column, every other INTEGER a BIGINT (SQLite's
// integers are 64-bit), `WITHOUT ROWID` goes. Only whole upper-case words
// outside quotes and comments change.
std::string schema_for_postgres(std::string_view sqlite_ddl);

}  // namespace warroom::storage
