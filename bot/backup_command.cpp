#include "bot/backup_command.hpp"

#include "storage/backup.hpp"
#include "storage/location.hpp"

#include <ostream>

namespace warroom::bot {

int run_backup_command(const config& cfg, const std::string& dest, bool force, std::ostream& out, std::ostream& err) {
    if (storage::is_postgres_url(cfg.db_path)) {
        err << "warroom backup: copies a SQLite file, and this warroom's database is PostgreSQL ("
            << storage::redact_location(cfg.db_path) << "). Back it up with PostgreSQL's own tools, e.g. "
            << "`pg_dump --format=custom --file=" << dest << " <the database URL>`, or your provider's snapshots.\n";
        return 2;
    }
    storage::backup_result copy;
    try {
        copy = storage::backup_file(cfg.db_path, dest, force);
    } catch (const storage::destination_exists&) {
        // The database is fine; only the destination is in the way.
        err << "warroom backup: " << dest << " already exists and was left as it is. Choose another name, or "
            << "add --force to overwrite it.\n";
        return 1;
    }
    out << "backed up " << cfg.db_path << " to " << copy.path << ": " << copy.incidents << " incident"
        << (copy.incidents == 1 ? "" : "s") << ", schema version " << copy.schema_version << ", " << copy.bytes
        << " bytes, integrity check ok\n"
        << "To restore: stop warroom, copy " << copy.path << " to " << cfg.db_path
        << " (removing any " << cfg.db_path << "-wal and -shm beside it), start warroom.\n";
    return 0;
}

}  // namespace warroom::bot
