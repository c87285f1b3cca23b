// The SQLite database: opened with durable pragmas, migrated to the schema
// this binary knows.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace warroom::storage {

// Storage failures carry what was being done; main and the runtime report them.
struct storage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Files that hold incidents (the database, backups, exports) are made
// readable and writable by their owner only (0600), whatever the umask. With
// `replace`, an existing file is emptied and made owner-only too (open keeps
// a leftover's mode); without, an existing file is an error (EEXIST).
std::error_code create_owner_only(const std::string& path, bool replace = false);

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
    // `sql` must be constant text (values bound, not spliced in): it is the
    // cache key, looked up as it is (no string made per call).
    statement_handle prepare(std::string_view sql);
    const std::string& path() const { return path_; }
    int schema_version();
    static int latest_schema_version();

    // Why nothing written now would last, or nothing when all is well: the
    // file was deleted or replaced under the open connection (its commits
    // would go to an unlinked inode and vanish at the next start), or SQLite
    // found it damaged. Checked before each commit that writes: one stat().
    // Once found, it stays: a file put back at the path is still not ours.
    const std::optional<std::string>& problem();
    // Throws storage_error saying problem(), if any.
    void ensure_usable();
    // What the operator should do about a problem(), as a phrase ("restart warroom, …").
    std::string restart_advice() const;
    // Remembers damage that an operation ran into (SQLITE_CORRUPT, SQLITE_NOTADB),
    // so health reports it and writes are refused. Anything else is ignored.
    void note_failure(std::exception_ptr e);

private:
    void set_problem(std::string why);

    std::string path_;
    bool watched_ = false;  // an ordinary file, not :memory: or a URI
    unsigned long long dev_ = 0, ino_ = 0;
    std::optional<std::string> problem_;
    SQLite::Database db_;
    struct sql_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    // After db_: closed first.
    std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, sql_hash, std::equal_to<>> statements_;
};

}  // namespace warroom::storage
