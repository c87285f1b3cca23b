#include "storage/incident_repository.hpp"

#include "storage/statements.hpp"

#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

#include <array>

namespace warroom::storage {

using commands::time_point;
using json = nlohmann::json;

namespace {

constexpr std::array all_timers{commands::timer_kind::ack, commands::timer_kind::update, commands::timer_kind::resolve,
                                commands::timer_kind::postmortem_draft, commands::timer_kind::postmortem_review};

constexpr const char* incident_columns =
    "number, title, description, severity, type, status, declared_by, declared_in, channel_name, channel_id, "
    "declared_at, acked_at, acked_by, resolved_at, resolution, last_update_at, last_update, update_clock_from, "
    "snoozed, summary_ts";

commands::incident read_incident(SQLite::Statement& q) {
    commands::incident inc;
    inc.number = q.getColumn(0).getInt64();
    inc.title = q.getColumn(1).getString();
    inc.description = q.getColumn(2).getString();
    inc.severity = q.getColumn(3).getString();
    inc.type = q.getColumn(4).getString();
    inc.status = commands::parse_status(q.getColumn(5).getString()).value_or(commands::incident_status::investigating);
    inc.declared_by = q.getColumn(6).getString();
    inc.declared_in = q.getColumn(7).getString();
    inc.channel_name = q.getColumn(8).getString();
    inc.channel_id = q.getColumn(9).getString();
    inc.declared_at = from_unix(q.getColumn(10).getInt64());
    inc.acked_at = column_time(q.getColumn(11));
    inc.acked_by = q.getColumn(12).getString();
    inc.resolved_at = column_time(q.getColumn(13));
    inc.resolution = q.getColumn(14).getString();
    inc.last_update_at = column_time(q.getColumn(15));
    inc.last_update = q.getColumn(16).getString();
    inc.update_clock_from = from_unix(q.getColumn(17).getInt64());
    inc.snoozed = q.getColumn(18).getInt() != 0;
    inc.summary_ts = q.getColumn(19).getString();
    return inc;
}

json payload_of(const commands::action& a) {
    json p = json::object();
    if (!a.users.empty()) p["users"] = a.users;
    if (!a.topic.empty()) p["topic"] = a.topic;
    if (!a.body.text.empty()) p["text"] = a.body.text;
    if (!a.body.blocks_json.empty()) p["blocks"] = a.body.blocks_json;
    if (a.pin) p["pin"] = true;
    return p;
}

outbox_entry read_outbox(SQLite::Statement& q) {
    outbox_entry e;
    e.id = q.getColumn(0).getInt64();
    e.act.incident = q.getColumn(1).getInt64();
    e.act.kind = commands::parse_action_kind(q.getColumn(2).getString()).value_or(commands::action_kind::post);
    e.act.channel = q.getColumn(3).getString();
    auto p = json::parse(q.getColumn(4).getString(), nullptr, false);
    if (p.is_object()) {
        e.act.users = p.value("users", std::vector<std::string>{});
        e.act.topic = p.value("topic", "");
        e.act.body.text = p.value("text", "");
        e.act.body.blocks_json = p.value("blocks", "");
        e.act.pin = p.value("pin", false);
        e.thread_of = p.value("thread_of", std::int64_t{0});
        e.thread_head = p.value("thread_head", false);
    }
    auto state = q.getColumn(5).getString();
    e.state = state == "done" ? outbox_state::done : state == "dead" ? outbox_state::dead : outbox_state::pending;
    e.attempts = q.getColumn(6).getInt();
    e.next_attempt_at = from_unix(q.getColumn(7).getInt64());
    e.created_at = from_unix(q.getColumn(8).getInt64());
    e.last_error = q.getColumn(9).getString();
    return e;
}

constexpr const char* outbox_columns =
    "id, incident, kind, channel, payload, state, attempts, next_attempt_at, created_at, last_error";

}  // namespace

std::string_view to_string(outbox_state s) {
    switch (s) {
        case outbox_state::pending: return "pending";
        case outbox_state::done: return "done";
        case outbox_state::dead: return "dead";
    }
    return "pending";
}

std::string describe_action(const outbox_entry& e) {
    std::string what(commands::to_string(e.act.kind));
    if (e.act.incident) what += " for INC-" + std::to_string(e.act.incident);
    if (e.act.kind == commands::action_kind::update_summary)
        what += " (edits the pinned summary)";  // always in the incident's channel
    else if (!e.act.channel.empty())
        what += " to " + e.act.channel;
    return what;
}

incident_repository::incident_repository(database& db) : db_(db) {}

namespace {

// Roles and deadlines of already-read incidents: by number for a few (the
// common case: one incident), by a scan of both tables for many (list, stats).
void attach_details(database& db, std::vector<commands::incident>& incidents) {
    if (incidents.empty()) return;
    std::map<std::int64_t, commands::incident*> by_number;
    for (auto& inc : incidents) by_number[inc.number] = &inc;
    auto add_role = [&](std::int64_t number, const std::string& role, const std::string& user) {
        if (auto it = by_number.find(number); it != by_number.end()) it->second->roles[role] = user;
    };
    auto add_timer = [&](std::int64_t number, const std::string& kind, std::int64_t due) {
        if (auto it = by_number.find(number); it != by_number.end())
            if (auto k = commands::parse_timer_kind(kind)) it->second->due.at(*k) = from_unix(due);
    };
    if (incidents.size() <= 16) {
        for (const auto& [number, inc] : by_number) {
            query(db, "SELECT role, user_id FROM roles WHERE incident = ?", number).each_row([&](auto& q) {
                add_role(number, q.getColumn(0).getString(), q.getColumn(1).getString());
            });
            query(db, "SELECT kind, due_at FROM timers WHERE incident = ?", number).each_row([&](auto& q) {
                add_timer(number, q.getColumn(0).getString(), q.getColumn(1).getInt64());
            });
        }
        return;
    }
    query(db, "SELECT incident, role, user_id FROM roles").each_row([&](auto& q) {
        add_role(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString());
    });
    query(db, "SELECT incident, kind, due_at FROM timers").each_row([&](auto& q) {
        add_timer(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64());
    });
}

// Incidents from a query whose first columns are incident_columns, `args` bound to its parameters.
template <class... Args>
std::vector<commands::incident> read_incidents(database& db, bool with_details, const std::string& sql,
                                               const Args&... args) {
    std::vector<commands::incident> out;
    query(db, sql, args...).each_row([&](auto& q) { out.push_back(read_incident(q)); });
    if (with_details) attach_details(db, out);
    return out;
}

const std::string select_incidents = std::string("SELECT ") + incident_columns + " FROM incidents ";

}  // namespace

std::optional<commands::incident> incident_repository::find(std::int64_t number) {
    auto one = read_incidents(db_, true, select_incidents + "WHERE number = ?", number);
    if (one.empty()) return std::nullopt;
    return std::move(one.front());
}

std::optional<commands::incident> incident_repository::find_by_channel(std::string_view channel) {
    if (channel.empty()) return std::nullopt;
    // Newest first: a name could in principle have been reused by a later incident.
    // Two indexed lookups, not one OR: SQLite scans the whole table for the OR,
    // and every command typed in a channel asks this (show fell to 300/s at 50k incidents).
    std::optional<std::int64_t> number;
    for (const char* sql : {"SELECT number FROM incidents WHERE channel_id = ?1 AND channel_id <> '' "
                            "ORDER BY number DESC LIMIT 1",
                            "SELECT number FROM incidents WHERE channel_name = ?1 ORDER BY number DESC LIMIT 1"}) {
        number = query(db_, sql, channel).one_row([](auto& q) { return q.getColumn(0).getInt64(); });
        if (number) break;
    }
    if (!number) return std::nullopt;
    return find(*number);
}

std::vector<commands::incident> incident_repository::list_open() {
    return read_incidents(db_, true, select_incidents + "WHERE status <> 'resolved' ORDER BY number");
}

std::vector<commands::incident> incident_repository::list_declared_since(time_point since) {
    return read_incidents(db_, true, select_incidents + "WHERE declared_at >= ? ORDER BY declared_at, number", since);
}

std::vector<commands::incident> incident_repository::list_resolved_since(time_point since) {
    return read_incidents(
        db_, true, select_incidents + "WHERE status = 'resolved' AND resolved_at >= ? ORDER BY resolved_at, number",
        since);
}

std::vector<commands::incident> incident_repository::recent_open(time_point since, std::size_t limit) {
    return read_incidents(db_, /*with_details=*/false,  // a list of candidates: no roles or deadlines needed
                          select_incidents + "WHERE declared_at >= ? AND status <> 'resolved' "
                                             "ORDER BY declared_at DESC, number DESC LIMIT ?",
                          since, limit);
}

std::vector<commands::timeline_entry> incident_repository::timeline(std::int64_t number) {
    std::vector<commands::timeline_entry> out;
    query(db_, "SELECT at, actor, kind, text FROM timeline WHERE incident = ? ORDER BY id", number)
        .each_row([&](auto& q) {
            out.push_back({number, from_unix(q.getColumn(0).getInt64()), q.getColumn(1).getString(),
                           q.getColumn(2).getString(), q.getColumn(3).getString()});
        });
    return out;
}

std::int64_t incident_repository::next_number() {
    return query(db_, "SELECT value FROM counters WHERE name = 'incident'").row([](auto& q) {
        return q.getColumn(0).getInt64();
    });
}

bool incident_repository::channel_name_taken(std::string_view name) {
    return query(db_, "SELECT 1 FROM incidents WHERE channel_name = ? LIMIT 1", name).has_row();
}

void incident_repository::apply(const commands::decision& d, time_point now) {
    if (!d.ok) return;
    std::int64_t number = d.save ? d.save->number : 0;
    if (d.save) {
        const auto& inc = *d.save;
        query(db_, "INSERT INTO incidents (number, title, description, severity, type, status, declared_by, "
                   "declared_in, channel_name, channel_id, declared_at, acked_at, acked_by, resolved_at, "
                   "resolution, last_update_at, last_update, update_clock_from, snoozed, summary_ts) VALUES "
                   "(:number, :title, :description, :severity, :type, :status, :declared_by, :declared_in, "
                   ":channel_name, :channel_id, :declared_at, :acked_at, :acked_by, :resolved_at, "
                   ":resolution, :last_update_at, :last_update, :update_clock_from, :snoozed, :summary_ts) "
                   "ON CONFLICT (number) DO UPDATE SET title = excluded.title, description = "
                   "excluded.description, severity = excluded.severity, type = excluded.type, status = "
                   "excluded.status, channel_name = excluded.channel_name, channel_id = excluded.channel_id, "
                   "acked_at = excluded.acked_at, acked_by = excluded.acked_by, resolved_at = "
                   "excluded.resolved_at, resolution = excluded.resolution, last_update_at = "
                   "excluded.last_update_at, last_update = excluded.last_update, update_clock_from = "
                   "excluded.update_clock_from, snoozed = excluded.snoozed, "
                   // Only delivery learns the summary's ts (set_summary): a save
                   // that carries none keeps the stored one.
                   "summary_ts = CASE WHEN excluded.summary_ts <> '' THEN excluded.summary_ts "
                   "ELSE incidents.summary_ts END")
            .bind_named(":number", inc.number)
            .bind_named(":title", inc.title)
            .bind_named(":description", inc.description)
            .bind_named(":severity", inc.severity)
            .bind_named(":type", inc.type)
            .bind_named(":status", commands::to_string(inc.status))
            .bind_named(":declared_by", inc.declared_by)
            .bind_named(":declared_in", inc.declared_in)
            .bind_named(":channel_name", inc.channel_name)
            .bind_named(":channel_id", inc.channel_id)
            .bind_named(":declared_at", inc.declared_at)
            .bind_named(":acked_at", inc.acked_at)
            .bind_named(":acked_by", inc.acked_by)
            .bind_named(":resolved_at", inc.resolved_at)
            .bind_named(":resolution", inc.resolution)
            .bind_named(":last_update_at", inc.last_update_at)
            .bind_named(":last_update", inc.last_update)
            .bind_named(":update_clock_from", inc.update_clock_from)
            .bind_named(":snoozed", inc.snoozed ? 1 : 0)
            .bind_named(":summary_ts", inc.summary_ts)
            .exec();

        query(db_, "DELETE FROM roles WHERE incident = ?", number).exec();
        query role(db_, "INSERT INTO roles (incident, role, user_id) VALUES (?, ?, ?)");
        for (const auto& [name, user] : inc.roles)
            if (!user.empty()) role.run(number, name, user);

        query(db_, "DELETE FROM timers WHERE incident = ?", number).exec();
        query timer(db_, "INSERT INTO timers (incident, kind, due_at) VALUES (?, ?, ?)");
        for (auto kind : all_timers)
            if (const auto& due = inc.due.at(kind)) timer.run(number, commands::to_string(kind), *due);

        if (d.is_new)
            query(db_, "UPDATE counters SET value = max(value, ?) WHERE name = 'incident'", number + 1).exec();
    }

    if (!d.timeline.empty()) {
        query q(db_, "INSERT INTO timeline (incident, at, actor, kind, text) VALUES (?, ?, ?, ?, ?)");
        for (const auto& e : d.timeline) q.run(e.incident ? e.incident : number, e.at, e.actor, e.kind, e.text);
    }

    if (!d.actions.empty()) {
        query q(db_, "INSERT INTO outbox (incident, kind, channel, payload, next_attempt_at, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)");
        // A reply in a thread names its head by outbox id, known only here.
        std::vector<std::int64_t> ids;
        for (std::size_t i = 0; i < d.actions.size(); ++i) {
            const auto& a = d.actions[i];
            auto payload = payload_of(a);
            if (a.thread_of >= 0 && static_cast<std::size_t>(a.thread_of) < i) payload["thread_of"] = ids[static_cast<std::size_t>(a.thread_of)];
            for (std::size_t j = i + 1; j < d.actions.size(); ++j)
                if (d.actions[j].thread_of == static_cast<int>(i)) payload["thread_head"] = true;
            q.run(a.incident ? a.incident : number, commands::to_string(a.kind), a.channel,
                  payload.dump(-1, ' ', false, json::error_handler_t::replace), now, now);
            ids.push_back(db_.sql().getLastInsertRowid());
        }
    }
}

std::optional<time_point> incident_repository::next_deadline() {
    return query(db_, "SELECT min(due_at) FROM timers").row([](auto& q) { return column_time(q.getColumn(0)); });
}

std::vector<due_timer> incident_repository::due_timers(time_point now, std::size_t limit) {
    std::vector<due_timer> out;
    query(db_, "SELECT incident, kind, due_at FROM timers WHERE due_at <= ? ORDER BY due_at, incident LIMIT ?", now,
          limit)
        .each_row([&](auto& q) {
            if (auto kind = commands::parse_timer_kind(q.getColumn(1).getString()))
                out.push_back({q.getColumn(0).getInt64(), *kind, from_unix(q.getColumn(2).getInt64())});
        });
    return out;
}

namespace {

std::size_t count_of(database& db, const std::string& sql) {
    return query(db, sql).row([](auto& q) { return static_cast<std::size_t>(q.getColumn(0).getInt64()); });
}

// Counts by the first column of a `SELECT x, count(*) … GROUP BY x`, added to `out`.
void count_by(database& db, const std::string& sql, std::map<std::string, std::size_t>& out) {
    query(db, sql).each_row(
        [&](auto& q) { out[q.getColumn(0).getString()] = static_cast<std::size_t>(q.getColumn(1).getInt64()); });
}

std::vector<outbox_entry> read_outbox_entries(query&& q) {
    std::vector<outbox_entry> out;
    q.each_row([&](auto& row) { out.push_back(read_outbox(row)); });
    return out;
}

}  // namespace

std::size_t incident_repository::armed_timer_count() { return count_of(db_, "SELECT count(*) FROM timers"); }

std::vector<outbox_entry> incident_repository::pending_actions(time_point now, std::size_t limit) {
    static const std::string sql =
        std::string("SELECT ") + outbox_columns +
        " FROM outbox o WHERE state = 'pending' AND next_attempt_at <= ?1 AND NOT EXISTS ("
        "SELECT 1 FROM outbox w WHERE w.state = 'pending' AND o.incident <> 0 AND "
        "w.incident = o.incident AND w.id < o.id AND w.next_attempt_at > ?1) "
        "ORDER BY id LIMIT ?2";
    return read_outbox_entries(query(db_, sql, now, limit));
}

std::optional<time_point> incident_repository::next_outbox_attempt() {
    // Only the head of each incident's queue counts: the rest wait behind it.
    return query(db_, "SELECT min(next_attempt_at) FROM outbox o WHERE state = 'pending' AND (incident = 0 OR NOT "
                      "EXISTS (SELECT 1 FROM outbox w WHERE w.state = 'pending' AND w.incident = o.incident AND "
                      "w.id < o.id))")
        .row([](auto& q) { return column_time(q.getColumn(0)); });
}

std::size_t incident_repository::pending_action_count() {
    return count_of(db_, "SELECT count(*) FROM outbox WHERE state = 'pending'");
}

std::map<std::string, std::size_t> incident_repository::outbox_counts() {
    std::map<std::string, std::size_t> out{{"pending", 0}, {"done", 0}, {"dead", 0}};
    count_by(db_, "SELECT state, count(*) FROM outbox GROUP BY state", out);
    return out;
}

std::vector<outbox_entry> incident_repository::dead_actions(std::size_t limit) {
    static const std::string sql = std::string("SELECT ") + outbox_columns +
                                   " FROM outbox WHERE state = 'dead' ORDER BY finished_at DESC, id DESC LIMIT ?";
    return read_outbox_entries(query(db_, sql, limit));
}

void incident_repository::mark_delivered(std::int64_t outbox_id, time_point now) {
    query(db_, "UPDATE outbox SET state = 'done', attempts = attempts + 1, finished_at = ? WHERE id = ?", now,
          outbox_id)
        .exec();
}

void incident_repository::mark_failed(std::int64_t outbox_id, const std::string& error, time_point retry_at) {
    query(db_, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
               "WHERE id = ? AND state = 'pending'",
          error, retry_at, outbox_id)
        .exec();
}

void incident_repository::defer(std::int64_t outbox_id, time_point at) {
    query(db_, "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending'", at, outbox_id).exec();
}

std::size_t incident_repository::retry_backed_off(time_point now) {
    return static_cast<std::size_t>(query(db_, "UPDATE outbox SET next_attempt_at = ?1 "
                                               "WHERE state = 'pending' AND attempts > 0 AND next_attempt_at > ?1",
                                          now)
                                        .exec());
}

void incident_repository::mark_dead(std::int64_t outbox_id, const std::string& error, time_point now) {
    query(db_, "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, finished_at = ? WHERE id = ?",
          error, now, outbox_id)
        .exec();
}

std::size_t incident_repository::retry_dead(time_point now) {
    return static_cast<std::size_t>(
        query(db_, "UPDATE outbox SET state = 'pending', next_attempt_at = ?, finished_at = NULL WHERE state = 'dead'",
              now)
            .exec());
}

void incident_repository::set_channel(std::int64_t number, const std::string& channel_id,
                                      const std::string& channel_name) {
    query(db_, "UPDATE incidents SET channel_id = ?, channel_name = ? WHERE number = ?", channel_id, channel_name,
          number)
        .exec();
}

void incident_repository::set_summary(std::int64_t number, const std::string& ts) {
    query(db_, "UPDATE incidents SET summary_ts = ? WHERE number = ?", ts, number).exec();
}

void incident_repository::set_posted_ts(std::int64_t outbox_id, const std::string& ts) {
    query(db_, "UPDATE outbox SET payload = json_set(payload, '$.ts', ?) WHERE id = ?", ts, outbox_id).exec();
}

std::optional<std::string> incident_repository::posted_ts(std::int64_t outbox_id) {
    auto row = query(db_, "SELECT state, coalesce(json_extract(payload, '$.ts'), '') FROM outbox WHERE id = ?",
                     outbox_id)
                   .one_row([](auto& q) -> std::optional<std::string> {
                       if (q.getColumn(0).getString() == "pending") return std::nullopt;
                       return q.getColumn(1).getString();
                   });
    if (!row) return std::string();  // gone
    return *row;
}

bool incident_repository::has_newer_summary_update(std::int64_t incident, std::int64_t outbox_id) {
    // Pending or delivered: either way the summary shows (or will show) a later state.
    // A dead one does not count: it never reached Slack.
    return query(db_, "SELECT 1 FROM outbox WHERE id > ? AND incident = ? AND kind = ? AND state <> 'dead' LIMIT 1",
                 outbox_id, incident, commands::to_string(commands::action_kind::update_summary))
        .has_row();
}

bool incident_repository::remember_request(const std::string& key, time_point now) {
    return query(db_, "INSERT OR IGNORE INTO seen_requests (key, seen_at) VALUES (?, ?)", key, now).exec() == 1;
}

bool incident_repository::seen_request(const std::string& key) {
    return query(db_, "SELECT 1 FROM seen_requests WHERE key = ?", key).has_row();
}

void incident_repository::forget_requests_before(time_point cutoff) {
    query(db_, "DELETE FROM seen_requests WHERE seen_at < ?", cutoff).exec();
}

std::map<std::string, std::size_t> incident_repository::open_by_severity() {
    std::map<std::string, std::size_t> out;
    count_by(db_, "SELECT severity, count(*) FROM incidents WHERE status <> 'resolved' GROUP BY severity", out);
    return out;
}

}  // namespace warroom::storage
