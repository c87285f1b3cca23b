// An incident_store in memory that applies decisions the way storage does,
// so engine tests run in microseconds without SQLite.
#pragma once

#include "commands/decision.hpp"
#include "commands/engine.hpp"
#include "commands/store.hpp"

#include <date/date.h>

#include <algorithm>
#include <map>
#include <vector>

namespace warroom::testing {

// A UTC wall-clock time for engine tests.
inline commands::time_point at(int y, unsigned m, unsigned d, int hh, int mm = 0) {
    return commands::time_point(date::sys_days(date::year(y) / m / d)) + std::chrono::hours(hh) +
           std::chrono::minutes(mm);
}

// Monday 23 November 2026, 10:00 UTC: inside the default working hours.
inline const commands::time_point monday_morning = at(2026, 11, 23, 10);

class memory_store : public commands::incident_store {
public:
    std::map<std::int64_t, commands::incident> incidents;
    std::vector<commands::timeline_entry> entries;
    std::vector<commands::action> outbox;
    std::int64_t counter = 1;
    std::map<std::int64_t, commands::followup> followups;
    std::int64_t followup_counter = 1;

    std::optional<commands::incident> find(std::int64_t n) override {
        auto it = incidents.find(n);
        return it == incidents.end() ? std::nullopt : std::optional(it->second);
    }
    std::optional<commands::incident> find_by_channel(std::string_view c) override {
        for (auto& [n, inc] : incidents)
            if (inc.channel_id == c || inc.channel_name == c) return inc;
        return std::nullopt;
    }
    std::vector<commands::incident> list_open() override {
        std::vector<commands::incident> out;
        for (auto& [n, inc] : incidents)
            if (inc.is_open()) out.push_back(inc);
        return out;
    }
    std::vector<commands::incident> list_declared_since(commands::time_point since) override {
        std::vector<commands::incident> out;
        for (auto& [n, inc] : incidents)
            if (inc.declared_at >= since) out.push_back(inc);
        return out;
    }
    std::vector<commands::incident> list_resolved_since(commands::time_point since) override {
        std::vector<commands::incident> out;
        for (auto& [n, inc] : incidents)
            if (!inc.is_open() && inc.resolved_at && *inc.resolved_at >= since) out.push_back(inc);
        return out;
    }
    std::vector<commands::timeline_entry> timeline(std::int64_t n) override {
        std::vector<commands::timeline_entry> out;
        for (auto& e : entries)
            if (e.incident == n) out.push_back(e);
        return out;
    }
    std::int64_t next_number() override { return counter; }
    bool channel_name_taken(std::string_view name) override {
        return std::any_of(incidents.begin(), incidents.end(),
                           [&](const auto& p) { return p.second.channel_name == name; });
    }

    std::optional<commands::followup> find_followup(std::int64_t id) override {
        auto it = followups.find(id);
        return it == followups.end() ? std::nullopt : std::optional(it->second);
    }
    std::vector<commands::followup> followups_of(std::int64_t n) override {
        std::vector<commands::followup> out;
        for (auto& [id, f] : followups)
            if (f.incident == n) out.push_back(f);
        return out;
    }
    std::vector<commands::followup> open_followups() override {
        std::vector<commands::followup> out;
        for (auto& [id, f] : followups)
            if (f.is_open()) out.push_back(f);
        return out;
    }
    std::vector<commands::followup> followups_created_since(commands::time_point since) override {
        std::vector<commands::followup> out;
        for (auto& [id, f] : followups)
            if (f.created_at >= since) out.push_back(f);
        return out;
    }
    std::int64_t next_followup_id() override { return followup_counter; }

    std::map<std::int64_t, commands::maintenance> maintenances;
    std::optional<commands::maintenance> find_maintenance(std::int64_t id) override {
        auto it = maintenances.find(id);
        return it == maintenances.end() ? std::nullopt : std::optional(it->second);
    }
    std::vector<commands::maintenance> maintenances_ending_after(commands::time_point t) override {
        std::vector<commands::maintenance> out;
        for (const auto& [id, m] : maintenances)
            if (m.ends_at > t) out.push_back(m);
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.starts_at < b.starts_at; });
        return out;
    }
    std::int64_t next_maintenance_id() override { return maintenances.empty() ? 1 : maintenances.rbegin()->first + 1; }

    void apply(const commands::decision& d) {
        if (!d.ok) return;
        std::int64_t number = d.save ? d.save->number : 0;
        if (d.save) {
            incidents[number] = *d.save;
            if (d.is_new) counter = std::max(counter, number + 1);
        }
        for (auto e : d.timeline) {
            if (e.incident == 0) e.incident = number;
            entries.push_back(e);
        }
        for (const auto& f : d.followups) {
            followups[f.id] = f;
            followup_counter = std::max(followup_counter, f.id + 1);
        }
        for (const auto& m : d.maintenances) maintenances[m.id] = m;
        for (auto a : d.actions) {
            if (a.incident == 0) a.incident = number;
            outbox.push_back(a);
        }
    }

    // The earliest armed deadline of any incident, with its incident and kind.
    struct due_timer {
        std::int64_t incident;
        commands::timer_kind kind;
        commands::time_point at;
    };
    std::optional<due_timer> next_due() const {
        std::optional<due_timer> best;
        for (const auto& [n, inc] : incidents)
            for (auto k : {commands::timer_kind::ack, commands::timer_kind::update, commands::timer_kind::resolve,
                           commands::timer_kind::postmortem_draft, commands::timer_kind::postmortem_review,
                           commands::timer_kind::archive, commands::timer_kind::public_update})
                if (auto& at = inc.due.at(k); at && (!best || *at < best->at)) best = due_timer{n, k, *at};
        // As storage does: an open follow-up's reminder is a timer of its incident.
        for (const auto& [id, f] : followups)
            if (f.is_open() && f.remind_at && (!best || *f.remind_at < best->at))
                best = due_timer{f.incident, commands::timer_kind::followup, *f.remind_at};
        return best;
    }
};

// Drives an engine over a memory store with a manual clock, as the runtime does.
struct engine_harness {
    commands::engine eng;
    memory_store store;
    commands::time_point now;

    engine_harness(commands::settings cfg, commands::time_point start)
        : eng(std::move(cfg), templates::renderer()), now(start) {}

    commands::decision run(const std::string& text, const std::string& user = "U1", const std::string& channel = "C0") {
        auto d = eng.handle({user, channel, text}, store, now);
        store.apply(d);
        return d;
    }
    // Moves the clock to `to`, firing every deadline that comes due on the way.
    std::vector<commands::decision> advance_to(commands::time_point to) {
        std::vector<commands::decision> fired;
        while (auto due = store.next_due()) {
            if (due->at > to) break;
            now = std::max(now, due->at);
            auto d = eng.fire(due->incident, due->kind, store, now);
            store.apply(d);
            fired.push_back(std::move(d));
        }
        now = to;
        return fired;
    }
    std::vector<commands::decision> advance(commands::duration by) { return advance_to(now + by); }
};

}  // namespace warroom::testing
