#include "storage/migrations.hpp"

#include "storage/database.hpp"

#include <SQLiteCpp/Transaction.h>

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
        for (std::size_t i = 0; i < out.size(); ++i)
            if (out[i].version != static_cast<int>(i) + 1)
                throw storage_error("schema migrations must be numbered 1, 2, 3... without gaps; found " + out[i].name);
        return out;
    }();
    return all;
}

int latest_version() { return static_cast<int>(migrations().size()); }

int current_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void migrate(SQLite::Database& db, const std::string& path, int target) {
    if (target < 0) target = latest_version();
    int version = current_version(db);
    if (version > target)
        throw storage_error("the database " + path + " has schema version " + std::to_string(version) +
                            ", newer than this warroom knows (" + std::to_string(target) +
                            "); run the newer warroom, or restore the backup taken before the upgrade");
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

}  // namespace warroom::storage
