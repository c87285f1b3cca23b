// Follow-ups (action items): what is left to do after an incident, who owns
// it and by when. Records of their own, not timeline text, so they can be
// listed, reminded about and counted.
#pragma once

#include "commands/settings.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warroom::commands {

enum class followup_state { open, done, dropped };
std::string_view to_string(followup_state s);
std::optional<followup_state> parse_followup_state(std::string_view s);

// A calendar day in the configured time zone: a due date is a day people
// agree on, not an instant.
using day = std::chrono::sys_days;

struct followup {
    std::int64_t id = 0;        // F-<id>, one sequence over all incidents
    std::int64_t incident = 0;
    std::string text;
    std::string owner;          // user ID
    std::optional<day> due;
    followup_state state = followup_state::open;
    std::string created_by;
    time_point created_at{};
    std::optional<time_point> closed_at;  // done or dropped
    std::string closed_by;
    std::string note;                     // done: the note; dropped: why
    // The next reminder to its owner; none once closed or without a due date.
    // Stored with the row, so a restart re-arms it.
    std::optional<time_point> remind_at;

    bool is_open() const { return state == followup_state::open; }
    std::string ref() const { return "F-" + std::to_string(id); }
};

// "F-12", "f-12" -> 12.
std::optional<std::int64_t> parse_followup_ref(std::string_view word);
// "F-<digits>" in any case: written as a follow-up id, existing or not.
bool looks_like_followup_ref(std::string_view word);

// The day `at` falls on in the working hours' time zone.
day local_day(const working_hours& hours, time_point at);
// "2026-12-04".
std::string format_day(day d);
// "Fri 4 Dec".
std::string format_day_short(day d);

// A due date as typed: "2026-12-04", a weekday ("fri": the next one, never
// today), "today", "tomorrow", or a duration from today ("3d", "2w").
// nullopt when it is none of these; a day in the past is returned as it is
// (the caller refuses it, saying so).
std::optional<day> parse_due(std::string_view word, const working_hours& hours, time_point now);

// Whether the follow-up is open and its due day has passed (in the time zone).
bool is_overdue(const followup& f, const working_hours& hours, time_point now);

// When the owner is first told: the start of working hours on the due day
// (the first working time after, when that day is not worked). A first
// reminder already past at `now` (a follow-up due today, made in the
// afternoon) becomes the start of working hours after the due day.
std::optional<time_point> first_reminder(const followup& f, const working_hours& hours, time_point now);

}  // namespace warroom::commands
