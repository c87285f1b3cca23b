#include "storage/backup.hpp"

#include "storage/database.hpp"

#include <SQLiteCpp/Backup.h>
#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <random>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace warroom::storage {

namespace fs = std::filesystem;

namespace {

void remove_quietly(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(path + suffix, ec);
}

// The rename is durable only once the directory entry is on disk.
void sync_directory_of(const fs::path& file) {
    auto dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Made before SQLite opens it, which would create it 0644 under the usual
// umask; the rename keeps the mode, so the copy is owner-only from the start.
void create_private(const std::string& path) {
    if (auto ec = create_owner_only(path)) throw storage_error("backup: cannot create " + path + ": " + ec.message());
}

}  // namespace

backup_result backup_database(SQLite::Database& src, const std::string& dest, bool overwrite) {
    std::error_code ec;
    if (!overwrite && fs::exists(dest, ec))
        throw destination_exists(dest + " already exists; choose another name, or pass --force to replace it");
    fs::path target(dest);
    std::string partial = dest + ".partial-" + std::to_string(std::random_device{}());
    try {
        backup_result out;
        create_private(partial);
        {
            SQLite::Database copy(partial, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            SQLite::Backup backup(copy, src);
            // All pages in one step: one read snapshot, so the copy is consistent.
            // Busy or locked (a checkpoint, a writer's lock): wait and try again.
            auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            for (;;) {
                int rc = backup.executeStep(-1);
                if (rc == SQLITE_DONE) break;
                if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
                    throw storage_error("backup to " + dest + " failed: " + sqlite3_errstr(rc));
                if (std::chrono::steady_clock::now() > give_up)
                    throw storage_error("backup to " + dest + " gave up: the database stayed locked for 30 s");
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            // One file, nothing beside it: a copy people can move around.
            copy.exec("PRAGMA journal_mode = DELETE");
            auto check = copy.execAndGet("PRAGMA integrity_check").getString();
            if (check != "ok") throw storage_error("the copy in " + dest + " failed its integrity check: " + check);
            out.schema_version = copy.execAndGet("PRAGMA user_version").getInt();
            if (copy.tableExists("incidents"))
                out.incidents = copy.execAndGet("SELECT count(*) FROM incidents").getInt64();
        }
        fs::rename(partial, target);
        sync_directory_of(target);
        out.path = dest;
        out.bytes = static_cast<std::int64_t>(fs::file_size(target));
        return out;
    } catch (const SQLite::Exception& e) {
        remove_quietly(partial);
        throw storage_error("backup to " + dest + " failed: " + e.what());
    } catch (const fs::filesystem_error& e) {
        remove_quietly(partial);
        throw storage_error("backup to " + dest + " failed: " + e.what());
    } catch (...) {
        remove_quietly(partial);
        throw;
    }
}

backup_result backup_file(const std::string& src_path, const std::string& dest, bool overwrite) {
    std::error_code ec;
    if (!fs::exists(src_path, ec)) throw storage_error("there is no database at " + src_path);
    try {
        SQLite::Database src(src_path, SQLite::OPEN_READONLY);
        src.setBusyTimeout(5000);
        return backup_database(src, dest, overwrite);
    } catch (const SQLite::Exception& e) {
        throw storage_error("cannot open the database " + src_path + ": " + e.what());
    }
}

}  // namespace warroom::storage
