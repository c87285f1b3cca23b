#include "storage/timers.hpp"

#include "storage/statements.hpp"

#include <array>

namespace warroom::storage {

using commands::time_point;

namespace {

constexpr std::array all_timers{commands::timer_kind::ack, commands::timer_kind::update, commands::timer_kind::resolve,
                                commands::timer_kind::postmortem_draft, commands::timer_kind::postmortem_review,
                                commands::timer_kind::archive, commands::timer_kind::public_update};

}  // namespace

void timer_table::arm(std::int64_t incident, const commands::deadlines& due, bool is_new) {
    if (!is_new) query(db_, "DELETE FROM timers WHERE incident = ?", incident).exec();
    std::size_t rows = 0;
    for (auto kind : all_timers) rows += due.at(kind) ? 1 : 0;
    if (rows == 0) return;
    // One statement for all of them: one statement's overhead (cursors opened, halted), not one per deadline.
    query timer(db_, repeated_sql("INSERT INTO timers (incident, kind, due_at) VALUES ", "(?, ?, ?)", rows, ""));
    int next = 0;
    for (auto kind : all_timers)
        if (const auto& at = due.at(kind)) {
            timer.bind_from(next, incident, commands::to_string(kind), *at);
            next += 3;
        }
    timer.exec();
}

void timer_table::attach(const std::map<std::int64_t, commands::incident*>& by_number, bool scan_all) {
    auto add = [&](std::int64_t number, const std::string& kind, std::int64_t due) {
        if (auto it = by_number.find(number); it != by_number.end())
            if (auto k = commands::parse_timer_kind(kind)) it->second->due.at(*k) = from_unix(due);
    };
    if (!scan_all) {
        auto numbers = numbers_of(by_number);
        each_row_in(db_, "SELECT incident, kind, due_at FROM timers WHERE incident IN (", ")", numbers, [&](auto& q) {
            add(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64());
        });
        return;
    }
    query(db_, "SELECT incident, kind, due_at FROM timers").each_row([&](auto& q) {
        add(q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64());
    });
}

std::optional<time_point> timer_table::next_deadline() {
    return query(db_, "SELECT min(due_at) FROM timers").row([](auto& q) { return column_time(q.getColumn(0)); });
}

std::vector<due_timer> timer_table::due_timers(time_point now, std::size_t limit) {
    std::vector<due_timer> out;
    query(db_, "SELECT incident, kind, due_at FROM timers WHERE due_at <= ? ORDER BY due_at, incident LIMIT ?", now,
          limit)
        .each_row([&](auto& q) {
            if (auto kind = commands::parse_timer_kind(q.getColumn(1).getString()))
                out.push_back({q.getColumn(0).getInt64(), *kind, from_unix(q.getColumn(2).getInt64())});
        });
    return out;
}

std::size_t timer_table::armed_timer_count() { return count_of(db_, "SELECT count(*) FROM timers"); }

}  // namespace warroom::storage
