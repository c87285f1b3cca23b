#include "storage/incidents.hpp"

#include "storage/statements.hpp"

namespace warroom::storage {

using commands::time_point;

namespace {

constexpr const char* incident_columns =
    "number, title, description, severity, type, status, declared_by, declared_in, channel_name, channel_id, "
    "declared_at, acked_at, acked_by, resolved_at, resolution, last_update_at, last_update, update_clock_from, "
    "snoozed, summary_ts, is_private, archived";

commands::incident read_incident(statement& q) {
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
    inc.is_private = q.getColumn(20).getInt() != 0;
    inc.archived = q.getColumn(21).getInt() != 0;
    return inc;
}

const std::string select_incidents = std::string("SELECT ") + incident_columns + " FROM incidents ";

// Each query's text made once: it is also the key of the statement cache.
const std::string find_sql = select_incidents + "WHERE number = ?";
const std::string list_open_sql = select_incidents + "WHERE status <> 'resolved' ORDER BY number";
const std::string declared_since_sql = select_incidents + "WHERE declared_at >= ? ORDER BY declared_at, number";
const std::string resolved_since_sql =
    select_incidents + "WHERE status = 'resolved' AND resolved_at >= ? ORDER BY resolved_at, number";

// A duplicate candidate (commands::incident_store::recent_open): what naming
// it and deciding whether the declarer may see it read, nothing more. Every
// declare reads up to 50 of them, and their other text columns were most of
// that cost.
constexpr const char* candidate_columns =
    "number, title, severity, type, status, declared_by, channel_name, channel_id, declared_at, acked_by, is_private";

commands::incident read_candidate(statement& q) {
    commands::incident inc;
    inc.number = q.getColumn(0).getInt64();
    inc.title = q.getColumn(1).getString();
    inc.severity = q.getColumn(2).getString();
    inc.type = q.getColumn(3).getString();
    inc.status = commands::parse_status(q.getColumn(4).getString()).value_or(commands::incident_status::investigating);
    inc.declared_by = q.getColumn(5).getString();
    inc.channel_name = q.getColumn(6).getString();
    inc.channel_id = q.getColumn(7).getString();
    inc.declared_at = from_unix(q.getColumn(8).getInt64());
    inc.acked_by = q.getColumn(9).getString();
    inc.is_private = q.getColumn(10).getInt() != 0;
    return inc;
}

// Timeline rows, read the same way by one incident's timeline and the bulk reads.
constexpr const char* select_timeline = "SELECT incident, at, actor, kind, text FROM timeline ";

commands::timeline_entry read_timeline_entry(statement& q) {
    return {q.getColumn(0).getInt64(), from_unix(q.getColumn(1).getInt64()), q.getColumn(2).getString(),
            q.getColumn(3).getString(), q.getColumn(4).getString()};
}

const std::string recent_open_sql = std::string("SELECT ") + candidate_columns +
                                    " FROM incidents WHERE declared_at >= ? AND status <> 'resolved' "
                                    "ORDER BY declared_at DESC, number DESC LIMIT ?";

}  // namespace

void incident_table::attach_details(std::vector<commands::incident>& incidents, bool scan_all) {
    if (incidents.empty()) return;
    std::map<std::int64_t, commands::incident*> by_number;
    for (auto& inc : incidents) by_number[inc.number] = &inc;
    auto add_role = [&](std::int64_t number, const std::string& role, const std::string& user) {
        if (auto it = by_number.find(number); it != by_number.end()) it->second->roles[role] = user;
    };
    auto add_impact = [&](std::int64_t number, const std::string& component, const std::string& impact) {
        auto it = by_number.find(number);
        auto level = commands::parse_component_impact(impact);
        if (it != by_number.end() && level) it->second->impacts[component] = *level;
    };
    auto add_note = [&](std::int64_t number, statement& q, int first) {
        auto it = by_number.find(number);
        if (it == by_number.end()) return;
        commands::public_note n;
        n.seq = q.getColumn(first).getInt();
        n.phase = commands::parse_public_phase(q.getColumn(first + 1).getString()).value_or(commands::public_phase::investigating);
        n.text = q.getColumn(first + 2).getString();
        n.author = q.getColumn(first + 3).getString();
        n.created_at = from_unix(q.getColumn(first + 4).getInt64());
        n.published_at = column_time(q.getColumn(first + 5));
        n.published_by = q.getColumn(first + 6).getString();
        n.title = q.getColumn(first + 7).getString();
        it->second->public_notes.push_back(std::move(n));
    };
    if (!scan_all) {
        // One query per table for all of them (IN lists), not one per incident.
        auto numbers = numbers_of(by_number);
        each_row_in(db_, "SELECT incident, role, user_id FROM roles WHERE incident IN (", ")", numbers, [&](auto& q) {
            add_role(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString());
        });
        each_row_in(db_, "SELECT incident, component, impact FROM incident_components WHERE incident IN (", ")", numbers,
                    [&](auto& q) {
                        add_impact(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString());
                    });
        each_row_in(db_,
                    "SELECT incident, seq, status, body, author, created_at, published_at, published_by, title "
                    "FROM public_updates WHERE incident IN (",
                    ") ORDER BY incident, seq", numbers, [&](auto& q) { add_note(q.getColumn(0).getInt64(), q, 1); });
    } else {
        query(db_, "SELECT incident, role, user_id FROM roles").each_row([&](auto& q) {
            add_role(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString());
        });
        query(db_, "SELECT incident, component, impact FROM incident_components").each_row([&](auto& q) {
            add_impact(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString());
        });
        query(db_, "SELECT incident, seq, status, body, author, created_at, published_at, published_by, title "
                   "FROM public_updates ORDER BY incident, seq")
            .each_row([&](auto& q) { add_note(q.getColumn(0).getInt64(), q, 1); });
    }
    timers_.attach(by_number, scan_all);
    attach_pages(by_number, scan_all);
}

void incident_table::attach_pages(std::map<std::int64_t, commands::incident*>& by_number, bool scan_all) {
    auto add_page = [&](std::int64_t number, statement& q, int first) {
        auto it = by_number.find(number);
        if (it == by_number.end()) return;
        commands::page_state p;
        p.target = q.getColumn(first).getString();
        p.status = commands::parse_page_status(q.getColumn(first + 1).getString()).value_or(commands::page_status::triggered);
        p.paged_at = from_unix(q.getColumn(first + 2).getInt64());
        p.paged_by = q.getColumn(first + 3).getString();
        p.changed_at = from_unix(q.getColumn(first + 4).getInt64());
        p.changed_by = q.getColumn(first + 5).getString();
        p.via = q.getColumn(first + 6).getString();
        p.error = q.getColumn(first + 7).getString();
        it->second->pages.push_back(std::move(p));
    };
    static constexpr const char* columns = "target, status, paged_at, paged_by, changed_at, changed_by, via, error";
    if (!scan_all) {
        static const std::string head = std::string("SELECT incident, ") + columns + " FROM pages WHERE incident IN (";
        auto numbers = numbers_of(by_number);
        each_row_in(db_, head, ") ORDER BY incident, position", numbers,
                    [&](auto& q) { add_page(q.getColumn(0).getInt64(), q, 1); });
    } else {
        static const std::string all = std::string("SELECT incident, ") + columns + " FROM pages ORDER BY incident, position";
        query(db_, all).each_row([&](auto& q) { add_page(q.getColumn(0).getInt64(), q, 1); });
    }
}

template <class... Args>
std::vector<commands::incident> incident_table::read(bool with_details, std::string_view sql, const Args&... args) {
    std::vector<commands::incident> out;
    query(db_, sql, args...).each_row([&](auto& q) { out.push_back(read_incident(q)); });
    // By number for a few (the common case: one incident), by a scan of the
    // tables for many (list, stats).
    if (with_details) attach_details(out, out.size() > 16);
    return out;
}

std::vector<commands::incident> incident_table::find_many(const std::vector<std::int64_t>& numbers) {
    std::vector<commands::incident> out;
    out.reserve(numbers.size());  // an incident is large: moving them as the vector grows cost a tenth of a refresh
    each_row_in(db_, select_incidents + "WHERE number IN (", ") ORDER BY number", numbers,
                [&](auto& q) { out.push_back(read_incident(q)); });
    // By number however many: a batch's few dozen among thousands of incidents.
    attach_details(out, false);
    return out;
}

std::optional<commands::incident> incident_table::find(std::int64_t number) {
    auto one = read(true, find_sql, number);
    if (one.empty()) return std::nullopt;
    return std::move(one.front());
}

std::optional<std::int64_t> incident_table::number_by_channel(std::string_view channel) {
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
    return number;
}

std::optional<commands::incident> incident_table::find_by_channel(std::string_view channel) {
    auto number = number_by_channel(channel);
    if (!number) return std::nullopt;
    return find(*number);
}

std::vector<commands::incident> incident_table::list_open() {
    return read(true, list_open_sql);
}

std::vector<commands::incident> incident_table::list_declared_since(time_point since) {
    return read(true, declared_since_sql, since);
}

std::vector<commands::incident> incident_table::list_resolved_since(time_point since) {
    return read(true, resolved_since_sql, since);
}

std::vector<commands::incident> incident_table::recent_open(time_point since, std::size_t limit) {
    std::vector<commands::incident> out;
    // An incident is large: growing the vector moved every one read so far, each time.
    out.reserve(std::min<std::size_t>(limit, 64));
    query(db_, recent_open_sql, since, limit).each_row([&](auto& q) { out.push_back(read_candidate(q)); });
    return out;
}

std::vector<commands::timeline_entry> incident_table::timeline(std::int64_t number) {
    std::vector<commands::timeline_entry> out;
    static const std::string sql = std::string(select_timeline) + "WHERE incident = ? ORDER BY id";
    query(db_, sql, number)
        .each_row([&](auto& q) { out.push_back(read_timeline_entry(q)); });
    return out;
}

std::vector<commands::timeline_entry> incident_table::open_timelines() {
    std::vector<commands::timeline_entry> out;
    static const std::string sql = std::string(select_timeline) +
                                   "WHERE incident IN (SELECT number FROM incidents WHERE status <> 'resolved') ORDER BY incident, id";
    query(db_, sql)
        .each_row([&](auto& q) { out.push_back(read_timeline_entry(q)); });
    return out;
}

std::vector<commands::timeline_entry> incident_table::timelines_of(const std::vector<std::int64_t>& numbers) {
    std::vector<commands::timeline_entry> out;
    static const std::string before = std::string(select_timeline) + "WHERE incident IN (";
    each_row_in(db_, before, ") ORDER BY incident, id", numbers,
                [&](auto& q) { out.push_back(read_timeline_entry(q)); });
    return out;
}

std::vector<incident_channel> incident_table::channels() {
    std::vector<incident_channel> out;
    query(db_, "SELECT number, channel_id, channel_name FROM incidents ORDER BY number").each_row([&](auto& q) {
        out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString()});
    });
    return out;
}

std::int64_t incident_table::next_number() {
    return query(db_, "SELECT value FROM counters WHERE name = 'incident'").row([](auto& q) {
        return q.getColumn(0).getInt64();
    });
}

bool incident_table::channel_name_taken(std::string_view name) {
    return query(db_, "SELECT 1 FROM incidents WHERE channel_name = ? LIMIT 1", name).has_row();
}

std::map<std::string, std::size_t> incident_table::open_by_severity() {
    std::map<std::string, std::size_t> out;
    count_by(db_, "SELECT severity, count(*) FROM incidents WHERE status <> 'resolved' GROUP BY severity", out);
    return out;
}

void incident_table::save(const commands::incident& inc, bool is_new) {
    auto number = inc.number;
    query(db_, "INSERT INTO incidents (number, title, description, severity, type, status, declared_by, "
               "declared_in, channel_name, channel_id, declared_at, acked_at, acked_by, resolved_at, "
               "resolution, last_update_at, last_update, update_clock_from, snoozed, summary_ts, is_private, archived) VALUES "
               "(:number, :title, :description, :severity, :type, :status, :declared_by, :declared_in, "
               ":channel_name, :channel_id, :declared_at, :acked_at, :acked_by, :resolved_at, "
               ":resolution, :last_update_at, :last_update, :update_clock_from, :snoozed, :summary_ts, :is_private, :archived) "
               "ON CONFLICT (number) DO UPDATE SET title = excluded.title, description = "
               "excluded.description, severity = excluded.severity, type = excluded.type, status = "
               "excluded.status, channel_name = excluded.channel_name, channel_id = excluded.channel_id, "
               "acked_at = excluded.acked_at, acked_by = excluded.acked_by, resolved_at = "
               "excluded.resolved_at, resolution = excluded.resolution, last_update_at = "
               "excluded.last_update_at, last_update = excluded.last_update, update_clock_from = "
               "excluded.update_clock_from, snoozed = excluded.snoozed, is_private = excluded.is_private, "
               "archived = excluded.archived, "
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
        .bind_named(":is_private", inc.is_private ? 1 : 0)
        .bind_named(":archived", inc.archived ? 1 : 0)
        .exec();

    // A new incident's number was never used (the counter only grows) and
    // these rows reference it: there is nothing to delete or replace.
    if (!is_new) query(db_, "DELETE FROM roles WHERE incident = ?", number).exec();
    query role(db_, "INSERT INTO roles (incident, role, user_id) VALUES (?, ?, ?)");
    for (const auto& [name, user] : inc.roles)
        if (!user.empty()) role.run(number, name, user);

    if (!is_new) query(db_, "DELETE FROM incident_components WHERE incident = ?", number).exec();
    query component(db_, "INSERT INTO incident_components (incident, component, impact) VALUES (?, ?, ?)");
    for (const auto& [name, impact] : inc.impacts) component.run(number, name, commands::to_string(impact));

    // Public updates are never deleted: a saved one is updated in place (a draft published).
    query note(db_, "INSERT INTO public_updates (incident, seq, status, body, author, created_at, published_at, "
                    "published_by, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident, seq) DO UPDATE SET "
                    "status = excluded.status, body = excluded.body, published_at = excluded.published_at, "
                    "published_by = excluded.published_by, title = excluded.title");
    for (const auto& n : inc.public_notes)
        note.run(number, n.seq, commands::to_string(n.phase), n.text, n.author, n.created_at, n.published_at,
                 n.published_by, n.title);

    timers_.arm(number, inc.due, is_new);

    // The engine never removes a page, so an incident without any (nearly
    // every save) writes nothing here.
    if (!inc.pages.empty()) {
        query page(db_, "INSERT INTO pages (incident, target, position, status, paged_at, paged_by, changed_at, "
                        "changed_by, via, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (incident, target) "
                        "DO UPDATE SET status = excluded.status, paged_at = excluded.paged_at, paged_by = "
                        "excluded.paged_by, changed_at = excluded.changed_at, changed_by = excluded.changed_by, "
                        "via = excluded.via, error = excluded.error");
        for (std::size_t i = 0; i < inc.pages.size(); ++i) {
            const auto& p = inc.pages[i];
            page.run(number, p.target, static_cast<std::int64_t>(i), commands::to_string(p.status), p.paged_at,
                     p.paged_by, p.changed_at, p.changed_by, p.via, p.error);
        }
    }

    if (is_new)
        query(db_, "UPDATE counters SET value = ?1 WHERE name = 'incident' AND value < ?1", number + 1).exec();
}

void incident_table::add_timeline(const std::vector<commands::timeline_entry>& entries, std::int64_t incident) {
    if (entries.empty()) return;
    query q(db_, "INSERT INTO timeline (incident, at, actor, kind, text) VALUES (?, ?, ?, ?, ?)");
    for (const auto& e : entries) q.run(e.incident ? e.incident : incident, e.at, e.actor, e.kind, e.text);
}

void incident_table::set_channel(std::int64_t number, const std::string& channel_id,
                                 const std::string& channel_name) {
    query(db_, "UPDATE incidents SET channel_id = ?, channel_name = ? WHERE number = ?", channel_id, channel_name,
          number)
        .exec();
}

void incident_table::set_summary(std::int64_t number, const std::string& ts) {
    query(db_, "UPDATE incidents SET summary_ts = ? WHERE number = ?", ts, number).exec();
}

}  // namespace warroom::storage
