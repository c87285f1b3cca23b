// The database: a SQLite file (the embedded default) or a PostgreSQL server
// (a `postgresql://` URL), opened and migrated to the schema this binary
// knows. Queries go through prepare() and storage::statement whichever it is.
#pragma once

#include "storage/statement.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace SQLite {
class Database;
}

namespace warroom::storage {

// Storage failures carry what was being done; main and the runtime report them.
struct storage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The database cannot be reached just now (PostgreSQL restarting, the
// connection lost, a failover left us on a read-only server): nothing was
// changed, and trying again later may work. The connection is re-made on
// the next use.
struct database_unavailable : storage_error {
    using storage_error::storage_error;
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
    explicit statement_handle(statement& s) : s_(&s) {}
    ~statement_handle() { s_->reset(); }
    statement_handle(const statement_handle&) = delete;
    statement_handle& operator=(const statement_handle&) = delete;
    statement& operator*() const { return *s_; }

private:
    statement* s_;
};

class pg_connection;

class database {
public:
    enum class backend { sqlite, postgres };

    // Opens (creating a SQLite file if needed) and migrates. `location` is a
    // file path or a postgresql:// URL. Throws storage_error, e.g. when the
    // database holds a schema newer than this binary knows, or
    // database_unavailable when PostgreSQL cannot be reached.
    explicit database(const std::string& location);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    backend kind() const { return kind_; }
    bool is_postgres() const { return kind_ == backend::postgres; }
    // The SQLite connection, for the SQLite-only tools (backup, tests);
    // throws storage_error on PostgreSQL.
    SQLite::Database& sql();
    // `sql` must be constant text (values bound, not spliced in): it is the
    // cache key, looked up as it is (no string made per call).
    statement_handle prepare(std::string_view sql);
    // Runs SQL without results (BEGIN, COMMIT, DDL); throws storage_error.
    void execute(const std::string& sql);
    // BEGIN (deferred); throws storage_error.
    void begin();
    // COMMIT; throws when the transaction could not be committed (on
    // PostgreSQL also when an earlier failure had aborted it).
    void commit();
    // ROLLBACK; throws storage_error.
    void rollback();
    bool in_transaction() const;
    // The path, or the URL without its password: what may be shown.
    const std::string& path() const { return display_; }
    int schema_version();
    static int latest_schema_version();

    // Why nothing written now would last, or nothing when all is well: the
    // file was deleted or replaced under the open connection (its commits
    // would go to an unlinked inode and vanish at the next start), or SQLite
    // found it damaged. Checked before each commit that writes: one stat().
    // Once found, it stays: a file put back at the path is still not ours.
    // Always nothing on PostgreSQL (the server keeps its own files).
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
    void open_sqlite(const std::string& path);
    // SQLite's BEGIN, COMMIT or ROLLBACK, prepared once (the statement cache).
    void run_control(const char* sql);

    backend kind_ = backend::sqlite;
    std::string location_;  // as given: may hold a password, never shown
    std::string display_;
    bool watched_ = false;  // an ordinary file, not :memory: or a URI
    unsigned long long dev_ = 0, ino_ = 0;
    std::optional<std::string> problem_;
    std::unique_ptr<SQLite::Database> sqlite_;
    std::unique_ptr<pg_connection> pg_;
    struct sql_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    // Declared last: destroyed before the connections they belong to.
    std::unordered_map<std::string, std::unique_ptr<statement>, sql_hash, std::equal_to<>> statements_;
};

// BEGIN … COMMIT on either backend; rolled back by the destructor unless
// committed. On PostgreSQL it also takes the replicas' write lock (an
// advisory lock for the transaction), so writers run one after another.
class transaction {
public:
    explicit transaction(database& db);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit();

private:
    database& db_;
    bool done_ = false;
};

}  // namespace warroom::storage
