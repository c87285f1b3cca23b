#include "storage/migrations.hpp"

#include "storage/database.hpp"
#include "storage/pg_connection.hpp"
#include "storage/pg_sql.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include "storage/libpq_api.hpp"
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <set>

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

bool known(int version) {
    const auto& all = migrations();
    return std::any_of(all.begin(), all.end(), [&](const auto& m) { return m.version == version; });
}

// The advisory lock's key: any constant all warroom processes agree on ("warroom" in ASCII, roughly).
const std::string lock_sql = "SELECT pg_advisory_lock(7797114114111111109)";
const std::string unlock_sql = "SELECT pg_advisory_unlock(7797114114111111109)";

const char* schema_table_sql = "CREATE TABLE IF NOT EXISTS warroom_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                               "applied_at INTEGER NOT NULL DEFAULT 0)";

}  // namespace

// Which migrations a SQLite file has: the warroom_schema table once there is
// one; before it (files of earlier versions), every migration up to user_version.
std::set<int> applied_versions(SQLite::Database& db) {
    std::set<int> out;
    if (db.tableExists("warroom_schema")) {
        SQLite::Statement q(db, "SELECT version FROM warroom_schema");
        while (q.executeStep()) out.insert(q.getColumn(0).getInt());
        return out;
    }
    int v = current_version(db);
    for (const auto& m : migrations())
        if (m.version <= v) out.insert(m.version);
    return out;
}

bool has_pending(SQLite::Database& db) {
    auto applied = applied_versions(db);
    const auto& all = migrations();
    return std::any_of(all.begin(), all.end(), [&](const auto& m) { return !applied.count(m.version); });
}

void migrate(SQLite::Database& db, const std::string& path, int target) {
    if (target < 0) target = latest_version();
    int version = current_version(db);
    if (version > target) throw storage_error(too_new(path, version, target));
    auto applied = applied_versions(db);
    for (int v : applied)
        if (!known(v)) throw storage_error(too_new(path, v, target));
    // One transaction for the lot: each commit is an fsync (synchronous = FULL),
    // and an empty database has every migration to apply. All or nothing still
    // holds, for the whole upgrade rather than each step: a failure leaves the
    // file as it was, and the next start tries again from there.
    bool pending = std::any_of(migrations().begin(), migrations().end(),
                               [&](const auto& m) { return !applied.count(m.version) && m.version <= target; });
    if (!pending && db.tableExists("warroom_schema")) return;
    std::string step = "recording the schema of " + path;
    try {
        SQLite::Transaction txn(db);
        if (!db.tableExists("warroom_schema")) {
            db.exec(schema_table_sql);
            for (int v : applied)
                for (const auto& m : migrations())
                    if (m.version == v)
                        db.exec("INSERT INTO warroom_schema (version, name) VALUES (" + std::to_string(v) + ", '" +
                                m.name + "')");
        }
        // Every migration not applied yet, in order, even one numbered below the
        // newest applied (work merged in a different order than it was numbered).
        int user_version = version;
        bool changed = false;  // only a file made before warroom_schema: the table recorded, nothing else
        for (const auto& m : migrations()) {
            if (applied.count(m.version) || m.version > target) continue;
            step = "migrating " + path + " to schema " + m.name;
            db.exec(std::string(m.sql));
            db.exec("INSERT INTO warroom_schema (version, name, applied_at) VALUES (" + std::to_string(m.version) +
                    ", '" + m.name + "', " + std::to_string(std::time(nullptr)) + ")");
            user_version = std::max(m.version, user_version);
            changed = true;
        }
        if (changed) db.exec("PRAGMA user_version = " + std::to_string(std::max(user_version, current_version(db))));
        txn.commit();
    } catch (const SQLite::Exception& e) {
        throw storage_error(step + " failed: " + e.what());
    }
}

int current_version(pg_connection& db) {
    auto* r = pq::PQexec(db.get(), "SELECT coalesce(max(version), 0) FROM warroom_schema");
    if (pq::PQresultStatus(r) != PGRES_TUPLES_OK) {
        pq::PQclear(r);
        return 0;  // no table yet: nothing applied
    }
    int v = std::atoi(pq::PQgetvalue(r, 0, 0));
    pq::PQclear(r);
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
    std::set<int> applied;
    {
        auto* r = pq::PQexec(db.get(), "SELECT version FROM warroom_schema");
        if (pq::PQresultStatus(r) == PGRES_TUPLES_OK)
            for (int i = 0; i < pq::PQntuples(r); ++i) applied.insert(std::atoi(pq::PQgetvalue(r, i, 0)));
        pq::PQclear(r);
    }
    for (int v : applied)
        if (v > target || !known(v)) throw storage_error(too_new(db.display(), v, target));
    // As on SQLite: every migration not applied yet, even one numbered below
    // the newest applied, all in one transaction (one commit to wait for).
    std::vector<const migration*> todo;
    for (const auto& m : migrations())
        if (!applied.count(m.version) && m.version <= target) todo.push_back(&m);
    if (todo.empty()) return;
    db.execute("BEGIN");
    const migration* at = nullptr;
    try {
        for (const auto* m : todo) {
            at = m;
            db.execute(schema_for_postgres(m->sql));
            db.execute("INSERT INTO warroom_schema (version, name) VALUES (" + std::to_string(m->version) + ", '" +
                       m->name + "')");
        }
        at = nullptr;
        db.commit();
    } catch (const database_unavailable&) {
        throw;  // the server went away: nothing half-applied, the next start migrates
    } catch (const storage_error& e) {
        try {
            db.execute("ROLLBACK");
        } catch (const std::exception&) {
        }
        throw storage_error(at ? "migrating " + db.display() + " to schema " + at->name + " failed: " + e.what()
                               : "committing the schema migrations of " + db.display() + " failed: " + e.what());
    }
    for (const auto* m : todo) spdlog::info("PostgreSQL database {}: applied schema {}", db.display(), m->name);
}

}  // namespace warroom::storage
