#include "storage/migrations.hpp"

#include "storage/database.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_sql.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace warroom::storage {

const std::vector<migration>& migrations() {
    static const std::vector<migration> all = [] {
        std::vector<migration> out;
        for (const auto& [name, sql] : builtin_migrations()) {
            int version = 0;
            auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), version);
            if (ec != std::errc{} || version <= 0)
                throw storage_error("schema file " + std::string(name) + ".sql does not start with its version number");
            out.push_back({version, std::string(name), sql});
        }
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
        for (std::size_t i = 1; i < out.size(); ++i)
            if (out[i].version == out[i - 1].version)
                throw storage_error("two schema migrations have the number " + std::to_string(out[i].version) + ": " +
                                    out[i - 1].name + " and " + out[i].name);
        return out;
    }();
    return all;
}

int latest_version() { return migrations().empty() ? 0 : migrations().back().version; }

int current_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

namespace {

std::string too_new(const std::string& where, int version, int target) {
    return "the database " + where + " has schema version " + std::to_string(version) +
           ", newer than this warroom knows (" + std::to_string(target) +
           "); run the newer warroom, or restore the backup taken before the upgrade";
}

// The advisory lock's key: any constant all warroom processes agree on ("warroom" in ASCII, roughly).
const std::string lock_sql = "SELECT pg_advisory_lock(7797114114111111109)";
const std::string unlock_sql = "SELECT pg_advisory_unlock(7797114114111111109)";

}  // namespace

void migrate(SQLite::Database& db, const std::string& path, int target) {
    if (target < 0) target = latest_version();
    int version = current_version(db);
    if (version > target) throw storage_error(too_new(path, version, target));
    for (const auto& m : migrations()) {
        if (m.version <= version || m.version > target) continue;
        try {
            SQLite::Transaction txn(db);
            db.exec(std::string(m.sql));
            db.exec("PRAGMA user_version = " + std::to_string(m.version));
            txn.commit();
        } catch (const SQLite::Exception& e) {
            throw storage_error("migrating " + path + " to schema " + m.name + " failed: " + e.what());
        }
    }
}

int current_version(pg_connection& db) {
    auto* r = PQexec(db.get(), "SELECT coalesce(max(version), 0) FROM warroom_schema");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return 0;  // no table yet: nothing applied
    }
    int v = std::atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

void migrate_postgres(pg_connection& db, int target) {
    if (target < 0) target = latest_version();
    // Session-level: held across the transactions below, released at the end (or when the connection dies).
    db.execute(lock_sql);
    struct unlock {
        pg_connection& db;
        ~unlock() {
            try {
                db.execute(unlock_sql);
            } catch (const std::exception&) {
                // The connection is gone, and the lock with it.
            }
        }
    } release{db};
    db.execute("CREATE TABLE IF NOT EXISTS warroom_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
               "applied_at BIGINT NOT NULL DEFAULT extract(epoch from now())::bigint)");
    int version = current_version(db);
    if (version > target) throw storage_error(too_new(db.display(), version, target));
    for (const auto& m : migrations()) {
        if (m.version <= version || m.version > target) continue;
        db.execute("BEGIN");
        try {
            db.execute(schema_for_postgres(m.sql));
            db.execute("INSERT INTO warroom_schema (version, name) VALUES (" + std::to_string(m.version) + ", '" +
                       m.name + "')");
            db.commit();
        } catch (const database_unavailable&) {
            throw;  // the server went away: nothing half-applied, the next start migrates
        } catch (const storage_error& e) {
            try {
                db.execute("ROLLBACK");
            } catch (const std::exception&) {
            }
            throw storage_error("migrating " + db.display() + " to schema " + m.name + " failed: " + e.what());
        }
        spdlog::info("PostgreSQL database {}: applied schema {}", db.display(), m.name);
    }
}

}  // namespace warroom::storage
