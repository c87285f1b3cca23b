#include "storage/copy.hpp"

#include "storage/statements.hpp"

#include <algorithm>

namespace warroom::storage {

namespace {

struct column_info {
    std::string name;
    bool integer = false;
};

std::vector<column_info> columns_of(database& db, const std::string& table) {
    std::vector<column_info> out;
    if (db.is_postgres()) {
        query(db, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                  "current_schema() AND table_name = ? ORDER BY ordinal_position",
              table)
            .each_row([&](auto& q) {
                auto type = q.getColumn(1).getString();
                out.push_back({q.getColumn(0).getString(), type == "bigint" || type == "integer" || type == "smallint"});
            });
    } else {
        query(db, "SELECT name, upper(type) FROM pragma_table_info(?) ORDER BY cid", table).each_row([&](auto& q) {
            out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString().find("INT") != std::string::npos});
        });
    }
    return out;
}

// Table names come from the database's own catalogue, never from input; quoted all the same.
std::string ident(const std::string& name) { return "\"" + name + "\""; }

std::size_t rows_in(database& db, const std::string& table) {
    auto sql = "SELECT count(*) FROM " + ident(table);
    return query(db, sql).row([](auto& q) { return static_cast<std::size_t>(q.getColumn(0).getInt64()); });
}

}  // namespace

std::vector<std::string> table_names(database& db) {
    std::vector<std::string> out;
    auto sql = db.is_postgres() ? "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                  "current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'warroom_schema' "
                                  "ORDER BY table_name"
                                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                  "AND name <> 'warroom_schema' ORDER BY name";
    query(db, sql).each_row([&](auto& q) { out.push_back(q.getColumn(0).getString()); });
    std::stable_partition(out.begin(), out.end(), [](const std::string& t) { return t == "incidents"; });
    return out;
}

std::vector<table_copy> copy_database(database& from, database& to) {
    if (from.schema_version() != to.schema_version())
        throw storage_error("the two databases have different schema versions (" +
                            std::to_string(from.schema_version()) + " and " + std::to_string(to.schema_version()) +
                            ")");
    auto tables = table_names(from);
    auto dest_tables = table_names(to);
    for (const char* busy : {"incidents", "timeline", "outbox"})
        if (std::find(dest_tables.begin(), dest_tables.end(), busy) != dest_tables.end() && rows_in(to, busy) > 0)
            throw storage_error(to.path() + " already holds " + busy + "; migrate-db copies only into an empty "
                                "database (a new one, migrated by warroom and never used)");

    std::vector<table_copy> report;
    {
        // The source read as of one moment, the destination written all or nothing.
        transaction reading(from);
        transaction writing(to);
        for (const auto& table : tables) {
            if (std::find(dest_tables.begin(), dest_tables.end(), table) == dest_tables.end())
                throw storage_error(to.path() + " has no table " + table);
            auto cols = columns_of(from, table);
            auto dest_cols = columns_of(to, table);
            std::string names, marks;
            for (std::size_t i = 0; i < cols.size(); ++i) {
                if (std::none_of(dest_cols.begin(), dest_cols.end(), [&](const auto& c) { return c.name == cols[i].name; }))
                    throw storage_error(to.path() + " has no column " + table + "." + cols[i].name);
                names += (i ? ", " : "") + ident(cols[i].name);
                marks += i ? ", ?" : "?";
            }
            // Rows the migrations seeded (the counters) make way for the source's.
            to.execute("DELETE FROM " + ident(table));
            auto insert = "INSERT INTO " + ident(table) + " (" + names + ") VALUES (" + marks + ")";
            auto select = "SELECT " + names + " FROM " + ident(table);
            std::size_t n = 0;
            query(from, select).each_row([&](statement& row) {
                auto h = to.prepare(insert);
                for (std::size_t i = 0; i < cols.size(); ++i) {
                    int c = static_cast<int>(i);
                    if (row.column_null(c))
                        (*h).bind_null(c + 1, !cols[i].integer);
                    else if (cols[i].integer)
                        (*h).bind_int(c + 1, row.column_int64(c));
                    else
                        (*h).bind_text(c + 1, row.column_text(c));
                }
                (*h).exec();
                ++n;
            });
            report.push_back({table, n, 0});
        }
        // Ids the database assigns continue after the copied ones.
        if (to.is_postgres()) {
            std::vector<std::pair<std::string, std::string>> identities;
            query(to, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                      "current_schema() AND is_identity = 'YES'")
                .each_row([&](auto& q) { identities.emplace_back(q.getColumn(0).getString(), q.getColumn(1).getString()); });
            for (const auto& [table, column] : identities)
                to.execute("SELECT setval(pg_get_serial_sequence('" + ident(table) + "', '" + column + "'), "
                           "coalesce((SELECT max(" + ident(column) + ") FROM " + ident(table) + "), 0) + 1, false)");
        }
        writing.commit();
        reading.commit();
    }
    for (auto& t : report) {
        t.copied_rows = rows_in(to, t.table);
        if (t.copied_rows != t.source_rows)
            throw storage_error("table " + t.table + ": " + std::to_string(t.source_rows) + " rows in the source, " +
                                std::to_string(t.copied_rows) + " in " + to.path() + " after the copy");
    }
    return report;
}

}  // namespace warroom::storage
