#include "storage/database.hpp"

#include "storage/backup.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_sql.hpp"
#include "storage/sqlite_statement.hpp"
#include "storage/statements.hpp"

#include <spdlog/spdlog.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace warroom::storage {

namespace {

const std::string write_lock_sql = "SELECT pg_advisory_xact_lock(7797114114111111110)";

bool is_plain_file(const std::string& path) {
    return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
}

}  // namespace

std::error_code create_owner_only(const std::string& path, bool replace) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL), 0600);
    if (fd < 0) return {errno, std::generic_category()};
    if (replace) ::fchmod(fd, 0600);
    ::close(fd);
    return {};
}

namespace {

// Incident titles and timelines are sensitive and the directory may be
// shared: a new database is created owner-only. SQLite gives its -wal and
// -shm the mode of the database file, so they follow. An existing file keeps
// the mode its operator gave it.
void prepare_file(const std::string& path) {
    if (!is_plain_file(path)) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISREG(st.st_mode) && st.st_size == 0)
            spdlog::warn("the database file {} is empty (0 bytes): starting a new, empty database in it. If it "
                         "held incidents, stop warroom and restore it from a backup",
                         path);
        return;
    }
    if (errno != ENOENT) return;  // SQLite's open says what is wrong
    if (create_owner_only(path)) return;
    spdlog::info("created a new database {}", path);
}

SQLite::Database open(const std::string& path) {
    prepare_file(path);
    try {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        // Another process (backup, a second warroom by mistake) waits instead of failing at once.
        db.setBusyTimeout(5000);
        return db;
    } catch (const SQLite::Exception& e) {
        throw storage_error("cannot open the database " + path + ": " + e.what());
    }
}
// Before an upgrade changes an existing file, a copy of it as it was:
// `<db>.before-v<N>.bak`, N the schema version about to be applied last.
// No copy, no upgrade: the error says why.
void backup_before_migrating(SQLite::Database& db, const std::string& path) {
    int from = current_version(db);
    int to = latest_version();
    if (from <= 0 || !has_pending(db) || path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return;
    std::string bak = path + ".before-v" + std::to_string(to) + ".bak";
    std::error_code ec;
    if (std::filesystem::exists(bak, ec)) {
        // An earlier attempt left one: keep it, and take another beside it.
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch()).count();
        bak = path + ".before-v" + std::to_string(to) + "-" + std::to_string(now) + ".bak";
    }
    auto copy = backup_database(db, bak);
    spdlog::info("database {} has schema version {}; upgrading it to {}. A copy of it as it was is in {} "
                 "({} incidents, {} bytes): to roll back, stop warroom, put that file back as {} and run the "
                 "previous warroom",
                 path, from, to, copy.path, copy.incidents, copy.bytes, path);
}

bool is_damage(int code) {
    int primary = code & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

std::string damaged(const std::string& path, const std::string& detail) {
    return "the database file " + path + " is damaged (" + detail + ")";
}

std::string restore_advice(const std::string& path) {
    return "restore it from a backup (a `warroom backup` copy, or a " + path + ".before-v*.bak), or move it away "
           "to start an empty one";
}

// A damaged file found at start: warroom does not run on it.
storage_error refused(const std::string& path, const std::string& detail) {
    return storage_error(damaged(path, detail) + ". warroom will not run on it: " + restore_advice(path));
}

// A zeroed or torn page is found at start rather than by the first command
// that needs it (which would be answered as if stored, its outbox unreadable).
void check_integrity(SQLite::Database& db, const std::string& path) {
    std::string found;
    try {
        SQLite::Statement check(db, "PRAGMA quick_check(5)");
        while (check.executeStep()) {
            auto line = check.getColumn(0).getString();
            if (line == "ok") return;
            found += (found.empty() ? "" : "; ") + line;
        }
    } catch (const SQLite::Exception& e) {
        found = e.what();
    }
    throw refused(path, "SQLite's quick_check: " + found);
}

}  // namespace

database::database(const std::string& location) : location_(location), display_(redact_location(location)) {
    if (is_postgres_url(location)) {
        kind_ = backend::postgres;
        pg_ = std::make_unique<pg_connection>(location);
        migrate_postgres(*pg_);
        return;
    }
    open_sqlite(location);
}

database::~database() = default;

void database::open_sqlite(const std::string& path) {
    sqlite_ = std::make_unique<SQLite::Database>(open(path));
    auto& db_ = *sqlite_;
    try {
        // WAL lets readers run beside the writer; FULL makes every commit
        // survive power loss, which is the point of an incident log.
        db_.exec("PRAGMA journal_mode = WAL");
        db_.exec("PRAGMA synchronous = FULL");
        db_.exec("PRAGMA foreign_keys = ON");
        // The hot rows (open incidents, due timers, the outbox head) fit in far
        // less than SQLite's default 2 MB page cache; the OS caches the rest.
        db_.exec("PRAGMA cache_size = -512");
    } catch (const SQLite::Exception& e) {
        if (is_damage(e.getErrorCode()))
            throw refused(path, e.what());
        throw storage_error("cannot set up the database " + path + ": " + e.what());
    }
    check_integrity(db_, path);
    backup_before_migrating(db_, path);
    migrate(db_, path);
    struct stat st {};
    if (is_plain_file(path) && ::stat(path.c_str(), &st) == 0) {
        watched_ = true;
        dev_ = st.st_dev;
        ino_ = st.st_ino;
    }
}

SQLite::Database& database::sql() {
    if (!sqlite_) throw storage_error("this needs a SQLite database; " + display_ + " is PostgreSQL");
    return *sqlite_;
}

void database::execute(const std::string& text) {
    if (pg_) return pg_->execute(text);
    try {
        sqlite_->exec(text);
    } catch (const SQLite::Exception& e) {
        throw storage_error(std::string(text.substr(0, 60)) + " failed: " + e.what());
    }
}

const std::optional<std::string>& database::problem() {
    if (problem_ || !watched_) return problem_;
    struct stat st {};
    if (::stat(location_.c_str(), &st) != 0) {
        // Only a missing file is certain; anything else (EACCES, EIO) may pass.
        if (errno == ENOENT) set_problem("the database file " + location_ + " was deleted while warroom ran");
    } else if (st.st_dev != dev_ || st.st_ino != ino_) {
        set_problem("the database file " + location_ + " was replaced by another file while warroom ran");
    }
    return problem_;
}

// Said once, loudly: from here on every write is refused.
void database::set_problem(std::string why) {
    problem_ = std::move(why);
    spdlog::critical("{}: writes are refused from now on; {}", *problem_, restart_advice());
}

std::string database::restart_advice() const {
    return "restart warroom, first restoring " + display_ + " from a backup if it is lost or damaged";
}

void database::ensure_usable() {
    if (const auto& why = problem()) throw storage_error(*why + "; nothing can be saved: " + restart_advice());
}

void database::note_failure(std::exception_ptr e) {
    if (!e || problem_) return;
    try {
        std::rethrow_exception(e);
    } catch (const SQLite::Exception& ex) {
        if (!is_damage(ex.getErrorCode())) return;
        set_problem(damaged(location_, ex.what()));
    } catch (...) {
    }
}

void sqlite_statement::reset() noexcept {
    s_.tryReset();
    try {
        s_.clearBindings();
    } catch (const SQLite::Exception&) {
        // Cannot fail for a valid statement; nothing to do if it did.
    }
}

int sqlite_statement::index_of(const char* name) {
    int i = s_.getIndex(name);
    if (i == 0) throw storage_error(std::string("no parameter ") + name + " in " + text_);
    return i;
}

std::string_view repeated_sql(std::string_view before, std::string_view item, std::size_t count, std::string_view after) {
    thread_local std::string sql;
    sql.clear();
    sql.append(before);
    for (std::size_t i = 0; i < count; ++i) {
        if (i) sql.append(", ");
        sql.append(item);
    }
    sql.append(after);
    return sql;
}

statement_handle database::prepare(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
        std::string text(sql);
        std::unique_ptr<statement> made;
        if (pg_)
            made = std::make_unique<pg_statement>(*pg_, text);
        else
            made = std::make_unique<sqlite_statement>(*sqlite_, text);
        it = statements_.emplace(std::move(text), std::move(made)).first;
    }
    return statement_handle(*it->second);
}

int database::schema_version() { return pg_ ? current_version(*pg_) : current_version(*sqlite_); }

int database::latest_schema_version() { return latest_version(); }

// BEGIN, COMMIT and ROLLBACK through the statement cache like every other
// statement: through sqlite3_exec each was parsed and compiled anew, twice per
// transaction.
void database::run_control(const char* sql) {
    try {
        (*prepare(sql)).exec();
    } catch (const SQLite::Exception& e) {
        throw storage_error(std::string(sql) + " failed: " + e.what());
    }
}

void database::begin() {
    if (pg_) return pg_->execute("BEGIN");
    run_control("BEGIN");
}

void database::rollback() {
    if (pg_) return pg_->execute("ROLLBACK");
    run_control("ROLLBACK");
}

transaction::transaction(database& db) : db_(db) {
    db_.begin();
    // Replicas write one at a time, as SQLite's one writer does: a command
    // reads its incident and saves it whole, and timers fire from what they
    // read, so two replicas interleaving would lose an update or fire twice.
    // Held to COMMIT / ROLLBACK; reads outside transactions do not wait.
    if (db_.is_postgres()) db_.execute(write_lock_sql);
}

transaction::~transaction() {
    if (done_ || !db_.in_transaction()) return;
    try {
        db_.rollback();
    } catch (const std::exception&) {
        // A lost connection took the transaction with it.
    }
}

void transaction::commit() {
    db_.commit();
    done_ = true;
}

bool database::in_transaction() const {
    if (pg_) return pg_->in_transaction();
    return sqlite3_get_autocommit(sqlite_->getHandle()) == 0;
}

void database::commit() {
    if (pg_) return pg_->commit();
    run_control("COMMIT");
}

}  // namespace warroom::storage
