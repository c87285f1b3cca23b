#include "bot/backup_command.hpp"

#include "storage/backup.hpp"

#include <ostream>

namespace warroom::bot {

int run_backup_command(const config& cfg, const std::string& dest, bool force, std::ostream& out) {
    auto copy = storage::backup_file(cfg.db_path, dest, force);
    out << "backed up " << cfg.db_path << " to " << copy.path << ": " << copy.incidents << " incident"
        << (copy.incidents == 1 ? "" : "s") << ", schema version " << copy.schema_version << ", " << copy.bytes
        << " bytes, integrity check ok\n"
        << "To restore: stop warroom, copy " << copy.path << " to " << cfg.db_path
        << " (removing any " << cfg.db_path << "-wal and -shm beside it), start warroom.\n";
    return 0;
}

}  // namespace warroom::bot
