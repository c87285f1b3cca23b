#include "statuspage/api.hpp"

#include "statuspage/markup.hpp"

#include <nlohmann/json.hpp>

namespace warroom::statuspage {

namespace {

using json = nlohmann::json;

std::string absolute(const status_model& m, const std::string& path) {
    auto base = m.page.url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + path;
}

json page_json(const status_model& m) {
    return {{"id", m.page_id},
            {"name", m.page.name},
            {"url", m.page.url},
            {"time_zone", "Etc/UTC"},
            {"updated_at", iso8601(m.updated_at)}};
}

json optional_time(const std::optional<time_point>& t) { return t ? json(iso8601(*t)) : json(nullptr); }

// Statuspage's shape: each component the update touched, by its code (the
// component's id), with its status before and after; null when none.
json affected_json(const std::vector<component_change>& changes) {
    if (changes.empty()) return nullptr;
    json out = json::array();
    for (const auto& c : changes)
        out.push_back({{"code", component_id(c.component)},
                       {"name", c.component},
                       {"old_status", to_string(c.old_status)},
                       {"new_status", to_string(c.new_status)}});
    return out;
}

json incident_json(const status_model& m, const public_incident& inc) {
    json updates = json::array();
    for (const auto& u : inc.updates)
        updates.push_back({{"id", u.id},
                           {"status", to_string(u.status)},
                           {"body", u.body},
                           {"incident_id", inc.id},
                           {"created_at", iso8601(u.at)},
                           {"updated_at", iso8601(u.at)},
                           {"display_at", iso8601(u.at)},
                           {"affected_components", affected_json(u.affected)},
                           {"deliver_notifications", true},
                           {"custom_tweet", nullptr},
                           {"tweet_id", nullptr}});
    json components = json::array();
    for (const auto& c : inc.components)
        components.push_back({{"name", c.component}, {"status", to_string(c.status)}});
    return {{"id", inc.id},
            {"name", inc.name},
            {"status", to_string(inc.status)},
            {"created_at", iso8601(inc.created_at)},
            {"updated_at", iso8601(inc.updated_at)},
            {"monitoring_at", optional_time(inc.monitoring_at)},
            {"resolved_at", optional_time(inc.resolved_at)},
            {"impact", to_string(inc.level)},
            {"shortlink", absolute(m, "/incidents/" + inc.id)},
            {"started_at", iso8601(inc.created_at)},
            {"page_id", m.page_id},
            {"incident_updates", std::move(updates)},
            {"components", std::move(components)}};
}

// Statuspage's scheduled_maintenances entry: an incident with a window and impact "maintenance".
json maintenance_json(const status_model& m, const public_maintenance& mt) {
    json components = json::array();
    for (const auto& c : mt.components) components.push_back({{"name", c}, {"status", "under_maintenance"}});
    return {{"id", mt.id},
            {"name", mt.name},
            {"status", mt.in_progress ? "in_progress" : "scheduled"},
            {"created_at", iso8601(mt.created_at)},
            {"updated_at", iso8601(mt.in_progress ? mt.scheduled_for : mt.created_at)},
            {"monitoring_at", nullptr},
            {"resolved_at", nullptr},
            {"impact", "maintenance"},
            {"shortlink", absolute(m, "/")},
            {"started_at", iso8601(mt.scheduled_for)},
            {"page_id", m.page_id},
            {"incident_updates", json::array()},
            {"components", std::move(components)},
            {"scheduled_for", iso8601(mt.scheduled_for)},
            {"scheduled_until", iso8601(mt.scheduled_until)}};
}

json status_part(const status_model& m) { return {{"indicator", to_string(m.indicator)}, {"description", m.description}}; }

std::string dump(const json& j) { return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n"; }

}  // namespace

std::string summary_json(const status_model& m) {
    json components = json::array();
    int position = 1;
    for (const auto& g : m.groups) {
        std::string group_id;
        if (!g.name.empty()) {
            // A group is a component with group: true listing its members, as Statuspage lists it.
            json members = json::array();
            auto worst = component_status::operational;
            for (const auto& c : g.components) {
                members.push_back(c.id);
                worst = std::max(worst, c.status);
            }
            group_id = "g" + m.page_id.substr(0, 3) + g.components.front().id.substr(0, 8);
            components.push_back({{"id", group_id},
                                  {"name", g.name},
                                  {"status", to_string(worst)},
                                  {"created_at", iso8601(m.updated_at)},
                                  {"updated_at", iso8601(m.updated_at)},
                                  {"position", position++},
                                  {"description", nullptr},
                                  {"showcase", false},
                                  {"start_date", nullptr},
                                  {"group_id", nullptr},
                                  {"page_id", m.page_id},
                                  {"group", true},
                                  {"only_show_if_degraded", false},
                                  {"components", std::move(members)}});
        }
        for (const auto& c : g.components)
            components.push_back({{"id", c.id},
                                  {"name", c.def.name},
                                  {"status", to_string(c.status)},
                                  {"created_at", iso8601(m.updated_at)},
                                  {"updated_at", iso8601(m.updated_at)},
                                  {"position", position++},
                                  {"description", c.def.description.empty() ? json(nullptr) : json(c.def.description)},
                                  {"showcase", true},
                                  {"start_date", nullptr},
                                  {"group_id", group_id.empty() ? json(nullptr) : json(group_id)},
                                  {"page_id", m.page_id},
                                  {"group", false},
                                  {"only_show_if_degraded", false}});
    }
    json incidents = json::array();
    for (const auto& inc : m.active) incidents.push_back(incident_json(m, inc));
    json maintenances = json::array();
    for (const auto& mt : m.maintenances) maintenances.push_back(maintenance_json(m, mt));
    return dump({{"page", page_json(m)},
                 {"status", status_part(m)},
                 {"components", std::move(components)},
                 {"incidents", std::move(incidents)},
                 {"scheduled_maintenances", std::move(maintenances)}});
}

std::string status_json(const status_model& m) { return dump({{"page", page_json(m)}, {"status", status_part(m)}}); }

}  // namespace warroom::statuspage
