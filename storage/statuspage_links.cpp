#include "storage/statuspage_links.hpp"

#include "storage/statements.hpp"

namespace warroom::storage {

std::optional<statuspage_link> statuspage_links::find(std::int64_t incident) {
    return query(db_, "SELECT incident, coalesce(statuspage_id, ''), create_sent_at, create_entry "
                      "FROM statuspage_incidents WHERE incident = ?",
                 incident)
        .one_row([](auto& q) {
            statuspage_link l{q.getColumn(0).getInt64(), q.getColumn(1).getString(), column_time(q.getColumn(2)),
                              std::nullopt};
            if (!q.getColumn(3).isNull()) l.create_entry = q.getColumn(3).getInt64();
            return l;
        });
}

void statuspage_links::mark_create_sent(std::int64_t incident, std::int64_t entry, commands::time_point at) {
    query(db_, "INSERT INTO statuspage_incidents (incident, create_sent_at, create_entry) VALUES (?, ?, ?) "
               "ON CONFLICT (incident) DO UPDATE SET create_sent_at = excluded.create_sent_at, "
               "create_entry = excluded.create_entry",
          incident, at, entry)
        .exec();
}

void statuspage_links::record_id(std::int64_t incident, const std::string& statuspage_id, commands::time_point at) {
    query(db_, "INSERT INTO statuspage_incidents (incident, statuspage_id, created_at) VALUES (?, ?, ?) "
               "ON CONFLICT (incident) DO UPDATE SET statuspage_id = excluded.statuspage_id, "
               "created_at = excluded.created_at",
          incident, statuspage_id, at)
        .exec();
}

}  // namespace warroom::storage
