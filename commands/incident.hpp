// An incident as stored, its timeline, and the timers it arms.
#pragma once

#include "commands/settings.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::commands {

enum class incident_status { investigating, identified, mitigating, monitoring, resolved };
std::string_view to_string(incident_status s);
std::optional<incident_status> parse_status(std::string_view s);

// `followup`: one of the incident's follow-ups is due a reminder (the
// follow-ups carry their own times; see followup.hpp).
// `archive`: a resolved incident's channel is archived (severity_def::archive_after).
enum class timer_kind { ack, update, resolve, postmortem_draft, postmortem_review, followup, archive };
std::string_view to_string(timer_kind k);
std::optional<timer_kind> parse_timer_kind(std::string_view s);

// Deadlines are part of the stored incident: after a restart they are re-armed
// from here. An empty optional means that timer is not armed.
struct deadlines {
    std::optional<time_point> ack;
    std::optional<time_point> update;
    std::optional<time_point> resolve;
    std::optional<time_point> postmortem_draft;
    std::optional<time_point> postmortem_review;
    // Never armed from an incident: follow-up reminders are stored in each
    // follow-up's row (remind_at). Here only so `at` is total.
    std::optional<time_point> followup;
    std::optional<time_point> archive;

    std::optional<time_point>& at(timer_kind k);
    const std::optional<time_point>& at(timer_kind k) const;
};

// Where a page to one [[pagers]] target stands, as warroom last asked it (or
// as the vendor told it, for a page answered there). Pages are never removed
// from an incident: the pinned summary shows who was paged for good.
enum class page_status { triggered, acknowledged, resolved };
std::string_view to_string(page_status s);
std::optional<page_status> parse_page_status(std::string_view s);

struct page_state {
    std::string target;  // a [[pagers]] name
    page_status status = page_status::triggered;
    time_point paged_at{};
    std::string paged_by;    // user ID; empty: warroom itself (declaration, escalation)
    time_point changed_at{};
    std::string changed_by;  // who acknowledged or resolved it, as warroom or the vendor names them
    std::string via;         // empty: in warroom; else the vendor it was answered in ("PagerDuty")
};

struct incident {
    std::int64_t number = 0;
    std::string title;
    std::string description;
    std::string severity;  // a severity_def name
    std::string type;      // an incident_type_def name, or empty
    incident_status status = incident_status::investigating;
    std::string declared_by;  // user ID
    std::string declared_in;  // channel ID the declaration was typed in
    std::string channel_name; // the incident channel, decided at declaration
    std::string channel_id;   // filled in once Slack created the channel
    std::string summary_ts;   // Slack ts of the pinned summary: filled in once the summary is posted
    time_point declared_at{};
    std::optional<time_point> acked_at;
    std::string acked_by;
    std::optional<time_point> resolved_at;
    std::string resolution;  // summary given with resolve
    std::optional<time_point> last_update_at;
    std::string last_update;  // text of the last status update
    time_point update_clock_from{};  // when the update clock last restarted
    bool snoozed = false;
    // A private incident: a private channel, never announced, seen only by its members (is_member).
    bool is_private = false;
    // Its channel was archived by warroom (archive_after); a reopen unarchives it first.
    bool archived = false;
    std::map<std::string, std::string> roles;  // role name -> user ID
    deadlines due;
    std::vector<page_state> pages;  // in the order they were first paged

    page_state* page_of(std::string_view target);

    bool is_open() const { return status != incident_status::resolved; }
    std::string id() const { return "INC-" + std::to_string(number); }
    std::string role_holder(std::string_view role) const;
};

struct timeline_entry {
    std::int64_t incident = 0;
    time_point at{};
    std::string actor;  // user ID, or empty for warroom itself
    std::string kind;   // declared, ack, severity, role, status, update, note, ...
    std::string text;
};

}  // namespace warroom::commands
