#include "storage/slack_pace.hpp"

#include "storage/statements.hpp"

#include <algorithm>
#include <cmath>

namespace warroom::storage {

namespace {

// The bucket as GCRA sees it: milliseconds between calls, and how far ahead
// of now tat may run while a call is still granted (the burst's allowance).
struct gcra {
    std::int64_t interval, tolerance;
};
gcra gcra_of(const slack_pace::limit& l) {
    const auto interval = std::max<std::int64_t>(1, std::llround(60000.0 / l.per_minute));
    return {interval, static_cast<std::int64_t>(std::max(0.0, l.burst - 1)) * interval};
}

}  // namespace

slack_pace::millis slack_pace::take(const std::string& key, const limit& l, std::int64_t now_ms) {
    // GCRA: each call pushes tat one interval on; a call may go while tat is
    // no more than (burst - 1) intervals ahead of now.
    const auto [interval, tolerance] = gcra_of(l);
    auto granted = query(db_,
                         "INSERT INTO slack_pace (key, tat) VALUES (?1, ?2 + ?3) ON CONFLICT (key) DO UPDATE "
                         "SET tat = CASE WHEN slack_pace.tat > ?2 THEN slack_pace.tat ELSE ?2 END + ?3 "
                         "WHERE slack_pace.tat - ?2 <= ?4 RETURNING tat",
                         key, now_ms, interval, tolerance)
                       .has_row();
    if (granted) return millis::zero();
    // Refused: a second round trip, only when pacing actually holds a call back.
    auto tat = query(db_, "SELECT tat FROM slack_pace WHERE key = ?", key).one_row([](auto& q) {
        return q.getColumn(0).getInt64();
    });
    return millis(std::max<std::int64_t>(1, tat.value_or(now_ms) - tolerance - now_ms));
}

void slack_pace::hold(const std::string& key, const limit& l, std::int64_t until_ms) {
    // A call is granted once tat - now <= tolerance: tat = until + tolerance
    // grants the first at `until`, and that one pushes tat a whole interval on.
    const auto [interval, tolerance] = gcra_of(l);
    query(db_,
          "INSERT INTO slack_pace (key, tat) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE "
          "SET tat = CASE WHEN slack_pace.tat > ?2 THEN slack_pace.tat ELSE ?2 END",
          key, until_ms + tolerance)
        .exec();
}

}  // namespace warroom::storage
