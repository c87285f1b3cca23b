// The SQLite database: opened with durable pragmas, migrated to the schema
// this binary knows.
#pragma once

#include <SQLiteCpp/Database.h>

#include <stdexcept>
#include <string>

namespace warroom::storage {

// Storage failures carry what was being done; main and the runtime report them.
struct storage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class database {
public:
    // Opens (creating if needed) and migrates. Throws storage_error, e.g. when
    // the file holds a schema newer than this binary knows.
    explicit database(const std::string& path);

    SQLite::Database& sql() { return db_; }
    const std::string& path() const { return path_; }
    int schema_version();
    static int latest_schema_version();

private:
    std::string path_;
    SQLite::Database db_;
};

}  // namespace warroom::storage
