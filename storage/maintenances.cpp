#include "storage/maintenances.hpp"

#include "storage/statements.hpp"

namespace warroom::storage {

namespace {

constexpr const char* columns = "SELECT id, title, starts_at, ends_at, components, created_by, created_at, cancelled_at "
                                "FROM maintenances ";

// Component names, one a line: a configured name never holds a line break.
std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        auto nl = text.find('\n', at);
        if (nl == std::string::npos) nl = text.size();
        if (nl > at) out.push_back(text.substr(at, nl - at));
        at = nl + 1;
    }
    return out;
}

commands::maintenance read_row(statement& q) {
    commands::maintenance m;
    m.id = q.getColumn(0).getInt64();
    m.title = q.getColumn(1).getString();
    m.starts_at = from_unix(q.getColumn(2).getInt64());
    m.ends_at = from_unix(q.getColumn(3).getInt64());
    m.components = split_lines(q.getColumn(4).getString());
    m.created_by = q.getColumn(5).getString();
    m.created_at = from_unix(q.getColumn(6).getInt64());
    m.cancelled_at = column_time(q.getColumn(7));
    return m;
}

}  // namespace

std::optional<commands::maintenance> maintenance_table::find(std::int64_t id) {
    return query(db_, std::string(columns) + "WHERE id = ?", id).one_row([](auto& q) { return read_row(q); });
}

std::vector<commands::maintenance> maintenance_table::ending_after(commands::time_point t) {
    std::vector<commands::maintenance> out;
    query(db_, std::string(columns) + "WHERE ends_at > ? ORDER BY starts_at, id", t).each_row([&](auto& q) {
        out.push_back(read_row(q));
    });
    return out;
}

std::int64_t maintenance_table::next_id() {
    return query(db_, "SELECT coalesce(max(id), 0) + 1 FROM maintenances").row([](auto& q) {
        return q.getColumn(0).getInt64();
    });
}

void maintenance_table::save(const commands::maintenance& m) {
    std::string components;
    for (const auto& c : m.components) components += (components.empty() ? "" : "\n") + c;
    query(db_, "INSERT INTO maintenances (id, title, starts_at, ends_at, components, created_by, created_at, "
               "cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title, "
               "starts_at = excluded.starts_at, ends_at = excluded.ends_at, components = excluded.components, "
               "cancelled_at = excluded.cancelled_at")
        .run(m.id, m.title, m.starts_at, m.ends_at, components, m.created_by, m.created_at, m.cancelled_at);
}

}  // namespace warroom::storage
