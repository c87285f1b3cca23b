// The shipped defaults of PRODUCT.md, lookups, and the working-hours clock.
#include "commands/settings.hpp"

#include "commands/text.hpp"

#include <date/tz.h>

#include <array>
#include <cctype>
#include <cstdio>

namespace warroom::commands {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::days;

namespace {

template <class T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
    for (const auto& item : items)
        if (iequals(item.name, name)) return &item;
    return nullptr;
}

}  // namespace

const severity_def* settings::find_severity(std::string_view name) const {
    return find_named(severities, name);
}

const incident_type_def* settings::find_type(std::string_view name) const {
    return find_named(incident_types, name);
}

const role_def* settings::find_role(std::string_view name) const {
    if (auto* r = find_named(roles, name)) return r;
    for (const auto& r : roles)
        for (const auto& alias : r.aliases)
            if (iequals(alias, name)) return &r;
    return nullptr;
}

std::size_t settings::severity_rank(std::string_view name) const {
    for (std::size_t i = 0; i < severities.size(); ++i)
        if (iequals(severities[i].name, name)) return i;
    return severities.size();
}

settings default_settings() {
    settings s;
    s.hours.days = {true, true, true, true, true, false, false};
    // Resolved channels pile up: each is archived a week after resolving (the last field).
    s.severities = {
        // Customers hear within 10 minutes of a P0/P1 (the status-page clock, the last two fields).
        {"P0", "Critical", minutes(5), minutes(15), hours(1), {"leadership"}, {}, true, true, {}, false, days(7), minutes(10), minutes(30)},
        {"P1", "High", minutes(15), minutes(30), hours(4), {"leadership"}, {}, true, true, {}, false, days(7), minutes(10), hours(1)},
        {"P2", "Medium", hours(1), hours(2), hours(24), {}, {}, false, false, {}, false, days(7)},
        {"P3", "Low", hours(4), std::nullopt, hours(24 * 7), {}, {}, false, false, {}, false, days(7)},
    };
    s.roles = {
        {"commander", {"ic"}, "Incident Commander",
         {"Set the severity", "Assign the roles", "Keep the updates coming", "Declare resolution",
          "Schedule the post-mortem"}},
        {"tech-lead", {"tl"}, "Technical Lead",
         {"Form a hypothesis and test it", "Coordinate the responders working on the fix",
          "Tell the commander what is known and what is not", "Record what was changed, and when"}},
        {"comms-lead", {"comms"}, "Communications Lead",
         {"Post a status update on every update reminder", "Keep stakeholders and support informed",
          "Update the status page if customers are affected", "Announce the resolution"}},
        {"scribe", {}, "Scribe",
         {"Pin key messages to the timeline (:pushpin:)", "Note decisions and who made them",
          "Note times of changes and their effects", "Start the post-mortem draft"}},
        {"ops-lead", {}, "Operations Lead",
         {"Own changes to production during the incident", "Coordinate rollbacks and failovers",
          "Confirm the systems are healthy before resolution"}},
    };
    s.incident_types = {
        {"outage", "Service outage",
         {"Check recent deployments", "Check health endpoints", "Roll back if a deploy is suspect"}},
        {"latency", "Elevated latency",
         {"Check saturation: CPU, memory, connection pools", "Check slow dependencies and queries",
          "Scale out or shed load if needed"}},
        {"auth", "Authentication failure",
         {"Check the identity provider's status", "Check certificate and key expiry",
          "Check recent changes to auth configuration"}},
        {"database", "Database problem",
         {"Check replication lag and failover state", "Check connections, locks and slow queries",
          "Check disk space and I/O"}},
        {"memory", "Memory exhaustion",
         {"Find the process growing", "Take a heap profile before restarting",
          "Restart or scale to buy time"}},
        {"security", "Security incident",
         {"Restrict the channel to responders who need to know", "Preserve logs and evidence",
          "Rotate exposed credentials", "Involve the security team"}, /*is_private=*/true},
        {"external-api", "External API failure",
         {"Check the vendor's status page", "Enable fallbacks or circuit breakers",
          "Open a ticket with the vendor"}},
    };
    return s;
}

namespace {

struct local_time {
    std::size_t weekday;  // 0 is Monday
    minutes minute_of_day;
    date::local_seconds midnight;
};

local_time to_local(const date::time_zone* zone, time_point at) {
    auto local = zone->to_local(at);
    auto day = date::floor<date::days>(local);
    unsigned iso = date::weekday(day).iso_encoding();  // 1 = Monday
    return {iso - 1, std::chrono::duration_cast<minutes>(local - day), day};
}

}  // namespace

bool in_working_hours(const working_hours& wh, time_point at) {
    auto t = to_local(date::locate_zone(wh.timezone), at);
    return wh.days[t.weekday] && t.minute_of_day >= wh.start && t.minute_of_day < wh.end;
}

time_point next_working_time(const working_hours& wh, time_point at) {
    if (in_working_hours(wh, at)) return at;
    const auto* zone = date::locate_zone(wh.timezone);
    auto t = to_local(zone, at);
    // Look at most eight days ahead: today's opening if it is still to come, else the next working day's.
    for (int ahead = 0; ahead <= 8; ++ahead) {
        std::size_t wd = (t.weekday + ahead) % 7;
        if (!wh.days[wd]) continue;
        auto opening = t.midnight + date::days(ahead) + wh.start;
        auto utc = zone->to_sys(opening, date::choose::earliest);
        auto result = std::chrono::time_point_cast<std::chrono::seconds>(utc);
        if (result >= at) return result;
    }
    return at;  // no working day configured at all: never hold anything back
}


std::optional<weekly_time> parse_weekly_time(std::string_view text) {
    static constexpr std::array<std::string_view, 7> days{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    auto space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string day;
    for (char c : text.substr(0, space)) day += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto clock = text.substr(space + 1);
    while (!clock.empty() && clock.front() == ' ') clock.remove_prefix(1);
    weekly_time w;
    w.weekday = -1;
    // "mon", "monday" (any case): the three letters, and the rest of the name when written.
    static constexpr std::array<std::string_view, 7> names{"monday", "tuesday", "wednesday", "thursday",
                                                           "friday", "saturday", "sunday"};
    for (int i = 0; i < 7; ++i)
        if (day == days[static_cast<std::size_t>(i)] || day == names[static_cast<std::size_t>(i)]) w.weekday = i;
    if (w.weekday < 0) return std::nullopt;
    // HH:MM, 00:00 to 23:59.
    if (clock.size() != 5 || clock[2] != ':') return std::nullopt;
    for (std::size_t i : {0, 1, 3, 4})
        if (clock[i] < '0' || clock[i] > '9') return std::nullopt;
    int h = (clock[0] - '0') * 10 + (clock[1] - '0');
    int m = (clock[3] - '0') * 10 + (clock[4] - '0');
    if (h > 23 || m > 59) return std::nullopt;
    w.at = minutes(h * 60 + m);
    return w;
}

std::string format_weekly_time(const weekly_time& w) {
    static constexpr std::array<std::string_view, 7> days{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    auto m = w.at.count();
    char clock[8];
    std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(m / 60), static_cast<int>(m % 60));
    return std::string(days[static_cast<std::size_t>(w.weekday % 7)]) + " " + clock;
}

time_point next_weekly(const working_hours& wh, const weekly_time& w, time_point after) {
    const auto* zone = date::locate_zone(wh.timezone);
    auto t = to_local(zone, after);
    // Today's, if still to come, else up to a week ahead (eight days covers a DST shift).
    for (int ahead = 0; ahead <= 8; ++ahead) {
        if (static_cast<int>((t.weekday + static_cast<std::size_t>(ahead)) % 7) != w.weekday) continue;
        auto local = t.midnight + date::days(ahead) + w.at;
        auto at = std::chrono::time_point_cast<std::chrono::seconds>(zone->to_sys(local, date::choose::earliest));
        if (at > after) return at;
    }
    return after + std::chrono::days(7);  // unreachable: a weekday comes round within eight days
}

}  // namespace warroom::commands
