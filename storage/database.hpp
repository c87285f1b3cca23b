// The SQLite database: opened with durable pragmas, migrated to the schema
// this binary knows.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <unordered_map>

#include <stdexcept>
#include <string>

namespace warroom::storage {

// Storage failures carry what was being done; main and the runtime report them.
struct storage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A statement prepared once per connection and reused: preparing took a
// third of a declare's time. Reset, with its bindings cleared, when the
// handle goes out of scope, so no read snapshot is left open behind it.
class statement_handle {
public:
    explicit statement_handle(SQLite::Statement& s) : s_(&s) {}
    ~statement_handle();
    statement_handle(const statement_handle&) = delete;
    statement_handle& operator=(const statement_handle&) = delete;
    SQLite::Statement& operator*() const { return *s_; }

private:
    SQLite::Statement* s_;
};

class database {
public:
    // Opens (creating if needed) and migrates. Throws storage_error, e.g. when
    // the file holds a schema newer than this binary knows.
    explicit database(const std::string& path);

    SQLite::Database& sql() { return db_; }
    // `sql` must be constant text (values bound, not spliced in): it is the cache key.
    statement_handle prepare(const std::string& sql);
    const std::string& path() const { return path_; }
    int schema_version();
    static int latest_schema_version();

private:
    std::string path_;
    SQLite::Database db_;
    std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;  // after db_: closed first
};

}  // namespace warroom::storage
