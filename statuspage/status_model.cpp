// The status page's model: the public rule, impacts, component states and
// the 90-day uptime arithmetic.
#include "statuspage/status_model.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <set>

namespace warroom::statuspage {

namespace {

using namespace std::chrono;

// 12 characters of [0-9a-z] from SHA-256: Statuspage's id shape.
std::string short_hash(const std::string& text) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string out;
    for (int i = 0; i < 12; ++i) out += alphabet[digest[i] % 36];
    return out;
}

// Customers read these; they say what the status means and nothing else.
std::string_view sentence(public_status s) {
    switch (s) {
        case public_status::investigating: return "We are investigating this issue.";
        case public_status::identified: return "The issue has been identified and a fix is being worked on.";
        case public_status::monitoring: return "A fix has been implemented and we are monitoring the results.";
        case public_status::resolved: return "This incident has been resolved.";
    }
    return "";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// "major outage" as the engine writes it on the timeline, or an `impact`
// word; operational when cleared; nullopt for anything else.
std::optional<component_status> status_from_words(std::string_view words) {
    if (words == "operational") return component_status::operational;
    for (auto s : {component_status::degraded_performance, component_status::partial_outage,
                   component_status::major_outage, component_status::under_maintenance})
        if (lower(std::string(label(s))) == words) return s;
    if (auto i = commands::parse_component_impact(words)) return component_status_of(*i);
    return std::nullopt;
}

using interval = std::tuple<time_point, time_point, component_status>;

// Each component's states over time, from the timeline's "impact" entries
// ("<component>: <impact>", as the engine writes them), by lowercase name;
// the last one lasts until `end`. Only statuses come out of the text.
std::map<std::string, std::vector<interval>> impact_history(const std::vector<commands::timeline_entry>& timeline,
                                                            time_point end) {
    std::map<std::string, std::vector<interval>> out;
    std::map<std::string, std::pair<time_point, component_status>> open;  // operational: cleared
    for (const auto& e : timeline) {
        if (e.kind != "impact") continue;
        auto colon = e.text.rfind(": ");
        if (colon == std::string::npos) continue;
        auto st = status_from_words(lower(e.text.substr(colon + 2)));
        if (!st) continue;
        auto name = lower(e.text.substr(0, colon));
        if (auto it = open.find(name); it != open.end() && it->second.second != component_status::operational)
            out[name].push_back({it->second.first, std::max(it->second.first, e.at), it->second.second});
        open[name] = {e.at, *st};
    }
    for (const auto& [name, state] : open)
        if (state.second != component_status::operational)
            out[name].push_back({state.first, std::max(state.first, end), state.second});
        else
            out[name];  // cleared: known, so not counted for the whole incident
    return out;
}

time_point day_of(time_point t) { return time_point(floor<days>(t).time_since_epoch()); }

// Seconds of [from, to) weighted by the worst status covering each instant.
double weighted_downtime(const std::vector<std::tuple<time_point, time_point, component_status>>& spans, time_point from,
                         time_point to) {
    std::set<time_point> cuts{from, to};
    for (const auto& [a, b, s] : spans) {
        if (a > from && a < to) cuts.insert(a);
        if (b > from && b < to) cuts.insert(b);
    }
    double down = 0;
    for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
        auto a = *it, b = *std::next(it);
        double w = 0;
        for (const auto& [sa, sb, s] : spans)
            if (sa <= a && sb >= b) w = std::max(w, downtime_weight(s));
        down += w * static_cast<double>((b - a).count());
    }
    return down;
}

}  // namespace

std::string_view to_string(component_status s) {
    switch (s) {
        case component_status::operational: return "operational";
        case component_status::under_maintenance: return "under_maintenance";
        case component_status::degraded_performance: return "degraded_performance";
        case component_status::partial_outage: return "partial_outage";
        case component_status::major_outage: return "major_outage";
    }
    return "operational";
}

std::string_view label(component_status s) {
    switch (s) {
        case component_status::operational: return "Operational";
        case component_status::under_maintenance: return "Under maintenance";
        case component_status::degraded_performance: return "Degraded performance";
        case component_status::partial_outage: return "Partial outage";
        case component_status::major_outage: return "Major outage";
    }
    return "Operational";
}

std::string_view to_string(public_status s) {
    switch (s) {
        case public_status::investigating: return "investigating";
        case public_status::identified: return "identified";
        case public_status::monitoring: return "monitoring";
        case public_status::resolved: return "resolved";
    }
    return "investigating";
}

std::string_view label(public_status s) {
    switch (s) {
        case public_status::investigating: return "Investigating";
        case public_status::identified: return "Identified";
        case public_status::monitoring: return "Monitoring";
        case public_status::resolved: return "Resolved";
    }
    return "Investigating";
}

std::string_view to_string(impact i) {
    switch (i) {
        case impact::none: return "none";
        case impact::minor: return "minor";
        case impact::major: return "major";
        case impact::critical: return "critical";
    }
    return "none";
}

double downtime_weight(component_status s) {
    switch (s) {
        case component_status::major_outage: return 1.0;
        case component_status::partial_outage: return 0.3;
        default: return 0.0;
    }
}

std::string public_id(const commands::incident& inc) {
    return short_hash("warroom incident " + std::to_string(inc.number) + " " +
                      std::to_string(inc.declared_at.time_since_epoch().count()));
}

impact impact_of(std::string_view severity, const std::vector<commands::severity_def>& severities) {
    for (std::size_t i = 0; i < severities.size(); ++i) {
        if (lower(severities[i].name) != lower(std::string(severity))) continue;
        return i == 0 ? impact::critical : i == 1 ? impact::major : impact::minor;
    }
    return impact::minor;
}

public_status public_status_of(commands::incident_status s) {
    switch (s) {
        case commands::incident_status::investigating: return public_status::investigating;
        // Statuspage has no "mitigating": the cause is known and a fix is under way.
        case commands::incident_status::identified:
        case commands::incident_status::mitigating: return public_status::identified;
        case commands::incident_status::monitoring: return public_status::monitoring;
        case commands::incident_status::resolved: return public_status::resolved;
    }
    return public_status::investigating;
}

public_status public_status_of(commands::public_phase p) {
    switch (p) {
        case commands::public_phase::investigating: return public_status::investigating;
        case commands::public_phase::identified: return public_status::identified;
        case commands::public_phase::monitoring: return public_status::monitoring;
        case commands::public_phase::resolved: return public_status::resolved;
    }
    return public_status::investigating;
}

component_status component_status_of(commands::component_impact i) {
    switch (i) {
        case commands::component_impact::degraded: return component_status::degraded_performance;
        case commands::component_impact::partial_outage: return component_status::partial_outage;
        case commands::component_impact::major_outage: return component_status::major_outage;
        case commands::component_impact::maintenance: return component_status::under_maintenance;
    }
    return component_status::operational;
}

std::vector<component_impact> affected_of(const commands::incident& inc) {
    std::vector<component_impact> out;
    for (const auto& [name, level] : inc.impacts) out.push_back({name, component_status_of(level)});
    return out;
}

std::string component_id(std::string_view name) { return short_hash("warroom component " + lower(std::string(name))); }

namespace {

// Each component's public state at `t` (the incident's spans by lowercase
// name; those cleared are absent), named as configured.
std::map<std::string, component_status> states_at(const std::map<std::string, std::vector<interval>>& history,
                                                  time_point t) {
    std::map<std::string, component_status> out;
    for (const auto& [name, list] : history)
        for (const auto& [from, to, st] : list)
            if (from <= t && t < to) out[name] = std::max(out[name], st);
    return out;
}

// What each update did to the components, as Statuspage lists it: every
// component affected before or after, with its status then and now.
std::vector<component_change> changes_between(const std::map<std::string, component_status>& before,
                                              const std::map<std::string, component_status>& after,
                                              const std::map<std::string, std::string>& names) {
    std::vector<component_change> out;
    std::set<std::string> keys;
    for (const auto& [k, v] : before) keys.insert(k);
    for (const auto& [k, v] : after) keys.insert(k);
    for (const auto& k : keys) {
        auto named = names.find(k);
        component_change c;
        c.component = named != names.end() ? named->second : k;
        if (auto it = before.find(k); it != before.end()) c.old_status = it->second;
        if (auto it = after.find(k); it != after.end()) c.new_status = it->second;
        out.push_back(std::move(c));
    }
    return out;
}

// The incident's component spans as customers saw them: from the timeline's
// impact entries (one with none counts for the whole incident), none before
// its first publication.
std::map<std::string, std::vector<interval>> public_spans(const stored_incident& stored, time_point from, time_point end) {
    auto history = impact_history(stored.timeline, end);
    for (const auto& c : stored.affected)
        if (!history.count(lower(c.component))) history[lower(c.component)].push_back({from, end, c.status});
    for (auto& [name, list] : history) {
        std::vector<interval> kept;
        for (auto [a, b, st] : list)
            if (b > from) kept.push_back({std::max(a, from), b, st});
        list = std::move(kept);
    }
    return history;
}

}  // namespace

std::optional<public_incident> public_view_of(const stored_incident& stored,
                                              const std::vector<commands::severity_def>& severities) {
    const auto& inc = stored.inc;
    const auto* debut = inc.first_published_note();
    if (inc.is_private || !debut) return std::nullopt;
    public_incident out;
    out.id = public_id(inc);
    out.name = inc.public_title();
    out.level = impact_of(inc.severity, severities);
    // Customers learned of it when it was published: that is when it began for them.
    out.created_at = *debut->published_at;
    // A resolved incident is history even if its resolution time was lost.
    if (!inc.is_open())
        out.resolved_at = std::max(out.created_at, inc.resolved_at.value_or(inc.last_update_at.value_or(inc.declared_at)));
    out.components = stored.affected;

    // The published notes, oldest first: the incident's status is what the
    // newest told customers, except that an incident resolved inside is
    // resolved for them too (a fixed sentence says so), and one reopened
    // after a public resolution is back.
    std::vector<public_update> notes;
    for (const auto& n : inc.public_notes)
        if (n.published()) notes.push_back({"", public_status_of(n.phase), n.text, *n.published_at, {}});
    std::stable_sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    if (inc.is_open() && notes.back().status == public_status::resolved) {
        for (const auto& e : stored.timeline)
            if (e.kind == "reopened" && e.at >= notes.back().at) {
                auto now_status = public_status_of(inc.status);
                notes.push_back({"", now_status, std::string(sentence(now_status)), e.at, {}});
                break;
            }
    }
    if (!inc.is_open() && notes.back().status != public_status::resolved)
        notes.push_back({"", public_status::resolved, std::string(sentence(public_status::resolved)),
                         std::max(out.resolved_at.value_or(notes.back().at), notes.back().at), {}});
    out.status = notes.back().status;
    if (out.status != public_status::resolved) out.resolved_at.reset();
    if (out.status == public_status::resolved && !out.resolved_at) out.resolved_at = notes.back().at;

    std::map<std::string, std::string> names;  // lowercase → as configured
    for (const auto& c : stored.affected) names[lower(c.component)] = c.component;
    for (const auto& e : stored.timeline)
        if (auto colon = e.text.rfind(": "); e.kind == "impact" && colon != std::string::npos)
            names.emplace(lower(e.text.substr(0, colon)), e.text.substr(0, colon));
    auto spans = public_spans(stored, out.created_at, out.resolved_at.value_or(time_point::max()));
    std::map<std::string, component_status> before;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        notes[i].id = short_hash(out.id + " public update " + std::to_string(i));
        if (notes[i].status == public_status::monitoring && !out.monitoring_at) out.monitoring_at = notes[i].at;
        auto after = states_at(spans, notes[i].at);
        notes[i].affected = changes_between(before, after, names);
        before = std::move(after);
    }
    out.updated_at = notes.back().at;
    if (out.resolved_at) out.updated_at = std::max(out.updated_at, *out.resolved_at);
    std::reverse(notes.begin(), notes.end());
    out.updates = std::move(notes);
    return out;
}

status_model build_model(const page_settings& page, const std::vector<commands::severity_def>& severities,
                         const std::vector<stored_incident>& incidents, time_point now,
                         const std::vector<commands::maintenance>& maintenances) {
    status_model m;
    m.page = page;
    m.page_id = short_hash("warroom page " + page.name);
    m.now = now;
    const time_point today = day_of(now);
    const time_point window_start = today - days(uptime_days - 1);

    // Per component: the spans it was affected, with the incident's name.
    struct span {
        time_point from, to;
        component_status status;
        std::string incident;
    };
    std::map<std::string, std::vector<span>> spans;  // by lowercase component name
    std::map<std::string, component_status> current;
    time_point updated{};
    for (const auto& s : incidents) {
        // The public rule: a private or unpublished incident does not exist for the page.
        auto published = public_view_of(s, severities);
        if (!published) continue;
        auto& view = *published;
        auto end = view.resolved_at.value_or(now);
        if (view.resolved_at && *view.resolved_at < window_start) continue;
        // The bars count each component from when its impact was public: set
        // after the first publication, or that publication.
        for (const auto& [name, list] : public_spans(s, view.created_at, end))
            for (const auto& [from, to, st] : list) spans[name].push_back({from, to, st, view.name});
        for (const auto& c : view.components) {
            if (!view.resolved_at) {
                auto& cur = current[lower(c.component)];
                cur = std::max(cur, c.status);
            }
        }
        updated = std::max(updated, view.updated_at);
        if (view.resolved_at)
            m.history.push_back(std::move(view));
        else
            m.active.push_back(std::move(view));
    }
    for (const auto& mt : maintenances) {
        if (mt.cancelled_at || mt.ends_at <= window_start) continue;
        bool started = mt.starts_at <= now, over = mt.ends_at <= now;
        // The bars show what happened: the part of the window that has passed.
        if (started)
            for (const auto& c : mt.components)
                spans[lower(c)].push_back({mt.starts_at, std::min(mt.ends_at, now), component_status::under_maintenance,
                                           "Maintenance: " + mt.title});
        if (over) continue;
        if (started)
            for (const auto& c : mt.components) {
                auto& cur = current[lower(c)];
                cur = std::max(cur, component_status::under_maintenance);
            }
        m.maintenances.push_back({short_hash("warroom maintenance " + std::to_string(mt.id)), mt.title, started,
                                  mt.created_at, mt.starts_at, mt.ends_at, mt.components});
        updated = std::max(updated, started ? mt.starts_at : mt.created_at);
    }
    std::sort(m.maintenances.begin(), m.maintenances.end(),
              [](const auto& a, const auto& b) { return a.scheduled_for < b.scheduled_for; });
    auto newest_first = [](const public_incident& a, const public_incident& b) {
        auto ka = a.resolved_at.value_or(a.created_at), kb = b.resolved_at.value_or(b.created_at);
        return ka != kb ? ka > kb : a.created_at > b.created_at;
    };
    std::sort(m.active.begin(), m.active.end(), newest_first);
    std::sort(m.history.begin(), m.history.end(), newest_first);
    m.updated_at = updated == time_point{} ? now : updated;

    auto view_of = [&](const component_def& def) {
        component_view v;
        v.def = def;
        v.id = component_id(def.name);
        auto key = lower(def.name);
        if (auto it = current.find(key); it != current.end()) v.status = it->second;
        const auto& mine = spans[key];
        double up_seconds = 0, total_seconds = 0;
        for (auto day = window_start; day <= today; day += days(1)) {
            uptime_day d;
            d.day = day;
            auto day_end = std::min(day + days(1), now);
            std::vector<std::tuple<time_point, time_point, component_status>> touching;
            for (const auto& sp : mine) {
                if (sp.to <= day || sp.from >= day + days(1)) continue;
                touching.emplace_back(std::max(sp.from, day), std::min(sp.to, day + days(1)), sp.status);
                d.worst = std::max(d.worst, sp.status);
                if (std::find(d.incidents.begin(), d.incidents.end(), sp.incident) == d.incidents.end())
                    d.incidents.push_back(sp.incident);
            }
            // Today counts only the part that has passed.
            double length = static_cast<double>(std::max<seconds>(day_end - day, seconds(0)).count());
            double down = length > 0 ? weighted_downtime(touching, day, day_end) : 0;
            d.uptime = length > 0 ? 1.0 - down / length : 1.0;
            up_seconds += length - down;
            total_seconds += length;
            v.days.push_back(std::move(d));
        }
        v.uptime = total_seconds > 0 ? up_seconds / total_seconds : 1.0;
        return v;
    };

    group_view loose;
    for (const auto& c : page.components)
        if (c.group.empty()) loose.components.push_back(view_of(c));
    if (!loose.components.empty()) m.groups.push_back(std::move(loose));
    for (const auto& g : page.groups) {
        group_view gv;
        gv.name = g;
        for (const auto& c : page.components)
            if (c.group == g) gv.components.push_back(view_of(c));
        if (!gv.components.empty()) m.groups.push_back(std::move(gv));
    }

    // The page's indicator: the worst active incident, or what a component's state implies.
    for (const auto& a : m.active) m.indicator = std::max(m.indicator, a.level);
    for (const auto& [name, st] : current) {
        if (st == component_status::major_outage) m.indicator = std::max(m.indicator, impact::major);
        if (st == component_status::partial_outage || st == component_status::degraded_performance)
            m.indicator = std::max(m.indicator, impact::minor);
    }
    switch (m.indicator) {
        case impact::none: m.description = "All Systems Operational"; break;
        case impact::minor: m.description = "Minor Service Outage"; break;
        case impact::major: m.description = "Partial System Outage"; break;
        case impact::critical: m.description = "Major System Outage"; break;
    }
    return m;
}

const public_incident* find_incident(const status_model& m, std::string_view id) {
    for (const auto* list : {&m.active, &m.history})
        for (const auto& i : *list)
            if (i.id == id) return &i;
    return nullptr;
}

}  // namespace warroom::statuspage
