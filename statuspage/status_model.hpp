// What the public status page shows, built purely from stored incidents and
// the configured components: no I/O, no clock of its own (`now` is given).
//
// THE PUBLIC RULE. An incident appears (on the page, in the JSON, the feed,
// the uptime bars and at its address) only once a public update was
// PUBLISHED for it (`/incident public`, or the form; a draft awaiting
// approval is not published), and a private one never: public_view_of()
// gives nothing for either. Until then customers learn nothing of it, not
// even that it exists. Of a published incident nothing is public except what
// public_view_of() lets through: its PUBLIC title (given by its first public
// update, else the internal title as it read at that publication; renaming
// the incident inside later changes nothing public), its severity mapped to
// an impact none|minor|major|critical, its published public updates (text
// written for customers) and the status they tell, fixed sentences for a
// resolution or reopening customers were not told of, the times of those,
// and the components it affects (`/incident impact`) from its first
// publication on: an impact set while responders assess does not change a
// component's public state, or its uptime bars, before then (as in
// Statuspage, where component statuses go out with the update announcing
// them). Internal update text, the internal title once a public one is
// given, notes, the description, the resolution summary, people, roles and
// channels never reach the page, the JSON or the feed.
#pragma once

#include "commands/incident.hpp"
#include "statuspage/components_config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::statuspage {

using commands::time_point;

// Statuspage's component statuses, best first (their order is their severity).
enum class component_status { operational, under_maintenance, degraded_performance, partial_outage, major_outage };
enum class public_status { investigating, identified, monitoring, resolved };
enum class impact { none, minor, major, critical };

std::string_view to_string(component_status s);
std::string_view to_string(public_status s);
std::string_view to_string(impact i);
std::string_view label(component_status s);  // "Partial outage"
std::string_view label(public_status s);     // "Investigating"

struct component_impact {
    std::string component;  // a component_def name
    component_status status = component_status::major_outage;
};

// One incident as the database holds it.
struct stored_incident {
    commands::incident inc;
    std::vector<commands::timeline_entry> timeline;
    // The components it affects (affected_of(inc) for a stored one).
    std::vector<component_impact> affected;
};

// One component's status before and after a public update, as Statuspage's
// incident_updates[].affected_components lists it.
struct component_change {
    std::string component;  // as configured
    component_status old_status = component_status::operational;
    component_status new_status = component_status::operational;
};

struct public_update {
    std::string id;
    public_status status = public_status::investigating;
    // A published public update's text, or a fixed sentence for a
    // resolution or reopening customers were not told of; never internal text.
    std::string body;
    time_point at{};
    std::vector<component_change> affected;  // what it changed, or confirmed, of the components
};

struct public_incident {
    std::string id;  // public_id(): not the internal number
    std::string name;  // the public title
    public_status status = public_status::investigating;
    impact level = impact::minor;
    time_point created_at{};  // its first publication
    time_point updated_at{};
    std::optional<time_point> monitoring_at;
    std::optional<time_point> resolved_at;
    std::vector<public_update> updates;  // newest first
    std::vector<component_impact> components;
};

// A stable 12-character id ([0-9a-z]) derived from the incident's number and
// declaration time by SHA-256: the same after a restart, nothing to store,
// and the internal number (INC-n) cannot be read from it or guessed in turn.
std::string public_id(const commands::incident& inc);

// Severity → impact by rank in the configured scheme (most severe first):
// the first is critical, the second major, the rest minor. An unknown one is minor.
impact impact_of(std::string_view severity, const std::vector<commands::severity_def>& severities);
public_status public_status_of(commands::incident_status s);
public_status public_status_of(commands::public_phase p);
component_status component_status_of(commands::component_impact i);
// The incident's stored impacts as the page names them.
std::vector<component_impact> affected_of(const commands::incident& inc);

// The only door from an incident to the public (see THE PUBLIC RULE above):
// nothing for a private incident or one not yet published.
std::optional<public_incident> public_view_of(const stored_incident& stored,
                                              const std::vector<commands::severity_def>& severities);

// A component's id on the page and in the JSON: stable, from its name.
std::string component_id(std::string_view name);

// Scheduled maintenance as customers see it: upcoming or in progress.
struct public_maintenance {
    std::string id;
    std::string name;
    bool in_progress = false;
    time_point created_at{};
    time_point scheduled_for{};
    time_point scheduled_until{};
    std::vector<std::string> components;
};

struct uptime_day {
    time_point day{};  // UTC midnight
    component_status worst = component_status::operational;
    double uptime = 1.0;  // 0..1
    std::vector<std::string> incidents;  // names of the incidents that touched the component that day
};

struct component_view {
    component_def def;
    std::string id;
    component_status status = component_status::operational;
    std::vector<uptime_day> days;  // oldest first, the last is today
    double uptime = 1.0;           // over `days`
};

struct group_view {
    std::string name;  // empty: components without a group
    std::vector<component_view> components;
};

struct status_model {
    page_settings page;
    std::string page_id;
    time_point now{};
    time_point updated_at{};  // the latest change anything on the page shows
    impact indicator = impact::none;
    std::string description;  // "All Systems Operational", …
    std::vector<group_view> groups;
    std::vector<public_incident> active;   // newest first
    std::vector<public_incident> history;  // resolved in the window, newest resolution first
    std::vector<public_maintenance> maintenances;  // not cancelled, not over: soonest first
};

constexpr int uptime_days = 90;

// Downtime weights, as Statuspage counts them: a major outage is down, a
// partial outage counts 30%, degraded performance and maintenance count as up.
double downtime_weight(component_status s);

// `maintenances`: the scheduled ones (cancelled ones are left out here);
// during its window a maintenance's components read under maintenance.
status_model build_model(const page_settings& page, const std::vector<commands::severity_def>& severities,
                         const std::vector<stored_incident>& incidents, time_point now,
                         const std::vector<commands::maintenance>& maintenances = {});

// The incident with that public id, active or in history.
const public_incident* find_incident(const status_model& m, std::string_view public_id);

}  // namespace warroom::statuspage
