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
// `public_update`: the status-page clock (severity_def::public_update_within / _every).
enum class timer_kind { ack, update, resolve, postmortem_draft, postmortem_review, followup, archive, public_update };
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
    std::optional<time_point> public_update;

    std::optional<time_point>& at(timer_kind k);
    const std::optional<time_point>& at(timer_kind k) const;
};

// What an incident does to one status-page component (Statuspage's words).
enum class component_impact { degraded, partial_outage, major_outage, maintenance };
std::string_view to_string(component_impact i);
// Also takes Statuspage's own spellings (degraded_performance, under_maintenance).
std::optional<component_impact> parse_component_impact(std::string_view s);

// The status a public update tells customers: Statuspage's four.
enum class public_phase { investigating, identified, monitoring, resolved };
std::string_view to_string(public_phase p);
std::optional<public_phase> parse_public_phase(std::string_view s);

// A public update: written for customers, its own record, never an internal
// update's text. With approval on it starts as a draft (published_at empty)
// and only the comms lead or commander publishes it.
struct public_note {
    int seq = 0;  // 1, 2, 3... within the incident
    public_phase phase = public_phase::investigating;
    std::string text;
    std::string author;  // user ID
    time_point created_at{};
    std::optional<time_point> published_at;
    std::string published_by;
    // The public title it gives the incident: customers' name for it, not the
    // internal title. Only a note written before the first publication has
    // one; the first published note's names the incident on the page.
    std::string title;

    bool published() const { return published_at.has_value(); }
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
    // The last request to the target was given up on (a dead letter): why.
    // Cleared when it is paged again.
    std::string error = {};
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
    // Status-page components it affects: configured component name -> impact.
    std::map<std::string, component_impact> impacts;
    std::vector<public_note> public_notes;  // oldest first
    deadlines due;
    std::vector<page_state> pages;  // in the order they were first paged

    page_state* page_of(std::string_view target);

    bool is_open() const { return status != incident_status::resolved; }
    std::string id() const { return "INC-" + std::to_string(number); }
    std::string role_holder(std::string_view role) const;
    bool has_published_note() const;
    // The first note published (by time): the incident's public debut.
    const public_note* first_published_note() const;
    // The title customers see, once published; empty before.
    std::string public_title() const;
    const public_note* find_note(int seq) const;
};

// Scheduled maintenance (M-n): a record of its own, not an incident. The
// status page shows it ahead of time, and its components read "under
// maintenance" during [starts_at, ends_at). Times in UTC.
struct maintenance {
    std::int64_t id = 0;
    std::string title;
    time_point starts_at{};
    time_point ends_at{};
    std::vector<std::string> components;  // configured component names
    std::string created_by;
    time_point created_at{};
    std::optional<time_point> cancelled_at;

    std::string ref() const { return "M-" + std::to_string(id); }
};

struct timeline_entry {
    std::int64_t incident = 0;
    time_point at{};
    std::string actor;  // user ID, or empty for warroom itself
    std::string kind;   // declared, ack, severity, role, status, update, note, ...
    std::string text;
};

}  // namespace warroom::commands
