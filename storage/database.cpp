#include "storage/database.hpp"

#include "storage/migrations.hpp"

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
}  // namespace

database::database(const std::string& path) : path_(path), db_(open(path)) {
    try {
        // WAL lets readers run beside the writer; FULL makes every commit
        // survive power loss, which is the point of an incident log.
        db_.exec("PRAGMA journal_mode = WAL");
        db_.exec("PRAGMA synchronous = FULL");
        db_.exec("PRAGMA foreign_keys = ON");
    } catch (const SQLite::Exception& e) {
        throw storage_error("cannot set up the database " + path + ": " + e.what());
    }
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
