#include "storage/integration_outbox.hpp"

#include "storage/statements.hpp"

namespace warroom::storage {

using commands::time_point;

namespace {

constexpr const char* columns =
    "id, incident, destination, target, summary, payload, state, attempts, next_attempt_at, created_at, last_error";

integration_entry read_entry(statement& q) {
    integration_entry e;
    e.id = q.getColumn(0).getInt64();
    e.act.incident = q.getColumn(1).getInt64();
    e.act.destination = q.getColumn(2).getString();
    e.act.target = q.getColumn(3).getString();
    e.act.summary = q.getColumn(4).getString();
    e.act.payload = q.getColumn(5).getString();
    auto state = q.getColumn(6).getString();
    e.state = state == "done" ? outbox_state::done : state == "dead" ? outbox_state::dead : outbox_state::pending;
    e.attempts = q.getColumn(7).getInt();
    e.next_attempt_at = from_unix(q.getColumn(8).getInt64());
    e.created_at = from_unix(q.getColumn(9).getInt64());
    e.last_error = q.getColumn(10).getString();
    return e;
}

std::vector<integration_entry> read_all(query&& q) {
    std::vector<integration_entry> out;
    q.each_row([&](auto& row) { out.push_back(read_entry(row)); });
    return out;
}

}  // namespace

void integration_outbox_table::enqueue(const std::vector<integration_action>& actions, time_point now) {
    if (actions.empty()) return;
    query q(db_, "INSERT INTO integration_outbox (incident, destination, target, summary, payload, next_attempt_at, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (const auto& a : actions) q.run(a.incident, a.destination, a.target, a.summary, a.payload, now, now);
}

std::vector<integration_entry> integration_outbox_table::due(time_point now, std::size_t limit) {
    static const std::string sql =
        std::string("SELECT ") + columns +
        " FROM integration_outbox o WHERE state = 'pending' AND next_attempt_at <= ? AND NOT EXISTS ("
        "SELECT 1 FROM integration_outbox w WHERE w.state = 'pending' AND w.incident = o.incident AND "
        "w.destination = o.destination AND w.target = o.target AND w.id < o.id) ORDER BY id LIMIT ?";
    return read_all(query(db_, sql, now, limit));
}

std::optional<time_point> integration_outbox_table::next_attempt() {
    return query(db_, "SELECT min(next_attempt_at) FROM integration_outbox o WHERE state = 'pending' AND NOT EXISTS ("
                      "SELECT 1 FROM integration_outbox w WHERE w.state = 'pending' AND w.incident = o.incident AND "
                      "w.destination = o.destination AND w.target = o.target AND w.id < o.id)")
        .row([](auto& q) { return column_time(q.getColumn(0)); });
}

std::map<std::pair<std::string, std::string>, std::size_t> integration_outbox_table::counts() {
    std::map<std::pair<std::string, std::string>, std::size_t> out;
    query(db_, "SELECT destination, state, count(*) FROM integration_outbox GROUP BY destination, state")
        .each_row([&](auto& q) {
            out[{q.getColumn(0).getString(), q.getColumn(1).getString()}] =
                static_cast<std::size_t>(q.getColumn(2).getInt64());
        });
    return out;
}

std::vector<integration_entry> integration_outbox_table::dead(std::size_t limit) {
    static const std::string sql = std::string("SELECT ") + columns +
                                   " FROM integration_outbox WHERE state = 'dead' ORDER BY finished_at DESC, id DESC "
                                   "LIMIT ?";
    return read_all(query(db_, sql, limit));
}

std::vector<integration_entry> integration_outbox_table::of_incident(std::int64_t incident) {
    static const std::string sql =
        std::string("SELECT ") + columns + " FROM integration_outbox WHERE incident = ? ORDER BY id";
    return read_all(query(db_, sql, incident));
}

std::vector<integration_entry> integration_outbox_table::since(std::int64_t after_id, std::size_t limit) {
    static const std::string sql =
        std::string("SELECT ") + columns + " FROM integration_outbox WHERE id > ? ORDER BY id LIMIT ?";
    return read_all(query(db_, sql, after_id, limit));
}

void integration_outbox_table::mark_delivered(std::int64_t id, time_point now) {
    query(db_, "UPDATE integration_outbox SET state = 'done', attempts = attempts + 1, finished_at = ? WHERE id = ?",
          now, id)
        .exec();
}

void integration_outbox_table::mark_failed(std::int64_t id, const std::string& error, time_point retry_at) {
    query(db_, "UPDATE integration_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
               "WHERE id = ? AND state = 'pending'",
          error, retry_at, id)
        .exec();
}

void integration_outbox_table::mark_dead(std::int64_t id, const std::string& error, time_point now) {
    query(db_, "UPDATE integration_outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, finished_at = ? "
               "WHERE id = ?",
          error, now, id)
        .exec();
}

std::size_t integration_outbox_table::retry_dead(time_point now) {
    return static_cast<std::size_t>(query(db_, "UPDATE integration_outbox SET state = 'pending', next_attempt_at = ?, "
                                               "finished_at = NULL WHERE state = 'dead'",
                                          now)
                                        .exec());
}

}  // namespace warroom::storage
