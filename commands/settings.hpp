// The policy warroom runs by: severities, roles, incident types, channels and
// working hours. Loaded by bot/config from TOML; read by the engine.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::commands {

using duration = std::chrono::seconds;
using time_point = std::chrono::sys_seconds;

struct severity_def {
    std::string name;
    std::string label;
    duration ack_within{};
    std::optional<duration> update_every;  // none: no update reminders
    duration resolve_within{};
    std::vector<std::string> notify_channels;  // besides the announce channel
    std::vector<std::string> page;             // user group (S…) or user (U…) IDs
    bool postmortem = false;
    bool page_outside_hours = true;
    // Set by bot/paging from the config's `page` list: the [[pagers]] targets it names.
    std::vector<std::string> pagers;
    bool page_on_declare = false;  // page `pagers` when an incident is declared at this severity
    // How long after resolving its channel is archived; none: never.
    std::optional<duration> archive_after = std::nullopt;
    // The status-page clock (only while settings::public_page): the first
    // public update is due this long after declaring (none: no clock), then
    // one every `public_update_every` (none: the first only).
    std::optional<duration> public_update_within = std::nullopt;
    std::optional<duration> public_update_every = std::nullopt;
    // Addresses e-mailed on declaration, public updates and resolution ([email] sends them).
    std::vector<std::string> email = {};
};

struct role_def {
    std::string name;
    std::vector<std::string> aliases;
    std::string label;
    std::vector<std::string> checklist;
};

struct incident_type_def {
    std::string name;
    std::string label;
    std::vector<std::string> checklist;
    // Declared private unless said otherwise (security incidents).
    bool is_private = false;
    // [[pagers]] targets paged for this type on top of its severity's
    // (security pages the security on-call), whenever the severity pages.
    std::vector<std::string> pagers = {};
};

struct working_hours {
    std::array<bool, 7> days{};  // [0] is Monday
    std::chrono::minutes start{9 * 60};
    std::chrono::minutes end{18 * 60};
    std::string timezone = "UTC";
    std::string days_text = "Mon-Fri";  // as written, for display
    std::string hours_text = "09:00-18:00";
};

// A time in the week, e.g. "mon 09:00".
struct weekly_time {
    int weekday = 0;  // 0 is Monday
    std::chrono::minutes at{9 * 60};
};
// "mon 09:00", "Friday 16:30"; nullopt when it is not one.
std::optional<weekly_time> parse_weekly_time(std::string_view text);
std::string format_weekly_time(const weekly_time& w);  // "mon 09:00"
// The first instant strictly after `after` that is `w` in the time zone of `hours`.
time_point next_weekly(const working_hours& hours, const weekly_time& w, time_point after);

struct settings {
    std::string announce_channel = "incidents";
    std::string escalation_channel = "incident-escalations";
    std::string channel_prefix = "incident";
    std::string timeline_reaction = "pushpin";
    std::string templates_dir;
    // Only people holding a role in the incident may resolve it (command or button).
    bool resolve_requires_role = false;
    // How often the owner of an overdue follow-up is reminded.
    duration followup_nag = std::chrono::days(2);
    // The owner's reminder also goes to them in a direct message (when the app has im:write).
    bool followup_dm = true;
    // The weekly digest of open and overdue follow-ups: where (off when
    // empty), and when, in the working hours' time zone.
    std::string followup_digest_channel;
    weekly_time followup_digest_at;
    // Said in the escalation channel instead of announcing a private incident
    // (no title). {id}, {severity} and {declarer} are filled in; empty: nothing is said.
    std::string private_notice = "A private {severity} incident {id} was declared by {declarer}; ask them to be added.";
    working_hours hours;
    // The public status page. `public_page`: customers read one (a status
    // listener or components configured), so its clock runs. The component
    // names `/incident impact` accepts, as [[components]] lists them. With
    // approval a public update is a draft until the comms lead or commander publishes it.
    bool public_page = false;
    std::vector<std::string> public_components;
    bool public_updates_need_approval = false;
    std::vector<severity_def> severities;  // most severe first
    std::vector<role_def> roles;
    std::vector<incident_type_def> incident_types;
    // Every [[pagers]] target's name (set by bot/paging): what `/incident page` accepts.
    std::vector<std::string> pager_names;

    // Case-insensitive lookups; nullptr when unknown.
    const severity_def* find_severity(std::string_view name) const;
    const role_def* find_role(std::string_view name_or_alias) const;
    const incident_type_def* find_type(std::string_view name) const;
    // Position in the severity list (0 is most severe); list size when unknown.
    std::size_t severity_rank(std::string_view name) const;
    const severity_def& least_severe() const { return severities.back(); }
};

// The shipped defaults of PRODUCT.md, used when no config file says otherwise.
settings default_settings();

// True when `at` falls inside the working hours (in their time zone).
bool in_working_hours(const working_hours& hours, time_point at);
// The first instant at or after `at` that is inside working hours.
time_point next_working_time(const working_hours& hours, time_point at);

}  // namespace warroom::commands
