#include "storage/database.hpp"

#include "storage/backup.hpp"
#include "storage/migrations.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

namespace warroom::storage {

namespace {
SQLite::Database open(const std::string& path) {
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
    if (from <= 0 || from >= to || path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return;
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

}  // namespace

database::database(const std::string& path) : path_(path), db_(open(path)) {
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
        throw storage_error("cannot set up the database " + path + ": " + e.what());
    }
    backup_before_migrating(db_, path_);
    migrate(db_, path_);
}

statement_handle::~statement_handle() {
    s_->tryReset();
    try {
        s_->clearBindings();
    } catch (const SQLite::Exception&) {
        // Cannot fail for a valid statement; nothing to do if it did.
    }
}

statement_handle database::prepare(const std::string& sql) {
    auto& slot = statements_[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(db_, sql);
    return statement_handle(*slot);
}

int database::schema_version() { return current_version(db_); }

int database::latest_schema_version() { return latest_version(); }

}  // namespace warroom::storage
