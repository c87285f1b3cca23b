#include "bot/migrate_db_command.hpp"

#include "storage/copy.hpp"
#include "storage/location.hpp"

#include <filesystem>

namespace warroom::bot {

int run_migrate_db_command(const std::string& from, const std::string& to, std::ostream& out, std::ostream& err) {
    if (from == to) {
        err << "warroom migrate-db: --from and --to are the same database\n";
        return 2;
    }
    // A mistyped source path must not quietly become a new, empty database copied over.
    std::error_code ec;
    if (!storage::is_postgres_url(from) && !std::filesystem::exists(from, ec)) {
        err << "warroom migrate-db: there is no database at " << from << "\n";
        return 2;
    }
    try {
        storage::database source(from);
        storage::database dest(to);
        auto report = storage::copy_database(source, dest);
        std::size_t total = 0;
        for (const auto& t : report) {
            out << "  " << t.table << ": " << t.copied_rows << " row" << (t.copied_rows == 1 ? "" : "s") << "\n";
            total += t.copied_rows;
        }
        out << "copied " << storage::redact_location(from) << " to " << storage::redact_location(to) << ": "
            << report.size() << " tables, " << total << " rows, every table's count checked on both sides.\n"
            << "Point WARROOM_DB at " << storage::redact_location(to)
            << " and start warroom; keep the old database until you are sure.\n";
        return 0;
    } catch (const storage::storage_error& e) {
        err << "warroom migrate-db: " << e.what() << "\nNothing was committed to "
            << storage::redact_location(to) << ".\n";
        return 1;
    }
}

}  // namespace warroom::bot
