// Follow-up ids, states and due dates: the words people type for them and
// the days they mean in the configured time zone.
#include "commands/followup.hpp"

#include "commands/text.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <charconv>
#include <utility>

namespace warroom::commands {

namespace {

constexpr std::array<std::pair<followup_state, std::string_view>, 3> state_names{{
    {followup_state::open, "open"},
    {followup_state::done, "done"},
    {followup_state::dropped, "dropped"},
}};

std::optional<std::int64_t> digits(std::string_view s) {
    if (s.empty() || s.size() > 15) return std::nullopt;
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return n;
}

// The instant a local wall-clock time on `d` happens (the earlier one when a
// clock change makes it ambiguous, the one after the gap when it is skipped).
time_point at_local(const working_hours& hours, day d, std::chrono::minutes minute_of_day) {
    const auto* zone = date::locate_zone(hours.timezone);
    auto local = date::local_days(d.time_since_epoch()) + minute_of_day;
    return std::chrono::time_point_cast<std::chrono::seconds>(zone->to_sys(local, date::choose::earliest));
}

std::optional<unsigned> weekday_of(std::string_view w) {
    // 0 is Sunday, as date::weekday counts.
    static constexpr std::array<std::array<std::string_view, 3>, 7> names{{
        {"sun", "sunday", "sun"},
        {"mon", "monday", "mon"},
        {"tue", "tuesday", "tues"},
        {"wed", "wednesday", "weds"},
        {"thu", "thursday", "thurs"},
        {"fri", "friday", "fri"},
        {"sat", "saturday", "sat"},
    }};
    for (unsigned i = 0; i < names.size(); ++i)
        for (auto n : names[i])
            if (w == n) return i;
    if (w == "thur") return 4u;
    return std::nullopt;
}

}  // namespace

std::string_view to_string(followup_state s) {
    for (const auto& [v, n] : state_names)
        if (v == s) return n;
    return "open";
}

std::optional<followup_state> parse_followup_state(std::string_view s) {
    for (const auto& [v, n] : state_names)
        if (iequals(n, s)) return v;
    return std::nullopt;
}

bool looks_like_followup_ref(std::string_view word) {
    return word.size() > 2 && (word[0] == 'F' || word[0] == 'f') && word[1] == '-' &&
           word.substr(2).find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::int64_t> parse_followup_ref(std::string_view word) {
    if (!looks_like_followup_ref(word)) return std::nullopt;
    auto n = digits(word.substr(2));
    if (!n || *n <= 0) return std::nullopt;
    return n;
}

day local_day(const working_hours& hours, time_point at) {
    const auto* zone = date::locate_zone(hours.timezone);
    auto local = date::floor<date::days>(zone->to_local(at));
    return day(local.time_since_epoch());
}

std::string format_day(day d) { return date::format("%F", d); }

std::string format_day_short(day d) {
    date::year_month_day ymd(d);
    return date::format("%a ", d) + std::to_string(static_cast<unsigned>(ymd.day())) + date::format(" %b", d);
}

std::optional<day> parse_due(std::string_view word, const working_hours& hours, time_point now) {
    std::string w = to_lower(word);
    day today = local_day(hours, now);
    if (w == "today") return today;
    if (w == "tomorrow") return today + date::days(1);
    // 2026-12-04
    if (w.size() == 10 && w[4] == '-' && w[7] == '-') {
        auto y = digits(std::string_view(w).substr(0, 4));
        auto m = digits(std::string_view(w).substr(5, 2));
        auto d = digits(std::string_view(w).substr(8, 2));
        if (!y || !m || !d) return std::nullopt;
        date::year_month_day ymd{date::year(static_cast<int>(*y)), date::month(static_cast<unsigned>(*m)),
                                 date::day(static_cast<unsigned>(*d))};
        if (!ymd.ok()) return std::nullopt;
        return day(date::sys_days(ymd).time_since_epoch());
    }
    // The next such day, a week ahead when it is today: "by Friday" said on a
    // Friday means the next one.
    if (auto wd = weekday_of(w)) {
        unsigned from = date::weekday(today).c_encoding();
        unsigned ahead = (*wd + 7 - from) % 7;
        return today + date::days(ahead == 0 ? 7 : ahead);
    }
    // Days and weeks count calendar days from today, whatever the hour.
    if (w.size() >= 2 && (w.back() == 'd' || w.back() == 'w')) {
        if (auto n = digits(std::string_view(w).substr(0, w.size() - 1)); n && *n <= 3660)
            return today + date::days(*n * (w.back() == 'w' ? 7 : 1));
    }
    if (auto d = parse_duration(w); d && d->count() >= 0 && *d <= std::chrono::days(3660))
        return local_day(hours, now + *d);
    return std::nullopt;
}

bool is_overdue(const followup& f, const working_hours& hours, time_point now) {
    return f.is_open() && f.due && local_day(hours, now) > *f.due;
}

std::optional<time_point> first_reminder(const followup& f, const working_hours& hours, time_point now) {
    if (!f.is_open() || !f.due) return std::nullopt;
    auto on_the_day = next_working_time(hours, at_local(hours, *f.due, hours.start));
    if (on_the_day > now) return on_the_day;
    auto day_after = next_working_time(hours, at_local(hours, *f.due + date::days(1), hours.start));
    return day_after > now ? day_after : next_working_time(hours, now);
}

}  // namespace warroom::commands
