#include "storage/followups.hpp"

#include "storage/statements.hpp"

#include <date/date.h>

#include <charconv>

namespace warroom::storage {

using commands::time_point;

namespace {

const std::string select_followups =
    "SELECT id, incident, text, owner, due, state, created_by, created_at, closed_at, closed_by, note, remind_at "
    "FROM followups ";

// "2026-12-04"; nullopt for '' (no due day) or anything else.
std::optional<commands::day> parse_day(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    auto num = [&](std::size_t at, std::size_t len, auto& out) {
        auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, out);
        return ec == std::errc{} && p == s.data() + at + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
    date::year_month_day ymd{date::year(y), date::month(m), date::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return commands::day(date::sys_days(ymd).time_since_epoch());
}

commands::followup read_followup(statement& q) {
    commands::followup f;
    f.id = q.getColumn(0).getInt64();
    f.incident = q.getColumn(1).getInt64();
    f.text = q.getColumn(2).getString();
    f.owner = q.getColumn(3).getString();
    f.due = parse_day(q.getColumn(4).getString());
    f.state = commands::parse_followup_state(q.getColumn(5).getString()).value_or(commands::followup_state::open);
    f.created_by = q.getColumn(6).getString();
    f.created_at = from_unix(q.getColumn(7).getInt64());
    f.closed_at = column_time(q.getColumn(8));
    f.closed_by = q.getColumn(9).getString();
    f.note = q.getColumn(10).getString();
    f.remind_at = column_time(q.getColumn(11));
    return f;
}

}  // namespace

template <class... Args>
std::vector<commands::followup> followup_table::read(const std::string& sql, const Args&... args) {
    std::vector<commands::followup> out;
    query(db_, sql, args...).each_row([&](auto& q) { out.push_back(read_followup(q)); });
    return out;
}

std::optional<commands::followup> followup_table::find(std::int64_t id) {
    auto one = read(select_followups + "WHERE id = ?", id);
    if (one.empty()) return std::nullopt;
    return std::move(one.front());
}

std::vector<commands::followup> followup_table::of_incident(std::int64_t incident) {
    return read(select_followups + "WHERE incident = ? ORDER BY id", incident);
}

std::vector<commands::followup> followup_table::of_open_incidents() {
    return read(select_followups + "WHERE incident IN (SELECT number FROM incidents WHERE status <> 'resolved') "
                                   "ORDER BY incident, id");
}

std::vector<commands::followup> followup_table::of_incidents(const std::vector<std::int64_t>& incidents) {
    std::vector<commands::followup> out;
    each_row_in(db_, select_followups + "WHERE incident IN (", ") ORDER BY incident, id", incidents,
                [&](auto& q) { out.push_back(read_followup(q)); });
    return out;
}

std::vector<commands::followup> followup_table::open() {
    return read(select_followups + "WHERE state = 'open' ORDER BY id");
}

std::vector<commands::followup> followup_table::created_since(time_point since) {
    return read(select_followups + "WHERE created_at >= ? ORDER BY id", since);
}

std::int64_t followup_table::next_id() {
    return query(db_, "SELECT value FROM counters WHERE name = 'followup'").row([](auto& q) {
        return q.getColumn(0).getInt64();
    });
}

void followup_table::save(const commands::followup& f) {
    // A closed follow-up keeps no reminder, whatever it was given.
    query(db_, "INSERT INTO followups (id, incident, text, owner, due, state, created_by, created_at, closed_at, "
               "closed_by, note, remind_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
               "CASE WHEN ?6 = 'open' THEN ?12 END) "
               "ON CONFLICT (id) DO UPDATE SET text = excluded.text, owner = excluded.owner, due = excluded.due, "
               "state = excluded.state, closed_at = excluded.closed_at, closed_by = excluded.closed_by, "
               "note = excluded.note, remind_at = excluded.remind_at",
          f.id, f.incident, f.text, f.owner, f.due ? commands::format_day(*f.due) : std::string(),
          commands::to_string(f.state), f.created_by, f.created_at, f.closed_at, f.closed_by, f.note, f.remind_at)
        .exec();
    query(db_, "UPDATE counters SET value = ?1 WHERE name = 'followup' AND value < ?1", f.id + 1).exec();
}

std::optional<time_point> followup_table::next_reminder() {
    return query(db_, "SELECT min(remind_at) FROM followups WHERE remind_at IS NOT NULL").row([](auto& q) {
        return column_time(q.getColumn(0));
    });
}

std::vector<followup_table::due_reminder> followup_table::due_reminders(time_point now, std::size_t limit) {
    std::vector<due_reminder> out;
    query(db_, "SELECT incident, min(remind_at) AS at FROM followups WHERE remind_at IS NOT NULL AND remind_at <= ? "
               "GROUP BY incident ORDER BY at, incident LIMIT ?",
          now, limit)
        .each_row([&](auto& q) { out.push_back({q.getColumn(0).getInt64(), from_unix(q.getColumn(1).getInt64())}); });
    return out;
}

std::size_t followup_table::armed_count() {
    return count_of(db_, "SELECT count(*) FROM followups WHERE remind_at IS NOT NULL");
}

std::optional<time_point> followup_table::digest_at() {
    return query(db_, "SELECT max(value) FROM counters WHERE name = 'followup_digest_at'").row([](auto& q) {
        return column_time(q.getColumn(0));
    });
}

void followup_table::set_digest_at(time_point at) {
    query(db_, "INSERT INTO counters (name, value) VALUES ('followup_digest_at', ?) "
               "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
          at)
        .exec();
}

}  // namespace warroom::storage
