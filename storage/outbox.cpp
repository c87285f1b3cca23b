#include "storage/outbox.hpp"

#include "storage/statements.hpp"
#include "templates/renderer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace warroom::storage {

using commands::time_point;
using json = nlohmann::json;

namespace {

// The stored payload, written straight to JSON text with nlohmann's key
// order and escaping (templates::append_json_string): building a nlohmann
// tree copied each message's text and blocks, and its dump read them a byte
// at a time, for every action a command queues.
std::string payload_text(const commands::action& a, std::optional<std::int64_t> thread_of, bool thread_head) {
    std::string out;
    out.reserve(a.body.text.size() + a.body.blocks_json.size() + a.body.blocks_json.size() / 8 + 64);
    out += '{';
    auto key = [&](const char* k) {
        if (out.size() > 1) out += ',';
        out += '"';
        out += k;
        out += "\":";
    };
    if (!a.body.blocks_json.empty()) key("blocks"), templates::append_json_string(out, a.body.blocks_json);
    if (a.pin) key("pin"), out += "true";
    if (!a.body.text.empty()) key("text"), templates::append_json_string(out, a.body.text);
    if (thread_head) key("thread_head"), out += "true";
    if (thread_of) key("thread_of"), out += std::to_string(*thread_of);
    if (!a.topic.empty()) key("topic"), templates::append_json_string(out, a.topic);
    if (!a.users.empty()) {
        key("users");
        out += '[';
        for (std::size_t i = 0; i < a.users.size(); ++i) {
            if (i) out += ',';
            templates::append_json_string(out, a.users[i]);
        }
        out += ']';
    }
    out += '}';
    return out;
}

outbox_entry read_outbox(statement& q) {
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

std::vector<outbox_entry> read_outbox_entries(query&& q) {
    std::vector<outbox_entry> out;
    q.each_row([&](auto& row) { out.push_back(read_outbox(row)); });
    return out;
}

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

namespace {

// At most this many outbox rows per INSERT; VALUES is read in order on both
// backends, so the ids (and with them delivery order) follow the actions.
constexpr std::size_t max_rows_per_insert = 8;

}  // namespace

void outbox_table::enqueue(const std::vector<commands::action>& actions, std::int64_t incident, time_point now) {
    if (actions.empty()) return;
    std::vector<bool> head(actions.size(), false);  // a later action replies in its thread
    bool threaded = false;
    for (const auto& a : actions)
        if (a.thread_of >= 0 && static_cast<std::size_t>(a.thread_of) < actions.size())
            head[static_cast<std::size_t>(a.thread_of)] = threaded = true;
    if (!threaded) {
        // No ids needed (nearly every decision): the rows go in one statement
        // per eight, not one INSERT … RETURNING each.
        for (std::size_t from = 0; from < actions.size(); from += max_rows_per_insert) {
            auto rows = std::min(max_rows_per_insert, actions.size() - from);
            query q(db_, repeated_sql("INSERT INTO outbox (incident, kind, channel, payload, next_attempt_at, created_at) "
                                      "VALUES ",
                                      "(?, ?, ?, ?, ?, ?)", rows, ""));
            for (std::size_t i = 0; i < rows; ++i) {
                const auto& a = actions[from + i];
                q.bind_from(static_cast<int>(i * 6), a.incident ? a.incident : incident, commands::to_string(a.kind),
                            a.channel, payload_text(a, std::nullopt, false), now, now);
            }
            q.exec();
        }
        return;
    }
    constexpr const char* insert = "INSERT INTO outbox (incident, kind, channel, payload, next_attempt_at, created_at) "
                                   "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
    // A reply in a thread names its head by outbox id, known only here.
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < actions.size(); ++i) {
        const auto& a = actions[i];
        std::optional<std::int64_t> thread_of;
        if (a.thread_of >= 0 && static_cast<std::size_t>(a.thread_of) < i) thread_of = ids[static_cast<std::size_t>(a.thread_of)];
        auto text = payload_text(a, thread_of, head[i]);
        ids.push_back(query(db_, insert, a.incident ? a.incident : incident, commands::to_string(a.kind), a.channel,
                            text, now, now)
                          .row([](auto& q) { return q.getColumn(0).getInt64(); }));
    }
}

std::vector<outbox_entry> outbox_table::pending_actions(time_point now, std::size_t limit) {
    static const std::string sql =
        std::string("SELECT ") + outbox_columns +
        " FROM outbox o WHERE state = 'pending' AND next_attempt_at <= ?1 AND NOT EXISTS ("
        "SELECT 1 FROM outbox w WHERE w.state = 'pending' AND o.incident <> 0 AND "
        "w.incident = o.incident AND w.id < o.id AND w.next_attempt_at > ?1) "
        "ORDER BY id LIMIT ?2";
    return read_outbox_entries(query(db_, sql, now, limit));
}

std::vector<outbox_entry> outbox_table::claim_actions(time_point now, std::size_t limit, const std::string& replica,
                                                     time_point lease_until) {
    // pending_actions' rule, less what another replica holds: an entry, or
    // any entry of its incident (the incident's queue is theirs until then).
    static const std::string sql =
        std::string("SELECT ") + outbox_columns +
        " FROM outbox o WHERE state = 'pending' AND next_attempt_at <= ?1 AND NOT EXISTS ("
        "SELECT 1 FROM outbox w WHERE w.state = 'pending' AND o.incident <> 0 AND "
        "w.incident = o.incident AND w.id < o.id AND w.next_attempt_at > ?1) "
        "AND NOT EXISTS (SELECT 1 FROM outbox c WHERE c.state = 'pending' AND c.claimed_by <> '' AND "
        "c.claimed_by <> ?3 AND c.lease_until > ?1 AND (c.id = o.id OR (o.incident <> 0 AND c.incident = o.incident))) "
        "ORDER BY id LIMIT ?2";
    static const std::string pg_sql = sql + " FOR UPDATE OF o SKIP LOCKED";
    auto entries = read_outbox_entries(query(db_, db_.is_postgres() ? pg_sql : sql, now, limit, replica));
    query claim(db_, "UPDATE outbox SET claimed_by = ?, lease_until = ? WHERE id = ?");
    for (const auto& e : entries) claim.run(replica, lease_until, e.id);
    return entries;
}

std::size_t outbox_table::renew_leases(const std::string& replica, time_point lease_until) {
    return static_cast<std::size_t>(
        query(db_, "UPDATE outbox SET lease_until = ? WHERE claimed_by = ? AND state = 'pending'", lease_until, replica)
            .exec());
}

std::map<std::string, std::size_t> outbox_table::live_leases(time_point now) {
    std::map<std::string, std::size_t> out;
    query(db_, "SELECT claimed_by, count(*) FROM outbox WHERE state = 'pending' AND claimed_by <> '' AND "
               "lease_until > ? GROUP BY claimed_by",
          now)
        .each_row([&](auto& q) { out[q.getColumn(0).getString()] = static_cast<std::size_t>(q.getColumn(1).getInt64()); });
    return out;
}

std::optional<time_point> outbox_table::next_outbox_attempt() {
    // Only the head of each incident's queue counts: the rest wait behind it.
    return query(db_, "SELECT min(next_attempt_at) FROM outbox o WHERE state = 'pending' AND (incident = 0 OR NOT "
                      "EXISTS (SELECT 1 FROM outbox w WHERE w.state = 'pending' AND w.incident = o.incident AND "
                      "w.id < o.id))")
        .row([](auto& q) { return column_time(q.getColumn(0)); });
}

std::size_t outbox_table::pending_action_count() {
    return count_of(db_, "SELECT count(*) FROM outbox WHERE state = 'pending'");
}

std::map<std::string, std::size_t> outbox_table::outbox_counts() {
    std::map<std::string, std::size_t> out{{"pending", 0}, {"done", 0}, {"dead", 0}};
    // Pending and dead from their partial indexes, done the rest: a GROUP BY
    // state decoded every row of the table, whose payloads are most of the
    // file (41 MB at 10,000 incidents), on every /healthz and /metrics; a
    // count(*) only walks its pages (#16). One statement: one snapshot, on
    // either backend. The states are these three (schema 001).
    query(db_, "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox WHERE state = 'pending'), "
               "(SELECT count(*) FROM outbox WHERE state = 'dead')")
        .each_row([&](auto& q) {
            auto all = static_cast<std::size_t>(q.getColumn(0).getInt64());
            out["pending"] = static_cast<std::size_t>(q.getColumn(1).getInt64());
            out["dead"] = static_cast<std::size_t>(q.getColumn(2).getInt64());
            out["done"] = all - out["pending"] - out["dead"];
        });
    return out;
}

std::vector<outbox_entry> outbox_table::dead_actions(std::size_t limit) {
    static const std::string sql = std::string("SELECT ") + outbox_columns +
                                   " FROM outbox WHERE state = 'dead' ORDER BY finished_at DESC, id DESC LIMIT ?";
    return read_outbox_entries(query(db_, sql, limit));
}

void outbox_table::mark_delivered(std::int64_t outbox_id, time_point now) {
    query(db_, "UPDATE outbox SET state = 'done', attempts = attempts + 1, finished_at = ?, claimed_by = '', lease_until = 0 "
               "WHERE id = ?", now,
          outbox_id)
        .exec();
}

void outbox_table::mark_failed(std::int64_t outbox_id, const std::string& error, time_point retry_at) {
    query(db_, "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_by = '', "
               "lease_until = 0 WHERE id = ? AND state = 'pending'",
          error, retry_at, outbox_id)
        .exec();
}

void outbox_table::defer(std::int64_t outbox_id, time_point at) {
    query(db_, "UPDATE outbox SET next_attempt_at = ?, claimed_by = '', lease_until = 0 WHERE id = ? AND state = 'pending'", at, outbox_id).exec();
}

std::size_t outbox_table::retry_backed_off(time_point now) {
    return static_cast<std::size_t>(query(db_, "UPDATE outbox SET next_attempt_at = ?1 "
                                               "WHERE state = 'pending' AND attempts > 0 AND next_attempt_at > ?1",
                                          now)
                                        .exec());
}

void outbox_table::mark_dead(std::int64_t outbox_id, const std::string& error, time_point now) {
    query(db_, "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?, finished_at = ?, claimed_by = '', "
               "lease_until = 0 WHERE id = ?",
          error, now, outbox_id)
        .exec();
}

std::size_t outbox_table::retry_dead(time_point now) {
    return static_cast<std::size_t>(
        query(db_, "UPDATE outbox SET state = 'pending', next_attempt_at = ?, finished_at = NULL WHERE state = 'dead'",
              now)
            .exec());
}

// The payload is read and written whole, in C++: SQLite's json_set and
// PostgreSQL's jsonb_set differ, and this runs once per posted thread head.
void outbox_table::set_posted_ts(std::int64_t outbox_id, const std::string& ts) {
    auto payload = query(db_, "SELECT payload FROM outbox WHERE id = ?", outbox_id).one_row([](auto& q) {
        return q.getColumn(0).getString();
    });
    if (!payload) return;
    auto p = json::parse(*payload, nullptr, false);
    if (!p.is_object()) p = json::object();
    p["ts"] = ts;
    auto text = p.dump(-1, ' ', false, json::error_handler_t::replace);
    query(db_, "UPDATE outbox SET payload = ? WHERE id = ?", text, outbox_id).exec();
}

std::optional<std::string> outbox_table::posted_ts(std::int64_t outbox_id) {
    auto row = query(db_, "SELECT state, payload FROM outbox WHERE id = ?", outbox_id)
                   .one_row([](auto& q) -> std::optional<std::string> {
                       if (q.getColumn(0).getString() == "pending") return std::nullopt;
                       json p = json::parse(q.getColumn(1).getString(), nullptr, false);
                       if (!p.is_object() || !p.contains("ts") || !p["ts"].is_string()) return std::string();
                       return p["ts"].get<std::string>();
                   });
    if (!row) return std::string();  // gone
    return *row;
}

bool outbox_table::has_newer_summary_update(std::int64_t incident, std::int64_t outbox_id) {
    // Pending or delivered: either way the summary shows (or will show) a later state.
    // A dead one does not count: it never reached Slack.
    return query(db_, "SELECT 1 FROM outbox WHERE id > ? AND incident = ? AND kind = ? AND state <> 'dead' LIMIT 1",
                 outbox_id, incident, commands::to_string(commands::action_kind::update_summary))
        .has_row();
}

}  // namespace warroom::storage
